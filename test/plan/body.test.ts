// The PR body, rendered directly: exact text for each part, hostile registry text, and the size cap.
import { familiarName, imageName } from '../../src/image/reference.js';
import { RENDERED_BODY_BYTES, renderBody, type BodyInput } from '../../src/plan/body.js';
import { metadataFor, readMetadata, renderMetadata } from '../../src/plan/metadata.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import { digest, index, use } from './fixtures.js';

const NOW = new Date('2024-05-11T12:00:00Z');
const INTRO =
  'An image that is already built keeps the base image it was built from, with every vulnerability ' +
  'fixed since. Merging this pull request makes CI rebuild on the refreshed base images below.';
const PIN_NOTE =
  'Pinning a digest makes builds reproducible; Freshbase proposes each newer digest as its own reviewable change.';
const HEADER = [
  '| Image | File | Kind | Change | First seen | Platforms | Source |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

function update(file: string, written: string, change: Partial<PlannedUpdate> = {}): PlannedUpdate {
  const imageUse = use(written, 3);
  return {
    file,
    line: 3,
    image: familiarName(imageUse),
    imageName: imageName(imageUse),
    from: { tag: imageUse.tag, digest: imageUse.digest },
    to: { tag: imageUse.tag, digest: digest('a') },
    kind: imageUse.digest ? 'digest' : 'pin',
    use: imageUse,
    firstSeen: new Date('2024-05-10T06:00:00Z'),
    target: index('a', { source: 'https://github.com/acme/base', revision: null }),
    current: null,
    platforms: [],
    ...change,
  };
}

function input(updates: PlannedUpdate[], extra: Partial<BodyInput> = {}): BodyInput {
  return {
    updates,
    metadata: metadataFor('repository', updates),
    repoFullName: 'acme/shop',
    branch: 'freshbase/all',
    deferred: 0,
    now: NOW,
    ...extra,
  };
}

const digestUpdate = () =>
  update('services/api/Dockerfile', `python:3.12@${digest('0')}`, { firstSeen: null });

describe('renderBody', () => {
  it('renders one digest update exactly', () => {
    const u = digestUpdate();
    expect(renderBody(input([u]))).toBe(
      [
        INTRO,
        '',
        ...HEADER,
        '| `python` | [`services/api/Dockerfile:3`](/acme/shop/blob/freshbase/all/services/api/Dockerfile#L3) | digest ' +
          '| `3.12 @ 000000000000` → `3.12 @ aaaaaaaaaaaa` | unknown | `linux/amd64`, `linux/arm64/v8` ' +
          '| [`acme/base`](https://github.com/acme/base) |',
        '',
        '<details>',
        '<summary>Full digests</summary>',
        '',
        `- \`services/api/Dockerfile:3\` \`python\`: \`${digest('0')}\` → \`${digest('a')}\``,
        '',
        '</details>',
        '',
        renderMetadata(metadataFor('repository', [u])),
        '',
      ].join('\n'),
    );
  });

  it('explains pinning only when a pin is proposed, as its own paragraph', () => {
    const pin = update('Dockerfile', 'python:3.12', { firstSeen: null });
    expect(renderBody(input([pin]))).toMatch(
      new RegExp(`^${INTRO.replace(/[.]/g, '\\.')}\n\n${PIN_NOTE}\n\n\\|`),
    );
    expect(renderBody(input([digestUpdate(), pin]))).toContain(`${INTRO}\n\n${PIN_NOTE}\n\n|`);
    expect(renderBody(input([digestUpdate()]))).not.toContain('Pinning');
  });

  it('says what it does not know: no digest before, no source, no platforms, no first sighting', () => {
    const pin = update('Dockerfile', 'python:3.12', {
      firstSeen: null,
      to: { tag: '3.12', digest: digest('b') },
      target: index('b', { platforms: [] }),
    });
    const body = renderBody(input([pin]));
    expect(body).toContain('| pin | `3.12` → `3.12 @ bbbbbbbbbbbb` | unknown | — | — |');
    expect(body).toContain(`- \`Dockerfile:3\` \`python\`: none → \`${digest('b')}\``);
  });

  it('shows a digest without a tag, a dash for no reference, and a tag change without a digest', () => {
    const digestOnly = update('Dockerfile', `python@${digest('0')}`, {
      to: { tag: null, digest: null },
    });
    const body = renderBody(input([digestOnly]));
    expect(body).toContain('| `000000000000` → — |');
    expect(body).toContain(`\`python\`: \`${digest('0')}\` → unchanged`);
  });

  it('says when it was first seen', () => {
    const u = update('Dockerfile', 'python:3.12');
    expect(renderBody(input([u]))).toContain('| 2024-05-10 (1 day ago) |');
  });

  it('percent-encodes file paths in links, segment by segment', () => {
    const u = update('my app/#1/Docker file', 'python:3.12');
    expect(renderBody(input([u]))).toContain(
      '[`my app/#1/Docker file:3`](/acme/shop/blob/freshbase/all/my%20app/%231/Docker%20file#L3)',
    );
  });

  it('keeps hostile platform names from the registry in code spans, on one line, pipes escaped', () => {
    const u = update('Dockerfile', 'python:3.12', {
      target: index('a', {
        platforms: [
          { os: '@acme/team', architecture: '[x](https://evil.example)' },
          { os: 'linux\n# heading', architecture: 'a|b', variant: '<script>' },
        ],
      }),
    });
    expect(renderBody(input([u]))).toContain(
      '| `@acme/team/[x](https://evil.example)`, `linux # heading/a\\|b/<script>` |',
    );
  });

  it('notes updates left for a later pull request, before the metadata', () => {
    const u = digestUpdate();
    const body = renderBody(input([u], { deferred: 3 }));
    expect(body).toContain(
      [
        '</details>',
        '',
        '3 more update(s) will be proposed once this pull request is merged or closed.',
        '',
        renderMetadata(metadataFor('repository', [u])),
        '',
      ].join('\n'),
    );
  });

  it("fills the size limit (GitHub's less the room for markers) exactly, and drops the rows (and their changes) that do not fit", () => {
    const u = digestUpdate();
    const size = (body: string) => new TextEncoder().encode(body).length;
    // The branch appears once in the body, in the row's link: grow it to land exactly on the limit.
    const short = size(renderBody(input([u], { branch: 'b' })));
    const exact = input([u], { branch: 'b'.repeat(1 + RENDERED_BODY_BYTES - short) });
    const full = renderBody(exact);
    expect(size(full)).toBe(RENDERED_BODY_BYTES);
    expect(full).toContain('| `python` |');
    expect(full).not.toContain('not listed here');

    const over = renderBody({ ...exact, branch: `${exact.branch}b` });
    expect(over).not.toContain('| `python` |');
    expect(over).toContain(
      [
        '| --- | --- | --- | --- | --- | --- | --- |',
        '',
        '… and 1 more change(s) not listed here (body size limit).',
        '',
        '<details>',
      ].join('\n'),
    );
    expect(readMetadata(over)?.updates).toHaveLength(1);
  });

  it('describes the changes of the listed rows only', () => {
    const many = Array.from({ length: 300 }, (_, i) =>
      update(`s${String(i).padStart(3, '0')}/Dockerfile`, `python:3.12@${digest('0')}`, {
        changes: { status: 'no-sbom', reason: `reason ${i}` },
      }),
    );
    const body = renderBody(input(many));
    const listed = body.split('\n').filter((line) => line.startsWith('| `python` |')).length;
    expect(listed).toBeGreaterThan(0);
    expect(listed).toBeLessThan(300);
    expect(body).toContain(`No SBOM to compare: reason ${listed - 1}.`);
    expect(body).not.toContain(`No SBOM to compare: reason ${listed}.`);
  });
});
