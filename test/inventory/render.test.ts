// The report's three outputs from one inventory: JSON (the documented shape, exactly), a table,
// and Markdown that is safe to paste whatever the repositories contain.
import { fleetImages } from '../../src/inventory/fleet.js';
import { reportJson, reportMarkdown, reportTable } from '../../src/inventory/render.js';
import type { Inventory } from '../../src/inventory/types.js';
import { unscannedRepository } from '../../src/inventory/classify.js';
import { config, digest, index } from '../plan/fixtures.js';
import { inventoryOf } from './facts.js';

const PY = 'docker.io/library/python';
const registry = {
  manifests: {
    [`${PY}@${digest('1')}`]: index('1', { created: '2024-01-01T00:00:00Z' }),
    [`${PY}@${digest('5')}`]: index('5', { created: '2023-03-01T00:00:00Z' }),
    [`${PY}:3.12.1`]: index('2'),
    [`${PY}:3.12.3`]: index('3'),
  },
  tags: { [PY]: ['3.12.1', '3.12.3'] },
  // Three days and two hours before the sweep (generatedAt).
  firstSeen: { [`${PY}:3.12.3@${digest('3')}`]: new Date('2025-05-30T08:00:00Z') },
};

function fleet(): Inventory {
  return {
    generatedAt: '2025-06-02T10:00:00.000Z',
    repositories: [
      inventoryOf(
        {
          files: { Dockerfile: `FROM python:3.12.1@${digest('1')}\nFROM ghcr.io/x/y:1\n` },
          registry,
          config: config(),
        },
        'acme/api',
      ),
      inventoryOf(
        {
          files: {
            'a|b/Dockerfile': `FROM python:3.12.1\n`,
            'c/Dockerfile': `FROM python:3.12.1@${digest('5')}\n`,
          },
          registry,
          config: config(),
        },
        'acme/web',
      ),
      unscannedRepository('acme/broken', 'invalid-config', 'updates: must be a list'),
    ],
  };
}

test('--json has exactly the documented shape', () => {
  expect(reportJson(fleet())).toEqual({
    generatedAt: '2025-06-02T10:00:00.000Z',
    repositories: [
      {
        repository: 'acme/api',
        files: [
          {
            path: 'Dockerfile',
            images: [
              {
                line: 1,
                image: 'python',
                tag: '3.12.1',
                digest: digest('1'),
                behind: 'patch',
                latest: { tag: '3.12.3', digest: digest('3'), firstSeen: '2025-05-30T08:00:00.000Z' },
                pullRequest: null,
                error: null,
              },
              {
                line: 2,
                image: 'ghcr.io/x/y',
                tag: '1',
                digest: null,
                behind: null,
                latest: null,
                pullRequest: null,
                error: 'ghcr.io/x/y:1 not found',
              },
            ],
          },
        ],
      },
      {
        repository: 'acme/web',
        files: [
          {
            path: 'a|b/Dockerfile',
            images: [
              {
                line: 1,
                image: 'python',
                tag: '3.12.1',
                digest: null,
                behind: 'patch',
                latest: { tag: '3.12.3', digest: digest('3'), firstSeen: '2025-05-30T08:00:00.000Z' },
                pullRequest: null,
                error: null,
              },
            ],
          },
          {
            path: 'c/Dockerfile',
            images: [expect.objectContaining({ digest: digest('5'), behind: 'patch' })],
          },
        ],
      },
      { repository: 'acme/broken', files: [] },
    ],
    images: [
      { image: 'python', tag: '3.12.1', repositories: 2, pinned: 1, behind: 2 },
      { image: 'ghcr.io/x/y', tag: '1', repositories: 1, pinned: 0, behind: 0 },
    ],
  });
});

test('the fleet view counts repositories and finds the oldest digest in use', () => {
  expect(fleetImages(fleet())[0]).toEqual({
    image: 'python',
    tag: '3.12.1',
    repositories: 2,
    pinned: 1,
    behind: 2,
    oldest: { digest: digest('5'), created: '2023-03-01T00:00:00Z' },
  });
});

test('the table lists every use with its state, then the fleet, then what was not scanned', () => {
  const table = reportTable(fleet());
  const lines = table.split('\n');
  expect(lines[0]).toMatch(/^REPOSITORY\s+FILE\s+IMAGE\s+BEHIND\s+LATEST\s+FIRST SEEN\s+FRESHBASE$/);
  expect(table).toMatch(
    /acme\/api\s+Dockerfile:1\s+python:3\.12\.1@111111111111\s+patch\s+3\.12\.3@333333333333\s+2025-05-30 \(3 days ago\)\s+PR on next scan/,
  );
  expect(table).toMatch(
    /acme\/api\s+Dockerfile:2\s+ghcr\.io\/x\/y:1\s+-\s+—\s+-\s+lookup failed: ghcr\.io\/x\/y:1 not found/,
  );
  expect(table).toMatch(/python\s+3\.12\.1\s+2\s+1\s+2\s+555555555555 \(2023-03-01\)/);
  expect(table).toContain('not scanned:\n  acme/broken: invalid-config (updates: must be a list)\n');
});

test('Markdown puts everything from repositories and registries in code spans, pipes escaped', () => {
  const md = reportMarkdown(fleet());
  expect(md).toContain('| `python` | `3.12.1` | 2 | 1 | 2 | `555555555555` (2023-03-01) |');
  expect(md).toContain('## `acme/web`');
  expect(md).toContain(
    '| `a\\|b/Dockerfile:1` | `python:3.12.1` | patch | `3.12.3@333333333333` | 2025-05-30 | PR on next scan |',
  );
  expect(md).toContain('## `acme/broken`\n\n_invalid-config: `updates: must be a list`_');
  const hostile = reportMarkdown({
    generatedAt: 'x',
    repositories: [unscannedRepository('acme/x', 'failed', '@team <img src=x> `rm`')],
  });
  expect(hostile).toContain('_failed: `` @team <img src=x> `rm` ``_');
});
