// What must hold for extraction and rewriting on any Dockerfile, whatever its shape. Used by the
// fixture test (`npm test`) and by `npm run corpus -- <dir>` over a folder of real-world files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractImages } from '../../src/dockerfile/extract.js';
import { rewrite } from '../../src/dockerfile/rewrite.js';
import { readDockerfileText } from '../../src/dockerfile/source-text.js';
import type { ExtractResult, ImageUse } from '../../src/dockerfile/types.js';

export const FAKE_DIGEST = `sha256:${'ab'.repeat(32)}`;

export interface DockerfileText {
  name: string;
  text: string;
}

/** Every file of `dir` whose name marks it as a Dockerfile, decoded by the app's own rule. */
export function readDockerfiles(dir: string): { files: DockerfileText[]; unreadable: string[] } {
  const files: DockerfileText[] = [];
  const unreadable: string[] = [];
  const names = readdirSync(dir)
    .filter((name) => /(^|[.])(dockerfile|containerfile)$|^(dockerfile|containerfile)[.]/i.test(name))
    .sort();
  for (const name of names) {
    const read = readDockerfileText(readFileSync(path.join(dir, name)));
    if (read.ok) files.push({ name, text: read.text });
    else unreadable.push(`${name}: ${read.detail}`);
  }
  return { files, unreadable };
}

/** The problems found in one file; empty when every invariant holds. */
export function checkInvariants({ name, text }: DockerfileText): string[] {
  const problems: string[] = [];
  let result: ExtractResult;
  try {
    result = extractImages(name, text);
  } catch (error) {
    return [`extraction threw: ${error instanceof Error ? error.message : String(error)}`];
  }
  for (const skip of result.skipped) {
    if (skip.detail?.startsWith('could not parse')) problems.push(`line ${skip.line}: ${skip.detail}`);
  }
  const lineCount = text.split(/\r\n|\r|\n/).length;
  for (const use of result.images) {
    const where = `line ${use.line} ${use.written}`;
    if (use.line < 1 || use.line > lineCount || use.column < 1)
      problems.push(`${where}: position out of the file`);
    if (use.repository !== use.repository.toLowerCase()) problems.push(`${where}: repository not lower case`);
    const { start, end } = use.edit.range;
    if (start < 0 || end < start || end > text.length) problems.push(`${where}: edit range outside the file`);
    if (use.edit.kind === 'reference' && text.slice(start, end) !== use.written) {
      problems.push(`${where}: edit range holds "${text.slice(start, end)}"`);
    }
  }
  try {
    if (rewrite(text, []) !== text) problems.push('rewriting with no edits changed the file');
    const pinnable = result.images.filter((use) => use.edit.kind === 'reference');
    const after = extractImages(
      name,
      rewrite(
        text,
        pinnable.map((use) => ({ use, digest: FAKE_DIGEST })),
      ),
    );
    const expected = result.images.map((use) => pinnedView(use, use.edit.kind === 'reference'));
    const actual = after.images.map((use) => pinnedView(use, false));
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(`pinning every reference changed more than the digests: ${JSON.stringify(actual)}`);
    }
    if (JSON.stringify(after.skipped) !== JSON.stringify(result.skipped)) {
      problems.push('pinning every reference changed what is skipped');
    }
  } catch (error) {
    problems.push(`rewrite failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return problems;
}

function pinnedView(use: ImageUse, pinned: boolean): unknown[] {
  return [use.line, use.source, use.registry, use.repository, use.tag, pinned ? FAKE_DIGEST : use.digest];
}

/** One line per use: compact enough to review a golden file by eye. */
export function describeResult(result: ExtractResult): { images: string[]; skipped: string[] } {
  return {
    images: result.images.map(describeUse),
    skipped: result.skipped.map(
      (s) => `${s.line} ${s.reason} ${s.written}${s.detail ? ` (${s.detail})` : ''}`,
    ),
  };
}

function describeUse(use: ImageUse): string {
  const edit = use.edit.unsupported
    ? `none (${use.edit.unsupported})`
    : `${use.edit.kind}${use.edit.viaArg ? ` via ${use.edit.viaArg}` : ''}`;
  const extras = [use.stage && `as ${use.stage}`, use.platform && `platform ${use.platform}`].filter(Boolean);
  const digest = use.digest ? `@${use.digest.slice(0, 19)}…` : '';
  const text = `${use.line}:${use.column} ${use.source} ${use.registry}/${use.repository}:${use.tag ?? '(none)'}${digest} ${extras.join(' ')} edit=${edit}`;
  return text.replace(/ +/g, ' ');
}
