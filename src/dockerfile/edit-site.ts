// Where an update of one image use has to write: the rule is on `findEditSite`.

import type { ImageRef } from '../image/reference.js';
import { versionNumbersSpan } from '../image/versioning.js';
import type { Piece } from './expand.js';
import type { ImageUse, TextRange } from './types.js';

export type EditSite = ImageUse['edit'];

/**
 * - The whole reference is one run of text in the file (in the instruction, or the whole default
 *   of one ARG) → `reference` at that run: tag and digest can both be written.
 * - Otherwise the reference is assembled → `tag-only`: the tag's version numbers (the whole tag
 *   when it has none) must lie in one run of text; `range` is that run's share of the tag, and
 *   the rest of the tag (`tagPrefix`/`tagSuffix`) stays as it is. Without such a run, or when
 *   the reference has no tag or carries a digest, the use is `unsupported`.
 */
export function findEditSite(pieces: readonly Piece[], ref: ImageRef, wordRange: TextRange): EditSite {
  const only = pieces.length === 1 ? pieces[0]! : null;
  if (only) {
    return {
      kind: 'reference',
      range: { start: only.start, end: only.start + only.text.length },
      viaArg: only.arg,
    };
  }
  const unsupported = (why: string): EditSite => ({
    kind: 'tag-only',
    range: wordRange,
    viaArg: null,
    unsupported: why,
  });
  if (ref.digest !== null) return unsupported('the reference is assembled from variables and has a digest');
  if (ref.tag === null) return unsupported('the reference is assembled from variables and has no tag');

  const written = pieces.map((p) => p.text).join('');
  const tagStart = written.length - ref.tag.length;
  const version = versionNumbersSpan(ref.tag);
  const versionStart = tagStart + (version?.start ?? 0);
  const versionEnd = version ? tagStart + version.end : written.length;
  let pieceStart = 0;
  for (const piece of pieces) {
    const pieceEnd = pieceStart + piece.text.length;
    if (pieceStart <= versionStart && versionEnd <= pieceEnd) {
      const editStart = Math.max(pieceStart, tagStart);
      return {
        kind: 'tag-only',
        range: { start: piece.start + (editStart - pieceStart), end: piece.start + piece.text.length },
        viaArg: piece.arg,
        tagPrefix: written.slice(tagStart, editStart),
        tagSuffix: written.slice(pieceEnd),
      };
    }
    pieceStart = pieceEnd;
  }
  return unsupported("the tag's version is assembled from several variables");
}
