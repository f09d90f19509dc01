// The org dashboard body: the fleet table, the oldest digests in use, what was not scanned.
import { unscannedRepository } from '../../src/inventory/classify.js';
import { renderOrgDashboard, ORG_DASHBOARD_MARKER } from '../../src/dashboard/org-body.js';
import { config, digest, index } from '../plan/fixtures.js';
import { inventoryOf } from '../inventory/facts.js';

const PY = 'docker.io/library/python';
const NODE = 'docker.io/library/node';

test('fleet table, oldest digests behind first, repositories not scanned; no timestamp', () => {
  const registry = {
    manifests: {
      [`${PY}@${digest('1')}`]: index('1', { created: '2024-01-01T00:00:00Z' }),
      [`${PY}:3.12`]: index('2'),
      [`${NODE}@${digest('a')}`]: index('a', { created: '2023-05-01T00:00:00Z' }),
      [`${NODE}:20`]: index('a'),
    },
    tags: { [PY]: ['3.12'], [NODE]: ['20'] },
  };
  const inventory = {
    generatedAt: '2025-06-02T10:00:00.000Z',
    repositories: [
      inventoryOf(
        {
          files: { Dockerfile: `FROM python:3.12@${digest('1')}\nFROM node:20@${digest('a')}\n` },
          registry,
          config: config(),
        },
        'acme/api',
      ),
      unscannedRepository('acme/x', 'invalid-config', 'bad key'),
    ],
  };
  const body = renderOrgDashboard(inventory);
  expect(body.startsWith(ORG_DASHBOARD_MARKER)).toBe(true);
  expect(body).toContain('| `python` | `3.12` | 1 | 1 | 1 | `111111111111` (2024-01-01) |');
  expect(body).toContain(
    "## Oldest digests in use\n\nOf the digests behind their tag's newest release, by build date:\n\n- `python:3.12@111111111111` built 2024-01-01\n",
  );
  expect(body).toContain('## Not scanned\n\n- `acme/x`: invalid-config (`bad key`)');
  expect(body).not.toContain('2025-06-02');
});
