// `freshbase report` output: the inventory as a plain-text table, as JSON (a documented contract)
// and as Markdown for an issue or a wiki. Pure.
import { formatTable } from '../cli/table.js';
import { shortDigest } from '../image/reference.js';
import { firstSeenAge } from '../plan/first-seen-age.js';
import { code, tableRow } from '../plan/markdown.js';
import { describeLatest, describeState, fleetImages, shortReference, type FleetImage } from './fleet.js';
import type { Behind, DigestRef, Inventory, InventoryUse, RepositoryInventory } from './types.js';

export interface ReportJson {
  generatedAt: string;
  repositories: Array<{
    repository: string;
    files: Array<{
      path: string;
      images: Array<{
        line: number;
        image: string;
        tag: string | null;
        digest: string | null;
        behind: Behind | null;
        /** Additive to the issue's shape: when Freshbase first saw `latest`'s digest. */
        latest: (DigestRef & { firstSeen: string | null }) | null;
        pullRequest: number | null;
        error: string | null;
      }>;
    }>;
  }>;
  images: Array<{ image: string; tag: string | null; repositories: number; pinned: number; behind: number }>;
}

export function reportJson(inventory: Inventory): ReportJson {
  return {
    generatedAt: inventory.generatedAt,
    repositories: inventory.repositories.map((r) => ({
      repository: r.repository,
      files: r.files
        .filter((f) => f.images.length > 0)
        .map((f) => ({
          path: f.path,
          images: f.images.map((u) => ({
            line: u.line,
            image: u.image,
            tag: u.tag,
            digest: u.digest,
            behind: u.behind,
            latest: u.latest && { ...u.latest, firstSeen: u.latestFirstSeen },
            pullRequest: u.pullRequest,
            error: u.error,
          })),
        })),
    })),
    images: fleetImages(inventory).map(({ image, tag, repositories, pinned, behind }) => ({
      image,
      tag,
      repositories,
      pinned,
      behind,
    })),
  };
}

/** The table's: date and age at the time of the sweep. */
function firstSeenCell(u: InventoryUse, generatedAt: Date): string {
  return u.latestFirstSeen ? firstSeenAge(new Date(u.latestFirstSeen), generatedAt) : '-';
}

/**
 * Markdown's: the date only. The dashboard issue is edited only when its body changes; an age
 * would change it every day.
 */
function firstSeenDate(u: InventoryUse): string {
  return u.latestFirstSeen ? u.latestFirstSeen.slice(0, 10) : '—';
}

function notScanned(r: RepositoryInventory): string {
  return `${r.repository}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`;
}

export function reportTable(inventory: Inventory): string {
  const rows: string[][] = [];
  const generatedAt = new Date(inventory.generatedAt);
  for (const r of inventory.repositories) {
    for (const f of r.files) {
      for (const u of f.images) {
        rows.push([
          r.repository,
          `${f.path}:${u.line}`,
          shortReference(u),
          u.behind ?? '-',
          describeLatest(u),
          firstSeenCell(u, generatedAt),
          u.error ? `${describeState(u.state)}: ${u.error}` : describeState(u.state),
        ]);
      }
      for (const t of f.untracked)
        rows.push([
          r.repository,
          `${f.path}:${t.line}`,
          t.written,
          '-',
          '—',
          '-',
          `not tracked: ${t.reason}`,
        ]);
    }
  }
  const parts = [
    formatTable(['REPOSITORY', 'FILE', 'IMAGE', 'BEHIND', 'LATEST', 'FIRST SEEN', 'FRESHBASE'], rows),
    '\n',
    formatTable(['IMAGE', 'TAG', 'REPOSITORIES', 'PINNED', 'BEHIND', 'OLDEST DIGEST'], fleetRows(inventory)),
  ];
  const skipped = inventory.repositories.filter((r) => r.status !== 'scanned');
  if (skipped.length > 0) parts.push('\nnot scanned:\n', ...skipped.map((r) => `  ${notScanned(r)}\n`));
  return parts.join('');
}

function oldest(image: FleetImage): string {
  return image.oldest ? `${shortDigest(image.oldest.digest)} (${image.oldest.created.slice(0, 10)})` : '-';
}

function fleetRows(inventory: Inventory): string[][] {
  return fleetImages(inventory).map((i) => [
    i.image,
    i.tag ?? '-',
    String(i.repositories),
    String(i.pinned),
    String(i.behind),
    oldest(i),
  ]);
}

/** The fleet table in Markdown (also the org dashboard's). Every name from a repository is code. */
export function fleetMarkdown(inventory: Inventory): string {
  const images = fleetImages(inventory);
  if (images.length === 0) return '_No base images found._\n';
  const lines = [
    '| Image | Tag | Repositories | Pinned | Behind | Oldest digest in use |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...images.map((i) =>
      tableRow([
        code(i.image),
        i.tag === null ? '—' : code(i.tag),
        String(i.repositories),
        String(i.pinned),
        String(i.behind),
        i.oldest ? `${code(shortDigest(i.oldest.digest))} (${i.oldest.created.slice(0, 10)})` : '—',
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

export function repositoryMarkdown(r: RepositoryInventory): string {
  if (r.status !== 'scanned') return `_${r.status}${r.detail ? `: ${code(r.detail)}` : ''}_\n`;
  const rows = r.files.flatMap((f) => [
    ...f.images.map((u) =>
      tableRow([
        code(`${f.path}:${u.line}`),
        code(shortReference(u)),
        u.behind ?? '—',
        u.latest === null ? '—' : code(describeLatest(u)),
        firstSeenDate(u),
        u.error ? `${describeState(u.state)}: ${code(u.error)}` : describeState(u.state),
      ]),
    ),
    ...f.untracked.map((t) =>
      tableRow([code(`${f.path}:${t.line}`), code(t.written), '—', '—', '—', `not tracked: ${t.reason}`]),
    ),
  ]);
  if (rows.length === 0) return '_No base images found._\n';
  return (
    [
      '| File | Image | Behind | Latest | Latest first seen | Freshbase |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n') + '\n'
  );
}

export function reportMarkdown(inventory: Inventory): string {
  const sections = [
    `# Base images\n\n_Generated ${inventory.generatedAt} by Freshbase._\n`,
    `## Fleet\n\n${fleetMarkdown(inventory)}`,
    ...inventory.repositories.map((r) => `## ${code(r.repository)}\n\n${repositoryMarkdown(r)}`),
  ];
  return sections.join('\n');
}
