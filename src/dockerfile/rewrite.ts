// Rewriting: new file text where only the bytes of each edited reference (or ARG value) change,
// checked by extracting the result again. Pure: no I/O.

import { isValidDigest, isValidTag, joinReference, splitReference } from '../image/reference.js';
import { extractImages } from './extract.js';
import type { ExtractResult, ImageEdit, ImageUse, TextRange } from './types.js';

/** An edit that cannot be made, or that would not make the file say what was intended. */
export class RewriteError extends Error {
  override readonly name = 'RewriteError';

  constructor(
    message: string,
    /** The use the problem is about, when there is one. */
    readonly use: ImageUse | null = null,
  ) {
    super(use ? `line ${use.line}: ${message}` : message);
  }
}

interface Replacement {
  range: TextRange;
  text: string;
  edit: ImageEdit;
}

export function rewrite(text: string, edits: readonly ImageEdit[]): string {
  if (edits.length === 0) return text;
  const replacements = mergeReplacements(edits.map((edit) => replacementFor(text, edit)));
  let result = text;
  for (const { range, text: replacement } of [...replacements].sort(
    (a, b) => b.range.start - a.range.start,
  )) {
    result = result.slice(0, range.start) + replacement + result.slice(range.end);
  }
  verify(text, result, edits);
  return result;
}

function replacementFor(text: string, edit: ImageEdit): Replacement {
  const { use } = edit;
  const { range } = use.edit;
  if (use.edit.unsupported)
    throw new RewriteError(`cannot edit ${use.written}: ${use.edit.unsupported}`, use);
  if (edit.tag !== undefined && !isValidTag(edit.tag))
    throw new RewriteError(`invalid tag "${edit.tag}"`, use);
  if (edit.digest != null && !isValidDigest(edit.digest)) {
    throw new RewriteError(`invalid digest "${edit.digest}"`, use);
  }
  if (range.end > text.length) throw new RewriteError('the edit lies outside this text', use);
  const current = text.slice(range.start, range.end);
  if (use.edit.kind === 'reference') {
    if (current !== use.written)
      throw new RewriteError(`expected "${use.written}" but found "${current}"`, use);
    const parts = splitReference(current);
    const tag = edit.tag ?? parts.tag;
    const digest = edit.digest === undefined ? parts.digest : edit.digest;
    return { range, text: joinReference({ name: parts.name, tag, digest }), edit };
  }
  const where = use.edit.viaArg ? `ARG ${use.edit.viaArg}` : 'the instruction';
  if (edit.digest !== undefined && edit.digest !== use.digest) {
    throw new RewriteError(`cannot change the digest of ${use.written}: its tag comes from ${where}`, use);
  }
  if (edit.tag === undefined) return { range, text: current, edit };
  const prefix = use.edit.tagPrefix ?? '';
  const suffix = use.edit.tagSuffix ?? '';
  const keepsAffixes = edit.tag.startsWith(prefix) && edit.tag.endsWith(suffix);
  // Empty too when the prefix and suffix overlap in the new tag (`v` … `v` of `v`).
  const middle = edit.tag.slice(prefix.length, edit.tag.length - suffix.length);
  if (!keepsAffixes || middle === '') {
    throw new RewriteError(
      `tag "${edit.tag}" must have the form "${prefix}…${suffix}": only "${current}" in ${where} can change`,
      use,
    );
  }
  return { range, text: middle, edit };
}

/** One replacement per range; two uses of one ARG must want the same text, ranges must not overlap. */
function mergeReplacements(replacements: Replacement[]): Replacement[] {
  const byStart = [...replacements].sort(
    (a, b) => a.range.start - b.range.start || a.range.end - b.range.end,
  );
  const merged: Replacement[] = [];
  for (const replacement of byStart) {
    const last = merged[merged.length - 1];
    if (last && last.range.start === replacement.range.start && last.range.end === replacement.range.end) {
      if (last.text !== replacement.text) {
        const arg = replacement.edit.use.edit.viaArg;
        throw new RewriteError(
          `${arg ? `ARG ${arg}` : 'this reference'} would have to be both "${last.text}" ` +
            `(for line ${last.edit.use.line}) and "${replacement.text}"`,
          replacement.edit.use,
        );
      }
    } else if (last && replacement.range.start < last.range.end) {
      throw new RewriteError(
        `the edit overlaps the edit for line ${last.edit.use.line}`,
        replacement.edit.use,
      );
    } else {
      merged.push(replacement);
    }
  }
  return merged;
}

/** Each edited use must now say what was wanted, and every other use exactly what it said. */
function verify(before: string, after: string, edits: readonly ImageEdit[]): void {
  const old = extractImages('', before);
  const now = extractImages('', after);
  const usesMatch = (a: ImageUse, b: ImageUse) =>
    a.line === b.line &&
    a.column === b.column &&
    a.source === b.source &&
    a.edit.range.start === b.edit.range.start;
  for (const edit of edits) {
    if (!old.images.some((use) => usesMatch(use, edit.use))) {
      throw new RewriteError(`${edit.use.written} is not an image use of this text`, edit.use);
    }
  }
  if (now.images.length !== old.images.length || !sameSkips(old, now)) {
    throw new RewriteError('the rewritten file would use a different set of images');
  }
  old.images.forEach((use, index) => {
    const edit = edits.find((e) => usesMatch(use, e.use));
    const expected = {
      ...use,
      tag: edit?.tag ?? use.tag,
      digest: edit?.digest === undefined ? use.digest : edit.digest,
    };
    const got = now.images[index]!;
    const same = (
      ['registry', 'repository', 'tag', 'digest', 'stage', 'platform', 'source', 'line'] as const
    ).every((key) => got[key] === expected[key]);
    if (!same) {
      const why = edit
        ? `would read "${got.written}" instead of the wanted tag/digest`
        : `would change to "${got.written}" although it was not edited` +
          (use.edit.viaArg ? ` (it shares ARG ${use.edit.viaArg} with an edited use)` : '');
      throw new RewriteError(`${use.written} ${why}`, use);
    }
  });
}

function sameSkips(a: ExtractResult, b: ExtractResult): boolean {
  return JSON.stringify(a.skipped) === JSON.stringify(b.skipped);
}
