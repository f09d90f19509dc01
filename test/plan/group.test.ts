import type { RepoConfig } from '../../src/config/types.js';
import { familiarName, imageName } from '../../src/image/reference.js';
import { MAX_BODY_BYTES } from '../../src/plan/body.js';
import { groupPlans } from '../../src/plan/group.js';
import { readMetadata, renderMetadata } from '../../src/plan/metadata.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import { AMD64, ARM64, config, digest, index, use } from './fixtures.js';

const NOW = new Date('2024-05-11T12:00:00Z');

function update(
  file: string,
  line: number,
  written: string,
  change: Partial<PlannedUpdate> = {},
): PlannedUpdate {
  const imageUse = use(written, line);
  return {
    file,
    line,
    image: familiarName(imageUse),
    imageName: imageName(imageUse),
    from: { tag: imageUse.tag, digest: imageUse.digest },
    to: { tag: imageUse.tag, digest: digest('a') },
    kind: imageUse.digest ? 'digest' : 'pin',
    use: imageUse,
    firstSeen: new Date('2024-05-10T06:00:00Z'),
    target: index('a', {
      source: 'https://github.com/docker-library/python.git',
      revision: '0123456789abcdef0123456789abcdef01234567',
    }),
    current: index('0', { created: '2024-04-01T12:00:00Z' }),
    platforms: [AMD64, ARM64],
    ...change,
  };
}

const updates = [
  update('services/api/Dockerfile', 3, `python:3.12@${digest('0')}`),
  update('Dockerfile', 1, 'python:3.12'),
  update('Dockerfile', 7, 'ghcr.io/acme/base:1.2.1', {
    kind: 'patch',
    to: { tag: '1.2.4', digest: digest('b') },
    target: index('b', { source: null, created: null }),
    firstSeen: null,
  }),
];

const grouped = (group: RepoConfig['group'], list = updates) =>
  groupPlans(list, config({ group }), 'acme/shop', NOW);

describe('groupPlans', () => {
  it('puts everything in one branch per repository, ordered by file and line', () => {
    const [plan, ...rest] = grouped('repository');
    expect(rest).toEqual([]);
    expect(plan?.branch).toBe('freshbase/all');
    expect(plan?.group).toBe('repository');
    expect(plan?.updates.map((u) => `${u.file}:${u.line}`)).toEqual([
      'Dockerfile:1',
      'Dockerfile:7',
      'services/api/Dockerfile:3',
    ]);
    expect(plan?.title).toBe('chore(deps): update 2 base images');
  });

  it('makes one branch per file, with stable readable names', () => {
    const plans = grouped('file');
    expect(plans.map((p) => p.group)).toEqual(['Dockerfile', 'services/api/Dockerfile']);
    expect(plans.map((p) => p.branch)).toEqual([
      expect.stringMatching(/^freshbase\/file-dockerfile-[0-9a-f]{6}$/),
      expect.stringMatching(/^freshbase\/file-services-api-dockerfile-[0-9a-f]{6}$/),
    ]);
    expect(grouped('file').map((p) => p.branch)).toEqual(plans.map((p) => p.branch));
    expect(plans[1]?.title).toBe(`chore(deps): update python:3.12 to ${digest('a').slice(7, 19)}`);
  });

  it('makes one branch per image', () => {
    const plans = grouped('image');
    expect(plans.map((p) => [p.group, p.updates.length])).toEqual([
      ['docker.io/library/python', 2],
      ['ghcr.io/acme/base', 1],
    ]);
    expect(plans[0]?.branch).toMatch(/^freshbase\/image-python-[0-9a-f]{6}$/);
    expect(plans[1]?.branch).toMatch(/^freshbase\/image-ghcr-io-acme-base-[0-9a-f]{6}$/);
    expect(plans[1]?.title).toBe(
      `chore(deps): update ghcr.io/acme/base to 1.2.4 (${digest('b').slice(7, 19)})`,
    );
  });

  it('titles a group of pins', () => {
    const pins = [update('a/Dockerfile', 1, 'python:3.12'), update('b/Dockerfile', 1, 'node:20')];
    expect(grouped('repository', pins)[0]?.title).toBe('chore(deps): pin 2 base images');
    expect(grouped('repository', pins.slice(0, 1))[0]?.title).toBe(
      `chore(deps): pin python:3.12 to ${digest('a').slice(7, 19)}`,
    );
  });

  it('writes a commit message listing each change', () => {
    expect(grouped('repository')[0]?.commitMessage).toBe(
      [
        'chore(deps): update 2 base images',
        '',
        `- Dockerfile:1 python 3.12 -> 3.12@${'a'.repeat(12)}`,
        `- Dockerfile:7 ghcr.io/acme/base 1.2.1 -> 1.2.4@${'b'.repeat(12)}`,
        `- services/api/Dockerfile:3 python 3.12@${'0'.repeat(12)} -> 3.12@${'a'.repeat(12)}`,
        '',
      ].join('\n'),
    );
  });
});

describe('PR body', () => {
  const [plan] = grouped('repository');
  const body = plan?.body ?? '';

  it('explains why and shows each change with first-seen ages, platforms and source', () => {
    expect(body).toContain('Merging this pull request makes CI rebuild');
    expect(body).toContain(
      '| `python` | [`Dockerfile:1`](/acme/shop/blob/freshbase/all/Dockerfile#L1) | pin | `3.12` → `3.12 @ aaaaaaaaaaaa` |',
    );
    // When Freshbase first saw the new digest, not the image's `created` (2024-05-01 in the fixture).
    expect(body).toContain('| 2024-05-10 (1 day ago) |');
    expect(body).not.toContain('2024-05-01');
    expect(body).toContain('| `linux/amd64`, `linux/arm64/v8` |');
    expect(body).toContain(
      '[`docker-library/python@0123456789ab`](https://github.com/docker-library/python/commit/0123456789abcdef0123456789abcdef01234567)',
    );
    expect(body).toContain(`\`${digest('0')}\` → \`${digest('a')}\``);
    // The state store could not say (first-seen null).
    expect(body).toContain('| `1.2.1` → `1.2.4 @ bbbbbbbbbbbb` | unknown |');
  });

  it('carries metadata that reads back exactly', () => {
    expect(readMetadata(body)).toEqual(plan?.metadata);
    expect(plan?.metadata).toEqual({
      version: 1,
      group: 'repository',
      updates: [
        expect.objectContaining({ file: 'Dockerfile', kind: 'pin' }),
        expect.objectContaining({ file: 'Dockerfile', kind: 'patch', toTag: '1.2.4' }),
        expect.objectContaining({ file: 'services/api/Dockerfile', kind: 'digest', fromDigest: digest('0') }),
      ],
    });
  });

  it('is deterministic', () => {
    expect(grouped('repository')).toEqual(grouped('repository'));
  });

  it('keeps untrusted text from breaking the table or pinging people', () => {
    const hostile = update('we|ird`@team/Dockerfile', 2, 'python:3.12', {
      target: index('a', { source: 'javascript:alert(1)', revision: '@someone' }),
    });
    const text = grouped('repository', [hostile])[0]?.body ?? '';
    expect(text).not.toContain('javascript:');
    expect(text).not.toContain('@someone');
    expect(text).toContain('we\\|ird`@team/Dockerfile');
    expect(readMetadata(text)?.updates[0]?.file).toBe('we|ird`@team/Dockerfile');
  });
});

describe('body size', () => {
  it('stays under the limit with many updates, metadata intact, and says what it left out', () => {
    const many = Array.from({ length: 400 }, (_, i) =>
      update(`services/service-${String(i).padStart(3, '0')}/Dockerfile`, 1, `python:3.12@${digest('0')}`),
    );
    const [plan] = grouped('repository', many);
    const body = plan?.body ?? '';
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(body).toMatch(/… and \d+ more change\(s\) not listed here/);
    expect(readMetadata(body)?.updates).toHaveLength(400);
    expect(plan?.updates).toHaveLength(400);
  });

  it('defers updates whose metadata would not fit', () => {
    const distinct = Array.from({ length: 400 }, (_, i) =>
      update(`s${i}/Dockerfile`, 1, `python:3.12@${digest('0')}`, {
        to: { tag: '3.12', digest: digest(i.toString(16)) },
      }),
    );
    const [plan] = grouped('repository', distinct);
    const body = plan?.body ?? '';
    const kept = plan?.updates.length ?? 0;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(400);
    expect(body).toContain(`${400 - kept} more update(s) will be proposed`);
    expect(readMetadata(body)?.updates).toHaveLength(kept);
    expect(new TextEncoder().encode(body).length).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });
});

describe('readMetadata', () => {
  const metadata = {
    version: 1 as const,
    group: 'Dockerfile',
    updates: [
      {
        file: 'a/<!-- x -->/Dockerfile',
        imageName: 'docker.io/library/python',
        fromTag: '3.12',
        fromDigest: null,
        toTag: '3.12',
        toDigest: digest('a'),
        kind: 'pin' as const,
      },
    ],
  };

  it('round-trips through text, CRLF line endings included', () => {
    const block = renderMetadata(metadata);
    expect(block).not.toMatch(/-->.*-->/);
    expect(readMetadata(`Some text\r\n\r\n${block}\r\n`)).toEqual(metadata);
  });

  it.each([
    '',
    'no metadata here',
    '<!-- freshbase:metadata {not json} -->',
    '<!-- freshbase:metadata {"v":2,"group":"x","changes":[]} -->',
    '<!-- freshbase:metadata {"v":1,"group":"x","changes":[["a",null,null,null,null,"sideways",[]]]} -->',
    '<!-- freshbase:metadata {"v":1} -->',
  ])('returns null for %j', (body) => {
    expect(readMetadata(body)).toBeNull();
  });
});
