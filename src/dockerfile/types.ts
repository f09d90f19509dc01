// Shapes shared by extraction, rewriting and the CLI's `extract --json` contract.

export type ImageSource = 'from' | 'copy-from' | 'run-mount' | 'syntax';
export type SkipReason = 'stage' | 'scratch' | 'variable' | 'invalid' | 'too-large' | 'binary';

/** A half-open range of UTF-16 offsets into the file text as read (BOM included). */
export interface TextRange {
  start: number;
  end: number;
}

export interface ImageUse {
  /** 1-based line and column of the instruction's start. */
  line: number;
  column: number;
  source: ImageSource;
  /** The reference as written, after ARG substitution (`python:3.12` for `${BASE}`). */
  written: string;
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  /** Stage name declared by this FROM (`AS name`), lower-cased; null otherwise. */
  stage: string | null;
  /** `--platform=` value as written, or null. */
  platform: string | null;
  /**
   * Where an edit goes. `reference`: the whole reference text sits at `range` (in the
   * instruction or in an ARG default). `tag-only`: part of the reference comes from an ARG;
   * `range` covers the literal tag text that a tag update must edit; no digest can be added.
   * `viaArg` names the ARG whose default holds `range`, null when it is in the instruction.
   */
  edit: {
    kind: 'reference' | 'tag-only';
    range: TextRange;
    viaArg: string | null;
    /** tag-only: tag text before and after `range` that a new tag must keep (`-alpine` of `${V}-alpine`). */
    tagPrefix?: string;
    tagSuffix?: string;
    /** Set when no edit is possible at all (e.g. the version comes from two variables): why. */
    unsupported?: string;
  };
}

export interface SkippedUse {
  line: number;
  written: string;
  reason: SkipReason;
  /** Human-readable detail (e.g. why a reference is invalid). */
  detail?: string;
}

export interface ExtractResult {
  file: string;
  images: ImageUse[];
  skipped: SkippedUse[];
}

/** A wanted change for one image use; null fields keep what is there. */
export interface ImageEdit {
  use: ImageUse;
  tag?: string;
  /** New digest, or null to remove a digest. */
  digest?: string | null;
}
