// The PR body with its "What changed" section, as a reviewer reads it (snapshot), and its caps.
import { compareImages } from '../../src/attestations/diff.js';
import type { ChangeReport } from '../../src/attestations/types.js';
import { familiarName, imageName } from '../../src/image/reference.js';
import { groupPlans } from '../../src/plan/group.js';
import { MAX_PACKAGE_ROWS } from '../../src/plan/changes-section.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import { AMD64, ARM64, config, digest, index, use } from './fixtures.js';

const NOW = new Date('2024-05-11T12:00:00Z');
const pkgs = (text: string) =>
  text.split(' ').map((item) => {
    const [name = '', version = ''] = item.split('=');
    return { name, version };
  });

function update(line: number, written: string, changes: ChangeReport): PlannedUpdate {
  const imageUse = use(written, line);
  return {
    file: 'Dockerfile',
    line,
    image: familiarName(imageUse),
    imageName: imageName(imageUse),
    from: { tag: imageUse.tag, digest: imageUse.digest },
    to: { tag: imageUse.tag, digest: digest('a') },
    kind: 'digest',
    use: imageUse,
    target: index('a', { source: 'https://github.com/docker-library/python.git', revision: 'abc123' }),
    current: index('0', { created: '2024-04-01T12:00:00Z' }),
    platforms: [AMD64, ARM64],
    firstSeen: new Date('2024-05-09T08:00:00Z'),
    changes,
  };
}

const python: ChangeReport = {
  status: 'compared',
  changes: compareImages([
    {
      platform: 'linux/amd64',
      before: { packages: pkgs('openssl=3.0.11-1 libc6=2.36-9 tzdata=2024a-0'), revision: 'r1' },
      after: { packages: pkgs('openssl=3.0.13-1 libc6=2.36-9 tzdata=2024a-0 curl=7.88.1'), revision: 'r1' },
    },
    {
      platform: 'linux/arm64/v8',
      before: { packages: pkgs('openssl=3.0.11-1 libc6=2.36-9 tzdata=2024a-0'), revision: 'r1' },
      after: { packages: pkgs('openssl=3.0.13-1 libc6=2.36-9+deb12u1'), revision: 'r1' },
    },
  ])!,
};

const updates = [
  update(1, `python:3.12@${digest('0')}`, python),
  update(5, `node:20@${digest('0')}`, {
    status: 'no-sbom',
    reason: 'the new image publishes no attestations',
  }),
  update(9, `redis:7@${digest('0')}`, { status: 'unreadable', error: 'blob exceeds 41943040 bytes' }),
];

describe('the PR body explains what changed', () => {
  it('matches the snapshot', () => {
    const [plan] = groupPlans(updates, config(), 'acme/shop', NOW);
    expect(plan!.body).toMatchSnapshot();
  });

  it('caps the package rows of one update with a note', () => {
    const many = pkgs(Array.from({ length: 80 }, (_, i) => `lib${String(i).padStart(2, '0')}=1`).join(' '));
    const bumped = many.map((p) => ({ ...p, version: '2' }));
    const changes = compareImages([
      {
        platform: 'linux/amd64',
        before: { packages: many, revision: null },
        after: { packages: bumped, revision: null },
      },
    ])!;
    const [plan] = groupPlans(
      [update(1, `python:3.12@${digest('0')}`, { status: 'compared', changes })],
      config(),
      'acme/shop',
      NOW,
    );
    expect(plan!.body).toContain(`… and ${80 - MAX_PACKAGE_ROWS} more not listed.`);
    expect(plan!.body).toContain('Packages: 80 changed, 0 added, 0 removed; the provenance does not say');
    expect(plan!.body.match(/^\| `lib\d\d` \|/gm)).toHaveLength(MAX_PACKAGE_ROWS);
  });

  it('has no section when nothing was compared', () => {
    const { changes: _, ...plain } = updates[0]!;
    const [plan] = groupPlans([plain], config(), 'acme/shop', NOW);
    expect(plan!.body).not.toContain('What changed');
  });
});
