// The hidden block in a PR body that records exactly what the PR proposes, for reconciliation.
// JSON inside an HTML comment: GitHub keeps the body byte for byte, and `<`/`>` are written as
// \u escapes so no file name can close the comment. Identical changes in several files share one
// entry, which keeps the block small for a repository-wide PR.
import { z } from 'zod';

import { UPDATE_KINDS } from '../image/update-kind.js';
import type { PlanMetadata, PlannedUpdate } from './types.js';

const OPEN = '<!-- freshbase:metadata ';
const CLOSE = ' -->';
const BLOCK = /<!-- freshbase:metadata (\{.*?\}) -->/g;

/** One change: [imageName, fromTag, fromDigest, toTag, toDigest, kind, files]. */
const wireChange = z.tuple([
  z.string(),
  z.string().nullable(),
  z.string().nullable(),
  z.string().nullable(),
  z.string().nullable(),
  z.enum(UPDATE_KINDS),
  z.array(z.string()),
]);
const wireMetadata = z.object({ v: z.literal(1), group: z.string(), changes: z.array(wireChange) });
type WireChange = z.infer<typeof wireChange>;

type MetadataUpdate = PlanMetadata['updates'][number];

function changeOf(u: MetadataUpdate): WireChange {
  return [u.imageName, u.fromTag, u.fromDigest, u.toTag, u.toDigest, u.kind, []];
}

/** The change without its files (changeOf's file list starts empty). */
function changeKey(u: MetadataUpdate): string {
  return JSON.stringify(changeOf(u));
}

/** Updates in the order the block stores them (by change, then file), so a round trip is exact. */
export function metadataFor(group: string, updates: PlannedUpdate[]): PlanMetadata {
  const entries: MetadataUpdate[] = updates.map((u) => ({
    file: u.file,
    imageName: u.imageName,
    fromTag: u.from.tag,
    fromDigest: u.from.digest,
    toTag: u.to.tag,
    toDigest: u.to.digest,
    kind: u.kind,
  }));
  const firstSeen = new Map<string, number>();
  entries.forEach((entry, index) => {
    if (!firstSeen.has(changeKey(entry))) firstSeen.set(changeKey(entry), index);
  });
  entries.sort((a, b) => (firstSeen.get(changeKey(a)) ?? 0) - (firstSeen.get(changeKey(b)) ?? 0));
  return { version: 1, group, updates: entries };
}

export function renderMetadata(metadata: PlanMetadata): string {
  const changes = new Map<string, WireChange>();
  for (const u of metadata.updates) {
    const entry = changes.get(changeKey(u)) ?? changeOf(u);
    entry[6].push(u.file);
    changes.set(changeKey(u), entry);
  }
  const json = JSON.stringify({ v: 1, group: metadata.group, changes: [...changes.values()] });
  return `${OPEN}${json.replace(/</g, '\\u003c').replace(/>/g, '\\u003e')}${CLOSE}`;
}

/** The metadata of a Freshbase PR body; null for anything else (edited, foreign, garbage). */
export function readMetadata(body: string): PlanMetadata | null {
  const blocks = [...String(body ?? '').matchAll(BLOCK)];
  const json = blocks.at(-1)?.[1];
  if (json === undefined) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const parsed = wireMetadata.safeParse(value);
  if (!parsed.success) return null;
  return {
    version: 1,
    group: parsed.data.group,
    updates: parsed.data.changes.flatMap(([imageName, fromTag, fromDigest, toTag, toDigest, kind, files]) =>
      files.map((file) => ({ file, imageName, fromTag, fromDigest, toTag, toDigest, kind })),
    ),
  };
}
