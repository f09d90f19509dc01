// Planned updates turned into file contents through the verified rewriter: which updates can be
// written, and the files they change. Pure: text in, text out.
import { rewrite } from '../dockerfile/rewrite.js';
import type { ImageEdit } from '../dockerfile/types.js';
import type { LookupFailure, PlannedUpdate, RepoFile } from './types.js';
import { errorMessage } from '../errors.js';

function editFor(update: PlannedUpdate): ImageEdit {
  const edit: ImageEdit = { use: update.use };
  if (update.to.tag !== update.from.tag && update.to.tag !== null) edit.tag = update.to.tag;
  if (update.to.digest !== update.from.digest) edit.digest = update.to.digest;
  return edit;
}

/** The files the updates change, with their new content (through the verified rewriter). */
export function applyUpdates(files: RepoFile[], updates: PlannedUpdate[]): RepoFile[] {
  const changed: RepoFile[] = [];
  for (const file of files) {
    const edits = updates.filter((u) => u.file === file.path).map(editFor);
    if (edits.length === 0) continue;
    const content = rewrite(file.content, edits);
    if (content !== file.content) changed.push({ path: file.path, content });
  }
  return changed;
}

/**
 * Keeps only updates the rewriter can write and verify. A file's updates are tried together
 * first; when that fails, one by one, so one unwritable edit does not hold back the others.
 */
export function writableUpdates(
  files: RepoFile[],
  updates: PlannedUpdate[],
): { updates: PlannedUpdate[]; errors: LookupFailure[] } {
  const kept: PlannedUpdate[] = [];
  const errors: LookupFailure[] = [];
  for (const file of files) {
    const mine = updates.filter((u) => u.file === file.path);
    if (mine.length === 0) continue;
    try {
      rewrite(file.content, mine.map(editFor));
      kept.push(...mine);
      continue;
    } catch {
      // fall through to one by one
    }
    for (const u of mine) {
      try {
        rewrite(file.content, [editFor(u)]);
        kept.push(u);
      } catch (err) {
        errors.push({ file: u.file, line: u.line, image: u.image, error: errorMessage(err) });
      }
    }
  }
  return { updates: kept, errors };
}
