// The per-repository dashboard issue: its body, rendered from the repository's inventory, and the
// requests a maintainer makes by ticking its boxes. Pure. The body holds no timestamp, so an
// unchanged state renders byte for byte the same body and the issue is not edited.
import { createHash } from 'node:crypto';
import { shortDigest } from '../image/reference.js';
import { describeState, shortReference } from '../inventory/fleet.js';
import { repositoryMarkdown } from '../inventory/render.js';
import type { InventoryUse, RepositoryInventory } from '../inventory/types.js';
import { code } from '../plan/markdown.js';

/** Finds the dashboard again among the app's issues; never shown. */
export const DASHBOARD_MARKER = '<!-- freshbase:dashboard -->';
export const DASHBOARD_TITLE = 'Freshbase dashboard';

/** GitHub refuses issue bodies over 65536 characters. */
const MAX_BODY_CHARS = 60_000;

export type RequestKind = 'update-now' | 'retry';

export interface DashboardRequests {
  /** Use ids whose held update a maintainer asked for now. */
  updateNow: Set<string>;
  /** Use ids whose failed lookup a maintainer asked to retry. */
  retry: Set<string>;
}

/** A short stable id of one image use: file, line and image (hashed: paths are untrusted text). */
export function useId(file: string, use: Pick<InventoryUse, 'line' | 'imageName'>): string {
  return createHash('sha256')
    .update(JSON.stringify([file, use.line, use.imageName]))
    .digest('hex')
    .slice(0, 16);
}

function box(kind: RequestKind, id: string, label: string): string {
  return `- [ ] ${label} <!-- freshbase:${kind}:${id} -->`;
}

const TICKED = /^\s*[-*] \[[xX]\] .*<!-- freshbase:(update-now|retry):([0-9a-f]{16}) -->\s*$/;

/** The ticked boxes of a dashboard body (as a maintainer edited it). */
export function parseRequests(body: string | null | undefined): DashboardRequests {
  const requests: DashboardRequests = { updateNow: new Set(), retry: new Set() };
  for (const line of (body ?? '').split(/\r?\n/)) {
    const match = TICKED.exec(line);
    if (!match) continue;
    (match[1] === 'update-now' ? requests.updateNow : requests.retry).add(match[2]!);
  }
  return requests;
}

export function hasRequests(requests: DashboardRequests): boolean {
  return requests.updateNow.size + requests.retry.size > 0;
}

interface Entry {
  file: string;
  use: InventoryUse;
}

function where({ file, use }: Entry): string {
  return `${code(`${file}:${use.line}`)} ${code(shortReference(use))}`;
}

function target(use: InventoryUse): string {
  const to = use.proposed;
  if (!to) return '';
  const tag = to.tag !== null && to.tag !== use.tag ? `${to.tag}@` : '@';
  return ` → ${code(`${tag}${shortDigest(to.digest)}`)}`;
}

function section(title: string, lines: string[], empty: string): string {
  return `## ${title}\n\n${lines.length > 0 ? lines.join('\n') : empty}\n`;
}

export function renderDashboard(inventory: RepositoryInventory): string {
  const entries: Entry[] = inventory.files.flatMap((f) => f.images.map((use) => ({ file: f.path, use })));
  const held = entries.filter((e) => e.use.state.kind === 'held');
  const declined = entries.filter((e) => e.use.state.kind === 'declined');
  const failed = entries.filter((e) => e.use.error !== null);
  const untracked = inventory.files.flatMap((f) => f.untracked.map((t) => ({ file: f.path, t })));

  const parts = [
    DASHBOARD_MARKER,
    'Freshbase keeps this issue up to date after every scan of this repository. Tick a box to ask ' +
      'for something: Freshbase scans the repository again at once and does it.\n',
    section(
      'Open pull requests',
      inventory.pullRequests.map((p) => `- #${p.number} ${code(p.title)}`),
      '_None._',
    ),
    section(
      'Held updates',
      held.map((e) =>
        // Nothing planned to force (the plan itself held it: soak time): no box to tick.
        e.use.proposed
          ? box(
              'update-now',
              useId(e.file, e.use),
              `Update now: ${where(e)}${target(e.use)} — ${describeState(e.use.state)}`,
            )
          : `- ${where(e)} — ${describeState(e.use.state)}`,
      ),
      '_None._',
    ),
    section(
      'Lookup errors',
      failed.map((e) => box('retry', useId(e.file, e.use), `Retry: ${where(e)}: ${code(e.use.error ?? '')}`)),
      '_None: every image was looked up._',
    ),
    section(
      'Declined updates',
      declined.map(
        (e) =>
          `- ${where(e)}${target(e.use)}: its pull request was closed without merge; a later release is proposed again`,
      ),
      '_None._',
    ),
    section(
      'Not tracked',
      untracked.map(({ file, t }) => `- ${code(`${file}:${t.line}`)} ${code(t.written)}: ${t.reason}`),
      '_None._',
    ),
    `## Base images\n\n${repositoryMarkdown(inventory)}`,
  ];
  const body = parts.join('\n');
  if (body.length <= MAX_BODY_CHARS) return body;
  // The table goes first: the sections with boxes are what the issue is for.
  const short = `${parts.slice(0, -1).join('\n')}\n## Base images\n\n_Too many to list here; run \`freshbase report\`._\n`;
  if (short.length <= MAX_BODY_CHARS) return short;
  const cut = short.lastIndexOf('\n', MAX_BODY_CHARS);
  return `${short.slice(0, cut)}\n\n_Cut short: too many entries to list._\n`;
}
