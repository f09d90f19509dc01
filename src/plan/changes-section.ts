// The PR body's "What changed" section: per update, the packages whose version changed, were added
// or removed (per platform where the platforms differ), and whether the upstream source changed.
// Package names and versions come from registries: they only ever appear inside code spans.
import { isEmptyDiff } from '../attestations/diff.js';
import type { ChangeReport, ImageChanges, PackageDiff } from '../attestations/types.js';
import { code, tableRow } from './markdown.js';
import type { PlannedUpdate } from './types.js';

/** Package rows shown per update; the rest is counted in a note. */
export const MAX_PACKAGE_ROWS = 30;

function counts(diff: PackageDiff): string {
  const { changed, added, removed } = diff;
  return `${changed.length} changed, ${added.length} added, ${removed.length} removed`;
}

function source(changes: ImageChanges): string {
  if (changes.sourceChanged === true) return 'the upstream source revision changed';
  if (changes.sourceChanged === false) return 'the same upstream source revision was rebuilt';
  return 'the provenance does not say whether the upstream source changed';
}

function packageRows(diff: PackageDiff, budget: { left: number }): string[] {
  const rows = [
    ...diff.changed.map((c) => [code(c.name), code(c.from), code(c.to)]),
    ...diff.added.map((a) => [`${code(a.name)} (added)`, '—', code(a.version)]),
    ...diff.removed.map((r) => [`${code(r.name)} (removed)`, code(r.version), '—']),
  ];
  const shown = rows.slice(0, Math.max(0, budget.left));
  budget.left -= shown.length;
  const lines =
    shown.length > 0 ? [tableRow(['Package', 'Old', 'New']), tableRow(['---', '---', '---'])] : [];
  lines.push(...shown.map(tableRow));
  if (rows.length > shown.length) lines.push('', `… and ${rows.length - shown.length} more not listed.`);
  return lines;
}

function compared(changes: ImageChanges): string[] {
  const lines = [`Packages: ${counts(changes.packages)}; ${source(changes)}.`];
  if (isEmptyDiff(changes.packages)) return lines;
  const budget = { left: MAX_PACKAGE_ROWS };
  if (changes.byPlatform.length === 0) return [...lines, '', ...packageRows(changes.packages, budget)];
  for (const { platform, packages } of changes.byPlatform) {
    lines.push('', `${code(platform)}: ${counts(packages)}`);
    if (!isEmptyDiff(packages)) lines.push('', ...packageRows(packages, budget));
  }
  return lines;
}

function explain(report: ChangeReport | undefined): string[] {
  if (report === undefined) return ['Not compared.'];
  if (report.status === 'compared') return compared(report.changes);
  if (report.status === 'no-sbom') return [`No SBOM to compare: ${report.reason}.`];
  return [`The attestations could not be read: ${code(report.error)}.`];
}

/** One block per update; empty when no update was compared at all (nothing read). */
export function renderChanges(updates: PlannedUpdate[]): string[] {
  if (updates.every((u) => u.changes === undefined)) return [];
  const lines = ['### What changed', ''];
  for (const u of updates) {
    const platforms =
      u.changes?.status === 'compared'
        ? ` (${u.changes.changes.platforms.map((p) => code(p)).join(', ')})`
        : '';
    lines.push(
      `**${code(u.image)}** ${code(`${u.file}:${u.line}`)}${platforms}`,
      '',
      ...explain(u.changes),
      '',
    );
  }
  return lines;
}
