// The dashboard body from a repository's inventory, and the requests read back from its boxes.
import { parseRequests, renderDashboard, useId, DASHBOARD_MARKER } from '../../src/dashboard/body.js';
import { config, digest, index } from '../plan/fixtures.js';
import { inventoryOf, type Situation } from '../inventory/facts.js';

const PY = 'docker.io/library/python';

function situation(overrides: Partial<Situation> = {}): Situation {
  return {
    files: { 'svc/Dockerfile': `FROM python:3.12.1@${digest('1')}\nFROM ghcr.io/x/y:1\nFROM \${BASE}\n` },
    registry: {
      manifests: {
        [`${PY}@${digest('1')}`]: index('1'),
        [`${PY}:3.12.1`]: index('2'),
        [`${PY}:3.12.3`]: index('3'),
      },
      tags: { [PY]: ['3.12.1', '3.12.3'] },
    },
    config: config(),
    inWindow: false,
    ...overrides,
  };
}

test('held updates and lookup errors get boxes; declined and untracked uses are listed', () => {
  const body = renderDashboard(inventoryOf(situation()));
  expect(body.startsWith(`${DASHBOARD_MARKER}\n`)).toBe(true);
  const heldId = useId('svc/Dockerfile', { line: 1, imageName: PY });
  const errorId = useId('svc/Dockerfile', { line: 2, imageName: 'ghcr.io/x/y' });
  expect(body).toContain(
    `- [ ] Update now: \`svc/Dockerfile:1\` \`python:3.12.1@111111111111\` → \`3.12.3@333333333333\` — held: outside the schedule window (opens 2025-06-07T00:00:00.000Z) <!-- freshbase:update-now:${heldId} -->`,
  );
  expect(body).toContain(
    `- [ ] Retry: \`svc/Dockerfile:2\` \`ghcr.io/x/y:1\`: \`ghcr.io/x/y:1 not found\` <!-- freshbase:retry:${errorId} -->`,
  );
  expect(body).toContain('## Open pull requests\n\n_None._');
  expect(body).toContain('## Declined updates\n\n_None._');
  expect(body).toMatch(/## Not tracked\n\n- `svc\/Dockerfile:3` `\$\{BASE\}`: built from a variable/);
  expect(body).toContain('## Base images\n\n| File | Image |');

  const declined = renderDashboard(inventoryOf(situation({ inWindow: true, declined: () => true })));
  expect(declined).toContain(
    '## Declined updates\n\n- `svc/Dockerfile:1` `python:3.12.1@111111111111` → `3.12.3@333333333333`: its pull request was closed without merge',
  );
  expect(declined).toContain('## Held updates\n\n_None._');
});

test('the same state renders the same body, byte for byte', () => {
  expect(renderDashboard(inventoryOf(situation()))).toBe(renderDashboard(inventoryOf(situation())));
});

test('ticked boxes are requests; unticked ones, lookalikes and foreign text are not', () => {
  const body = renderDashboard(inventoryOf(situation()));
  expect(parseRequests(body)).toEqual({ updateNow: new Set(), retry: new Set() });
  const ticked = body.replace('- [ ] Update now', '- [x] Update now').replace('- [ ] Retry', '- [X] Retry');
  const heldId = useId('svc/Dockerfile', { line: 1, imageName: PY });
  const errorId = useId('svc/Dockerfile', { line: 2, imageName: 'ghcr.io/x/y' });
  expect(parseRequests(ticked)).toEqual({ updateNow: new Set([heldId]), retry: new Set([errorId]) });
  expect(
    parseRequests(
      '- [x] <!-- freshbase:update-now:nothex -->\n[x] <!-- freshbase:retry:0123456789abcdef -->',
    ),
  ).toEqual({
    updateNow: new Set(),
    retry: new Set(),
  });
  expect(parseRequests(null)).toEqual({ updateNow: new Set(), retry: new Set() });
});

test('paths and errors from repositories and registries stay inside code spans', () => {
  const body = renderDashboard(
    inventoryOf(situation({ files: { 'a`@team <b>|x/Dockerfile': 'FROM ghcr.io/x/y:1\n' } })),
  );
  expect(body).toContain('- [ ] Retry: ``a`@team <b>|x/Dockerfile:1`` `ghcr.io/x/y:1`');
  expect(body).toContain('| ``a`@team <b>\\|x/Dockerfile:1`` |');
});

test('an update held for its soak time is listed with its due date, without a box (nothing to force)', () => {
  const base = situation();
  const soaking = situation({
    inWindow: true,
    config: config({ minimumReleaseAge: '3 days', updates: ['patch'] }),
    registry: {
      ...base.registry,
      firstSeen: { [`${PY}:3.12.3@${digest('3')}`]: new Date('2025-06-01T12:00:00Z') },
    },
  });
  const body = renderDashboard(inventoryOf(soaking));
  expect(body).toContain(
    '- `svc/Dockerfile:1` `python:3.12.1@111111111111` — held: 3.12.3@333333333333: minimumReleaseAge 3 days: ' +
      'first seen 2025-06-01 12:00 UTC, due 2025-06-04 12:00 UTC\n',
  );
  // The row of the base images table shows the date the newest digest was first seen.
  expect(body).toContain('| `3.12.3@333333333333` | 2025-06-01 |');
  expect(body).not.toContain('freshbase:update-now');
});
