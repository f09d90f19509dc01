// A link to the code an image was built from, from its OCI source/revision labels.
import type { ManifestInfo } from '../registry/types.js';
import { code, link } from './markdown.js';

const REVISION = /^[0-9a-f]{7,64}$/i;

/** Longer source labels are not linked: no repository address is this long, and a row must stay small. */
export const MAX_SOURCE_LENGTH = 2048;

/** The label's URL when it is http(s): `git+https://…` and a trailing `.git` are tolerated. */
function sourceUrl(source: string): URL | null {
  if (source.length > MAX_SOURCE_LENGTH) return null;
  const text = source
    .trim()
    .replace(/^git\+/, '')
    .replace(/\.git$/, '');
  if (!URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
}

/** Markdown for the source column, or null when the labels give nothing usable. */
export function renderSource(info: Pick<ManifestInfo, 'source' | 'revision'> | null): string | null {
  const url = info?.source ? sourceUrl(info.source) : null;
  const revision = info?.revision && REVISION.test(info.revision) ? info.revision.toLowerCase() : null;
  if (!url) return revision ? code(revision.slice(0, 12)) : null;
  const [owner, repo] = url.pathname.split('/').filter(Boolean);
  if (url.hostname === 'github.com' && owner && repo) {
    const base = `https://github.com/${owner}/${repo}`;
    if (revision)
      return link(code(`${owner}/${repo}@${revision.slice(0, 12)}`), `${base}/commit/${revision}`);
    return link(code(`${owner}/${repo}`), base);
  }
  // Only what the text shows: credentials, a query (tokens travel there too) and a fragment are dropped.
  const path = url.pathname.replace(/\/$/, '');
  const text = code(`${url.host}${path}`);
  const target = link(text, `${url.protocol}//${url.host}${path}`);
  return revision ? `${target} ${code(revision.slice(0, 12))}` : target;
}
