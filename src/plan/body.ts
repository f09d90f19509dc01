// The pull request body: what changes, where, and why, with the hidden metadata block. Capped
// under GitHub's body limit: table rows are dropped with a note, the metadata never is.
import { shortDigest } from '../image/reference.js';
import { formatPlatform } from '../registry/platform.js';
import { utf8Length } from '../text-bytes.js';
import type { ManifestInfo } from '../registry/types.js';
import { code, link, tableRow } from './markdown.js';
import { firstSeenAge } from './first-seen-age.js';
import { renderChanges } from './changes-section.js';
import { largestFitting } from './largest-fitting.js';
import { renderMetadata } from './metadata.js';
import { renderSource } from './source-link.js';
import type { PlanMetadata, PlannedUpdate } from './types.js';

/** GitHub refuses bodies over 65536 characters; bytes (never fewer) are counted, like every size limit. */
export const MAX_BODY_BYTES = 65_536;
/**
 * Room left for the hidden markers the GitHub adapter appends to a PR's body later (decoration,
 * auto-merge refusal, closed by the app, updates stopped: each a line of under 64 bytes), so a
 * body cut to fit is never pushed over GitHub's limit by them.
 */
export const MARKER_ROOM_BYTES = 256;
/** What a rendered body may take. */
export const RENDERED_BODY_BYTES = MAX_BODY_BYTES - MARKER_ROOM_BYTES;

export interface BodyInput {
  updates: PlannedUpdate[];
  metadata: PlanMetadata;
  repoFullName: string;
  branch: string;
  /** Updates left for a later PR because this one's metadata would not fit. */
  deferred: number;
  now: Date;
}

function reference(tag: string | null, digest: string | null): string {
  const shown = [tag, digest && shortDigest(digest)].filter(Boolean).join(' @ ');
  return shown === '' ? '—' : code(shown);
}

/** When Freshbase first saw the new digest. */
function firstSeen(u: PlannedUpdate, now: Date): string {
  return u.firstSeen ? firstSeenAge(u.firstSeen, now) : 'unknown';
}

function platforms(info: ManifestInfo): string {
  // Attestation entries (unknown/unknown) were already left out when the index was read. The names
  // are the registry's own strings (`@team`, `[x](…)` are possible): code spans, like every label.
  const names = info.platforms.map((platform) => code(formatPlatform(platform)));
  return names.length > 0 ? names.join(', ') : '—';
}

function fileLink(input: BodyInput, u: PlannedUpdate): string {
  const path = u.file.split('/').map(encodeURIComponent).join('/');
  // Root-relative, so the link works on github.com and on GitHub Enterprise Server alike.
  return link(code(`${u.file}:${u.line}`), `/${input.repoFullName}/blob/${input.branch}/${path}#L${u.line}`);
}

function row(input: BodyInput, u: PlannedUpdate): string {
  return tableRow([
    code(u.image),
    fileLink(input, u),
    u.kind,
    `${reference(u.from.tag, u.from.digest)} → ${reference(u.to.tag, u.to.digest)}`,
    firstSeen(u, input.now),
    platforms(u.target),
    renderSource(u.target) ?? '—',
  ]);
}

function fullDigests(u: PlannedUpdate): string {
  const from = u.from.digest ? code(u.from.digest) : 'none';
  return `- ${code(`${u.file}:${u.line}`)} ${code(u.image)}: ${from} → ${u.to.digest ? code(u.to.digest) : 'unchanged'}`;
}

function introduction(updates: PlannedUpdate[]): string {
  const lines = [
    'An image that is already built keeps the base image it was built from, with every vulnerability ' +
      'fixed since. Merging this pull request makes CI rebuild on the refreshed base images below.',
  ];
  if (updates.some((u) => u.kind === 'pin')) {
    lines.push(
      'Pinning a digest makes builds reproducible; Freshbase proposes each newer digest as its own reviewable change.',
    );
  }
  return lines.join('\n\n');
}

export function renderBody(input: BodyInput): string {
  const header = [
    introduction(input.updates),
    '',
    tableRow(['Image', 'File', 'Kind', 'Change', 'First seen', 'Platforms', 'Source']),
    tableRow(Array<string>(7).fill('---')),
  ];
  const deferredNote =
    input.deferred > 0
      ? [`${input.deferred} more update(s) will be proposed once this pull request is merged or closed.`, '']
      : [];
  const metadata = renderMetadata(input.metadata);
  const rows = input.updates.map((u) => row(input, u));
  const digests = input.updates.map(fullDigests);

  const compose = (shown: number): string => {
    const hidden = rows.length - shown;
    const omission =
      hidden > 0 ? [`… and ${hidden} more change(s) not listed here (body size limit).`, ''] : [];
    return [
      ...header,
      ...rows.slice(0, shown),
      '',
      ...omission,
      ...renderChanges(input.updates.slice(0, shown)),
      '<details>',
      '<summary>Full digests</summary>',
      '',
      ...digests.slice(0, shown),
      '',
      '</details>',
      '',
      ...deferredNote,
      metadata,
      '',
    ].join('\n');
  };
  // As many rows as fit: the size grows with each row.
  return compose(
    largestFitting(0, rows.length, (shown) => utf8Length(compose(shown)) <= RENDERED_BODY_BYTES),
  );
}
