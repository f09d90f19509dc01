// The org dashboard issue (config `orgDashboard: true` in the org's `.github` repository): the
// fleet table of the installation — which images and tags, how many repositories use each, how
// many pin it and how many are behind — and the oldest digests in use. Pure; no timestamp, so an
// unchanged fleet renders the same body and the issue is not edited.
import { shortDigest } from '../image/reference.js';
import { fleetImages } from '../inventory/fleet.js';
import { fleetMarkdown } from '../inventory/render.js';
import type { Inventory } from '../inventory/types.js';
import { code } from '../plan/markdown.js';

export const ORG_DASHBOARD_MARKER = '<!-- freshbase:org-dashboard -->';
export const ORG_DASHBOARD_TITLE = 'Freshbase fleet dashboard';

const OLDEST_SHOWN = 10;
const MAX_BODY_CHARS = 60_000;

export function renderOrgDashboard(inventory: Inventory): string {
  const scanned = inventory.repositories.filter((r) => r.status === 'scanned');
  const others = inventory.repositories.filter((r) => r.status !== 'scanned');
  const oldest = fleetImages(inventory)
    .filter((i) => i.oldest !== null)
    .sort((a, b) =>
      a.oldest!.created < b.oldest!.created ? -1 : a.oldest!.created > b.oldest!.created ? 1 : 0,
    )
    .slice(0, OLDEST_SHOWN)
    .map(
      (i) =>
        `- ${code(`${i.image}${i.tag === null ? '' : `:${i.tag}`}@${shortDigest(i.oldest!.digest)}`)} built ${i.oldest!.created.slice(0, 10)}`,
    );
  const body = [
    ORG_DASHBOARD_MARKER,
    `Freshbase keeps this issue up to date with the base images of the ${inventory.repositories.length} ` +
      `repositories it can reach (${scanned.length} scanned). \`freshbase report\` prints the same per file and line.\n`,
    `## Base images\n\n${fleetMarkdown(inventory)}`,
    `## Oldest digests in use\n\nOf the digests behind their tag's newest release, by build date:\n\n${oldest.length > 0 ? oldest.join('\n') : '_None with a known build date._'}\n`,
    `## Not scanned\n\n${
      others.length > 0
        ? others
            .map((r) => `- ${code(r.repository)}: ${r.status}${r.detail ? ` (${code(r.detail)})` : ''}`)
            .join('\n')
        : '_None._'
    }\n`,
  ].join('\n');
  if (body.length <= MAX_BODY_CHARS) return body;
  const cut = body.lastIndexOf('\n', MAX_BODY_CHARS);
  return `${body.slice(0, cut)}\n\n_Cut short: run \`freshbase report\` for the whole fleet._\n`;
}
