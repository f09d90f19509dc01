// Webhook handlers: each trigger enqueues the right scans and returns at once (no scan inside a
// delivery). The queue is a recorder, so nothing here could reconcile a repository.
import { jest } from '@jest/globals';
import nock from 'nock';
import type { Probot } from 'probot';
import { freshbaseApp } from '../../src/app/app.js';
import { DASHBOARD_MARKER } from '../../src/dashboard/body.js';
import { createTestProbot, examplePayload, RecordingQueue } from './helpers.js';

const identity = async () => ({ slug: 'freshbase', botLogin: 'freshbase[bot]' });

let probot: Probot;
let queue: RecordingQueue;

beforeEach(async () => {
  nock.disableNetConnect();
  queue = new RecordingQueue();
  probot = createTestProbot();
  await probot.load((app) => freshbaseApp(app, { addHandler: () => undefined, queue, identity }));
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

function receive(name: string, payload: unknown) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return probot.receive({ id: '1', name, payload } as any);
}

/** Neither a repository nor an installation was enqueued: the queue's two ways in. */
function expectNothingEnqueued() {
  expect(queue.jobs).toEqual([]);
  expect(queue.installations).toEqual([]);
}

describe('installation events', () => {
  test('installation.created enqueues the repositories listed in the payload', async () => {
    await receive('installation', examplePayload('installation', 'created'));
    expect(queue.jobs).toEqual([
      {
        installationId: 957387,
        owner: 'Codertocat',
        repo: 'Hello-World',
        reason: 'installation',
        requestedAt: expect.any(Number),
      },
    ]);
  });

  test('installation.created without a repository list enqueues a listing job, listing nothing itself', async () => {
    const payload = examplePayload('installation', 'created');
    delete payload.repositories;
    await receive('installation', payload); // nock has no GitHub route: any call would fail here
    expect(queue.jobs).toEqual([]);
    expect(queue.installations).toEqual([
      { installationId: 957387, reason: 'installation', requestedAt: expect.any(Number) },
    ]);
  });

  test('installation_repositories.added enqueues the added repositories', async () => {
    await receive('installation_repositories', examplePayload('installation_repositories', 'added'));
    expect(queue.jobs).toEqual([
      {
        installationId: 957387,
        owner: 'Codertocat',
        repo: 'Space',
        reason: 'installation_repositories',
        requestedAt: expect.any(Number),
      },
    ]);
  });

  test('installation_repositories.removed enqueues nothing', async () => {
    await receive('installation_repositories', examplePayload('installation_repositories', 'removed'));
    expectNothingEnqueued();
  });
});

describe('push', () => {
  // The example pushes README.md to refs/heads/master, the default branch.
  const push = (files: { added?: string[]; modified?: string[]; removed?: string[] }) => {
    const payload = examplePayload('push', undefined, 4);
    Object.assign(payload.commits[0], { added: [], modified: [], removed: [], ...files });
    return payload;
  };

  test.each([
    ['a Dockerfile', { modified: ['services/api/Dockerfile'] }],
    ['a suffixed Dockerfile', { added: ['Dockerfile.prod'] }],
    ['a *.dockerfile', { removed: ['build/web.dockerfile'] }],
    ['a Containerfile', { modified: ['Containerfile'] }],
    ['the config', { modified: ['.github/freshbase.yml'] }],
  ])('to the default branch touching %s enqueues the repository', async (_what, files) => {
    await receive('push', push(files));
    expect(queue.jobs).toEqual([
      {
        installationId: 1,
        owner: 'Codertocat',
        repo: 'Hello-World',
        reason: 'push',
        requestedAt: expect.any(Number),
      },
    ]);
  });

  test('touching no scanned file enqueues nothing', async () => {
    await receive('push', examplePayload('push', undefined, 4)); // README.md only
    expectNothingEnqueued();
  });

  test('to another branch or a tag enqueues nothing', async () => {
    const branch = push({ modified: ['Dockerfile'] });
    branch.ref = 'refs/heads/feature';
    await receive('push', branch);
    await receive('push', examplePayload('push', undefined, 3)); // refs/tags/simple-tag
    expectNothingEnqueued();
  });

  test('without a commit list (force-push) or with a possibly cut one, enqueues anyway', async () => {
    const forced = examplePayload('push', undefined, 4);
    forced.commits = [];
    forced.forced = true;
    await receive('push', forced);
    const many = examplePayload('push', undefined, 4);
    many.commits = Array.from({ length: 20 }, () => ({ ...many.commits[0] }));
    await receive('push', many);
    expect(queue.jobs).toHaveLength(2);
  });

  test('to the org .github config rescans the whole installation', async () => {
    const payload = push({ modified: ['.github/freshbase.yml'] });
    payload.repository.name = '.github';
    payload.repository.full_name = 'Codertocat/.github';
    await receive('push', payload);
    expect(queue.jobs).toEqual([]);
    expect(queue.installations).toEqual([
      { installationId: 1, reason: 'org config', requestedAt: expect.any(Number) },
    ]);
  });
});

describe('pull_request', () => {
  const botPull = (action: string) => {
    const payload = examplePayload('pull_request', action);
    payload.pull_request.head.ref = 'freshbase/python';
    payload.pull_request.user = { ...payload.pull_request.user, login: 'freshbase[bot]', type: 'Bot' };
    return payload;
  };

  test.each(['closed', 'reopened'])('%s on a Freshbase PR enqueues its repository', async (action) => {
    await receive('pull_request', botPull(action));
    expect(queue.jobs).toEqual([
      {
        installationId: 1,
        owner: 'Codertocat',
        repo: 'Hello-World',
        reason: `pull_request.${action}`,
        requestedAt: expect.any(Number),
      },
    ]);
  });

  test("someone else's PR enqueues nothing", async () => {
    await receive('pull_request', examplePayload('pull_request', 'closed')); // by Codertocat
    const otherBot = botPull('closed');
    otherBot.pull_request.user.login = 'dependabot[bot]';
    await receive('pull_request', otherBot);
    expectNothingEnqueued();
  });
});

describe('package events', () => {
  test('a published container image rescans the installation', async () => {
    const payload = examplePayload('package', 'published');
    payload.package.package_type = 'container';
    payload.installation = { id: 42, node_id: 'x' };
    await receive('package', payload);
    expect(queue.installations).toEqual([
      { installationId: 42, reason: 'package', requestedAt: expect.any(Number) },
    ]);
  });

  test('registry_package published for a container is handled the same way', async () => {
    const payload = examplePayload('package', 'published');
    const registryPayload = {
      action: 'published',
      registry_package: { ...payload.package, package_type: 'CONTAINER' },
      repository: payload.repository,
      sender: payload.sender,
      installation: { id: 43, node_id: 'x' },
    };
    await receive('registry_package', registryPayload);
    expect(queue.installations).toEqual([
      { installationId: 43, reason: 'registry_package', requestedAt: expect.any(Number) },
    ]);
  });

  test('a non-container package enqueues nothing', async () => {
    const payload = examplePayload('package', 'published'); // npm
    payload.installation = { id: 42, node_id: 'x' };
    await receive('package', payload);
    expectNothingEnqueued();
  });

  test('a queue that refuses the rescan fails the delivery and logs why, instead of an unhandled rejection', async () => {
    const failing = new RecordingQueue();
    failing.enqueueInstallation = async () => {
      throw new Error('queue unavailable');
    };
    const app = createTestProbot();
    await app.load((a) => freshbaseApp(a, { addHandler: () => undefined, queue: failing, identity }));
    const logged = jest.spyOn(app.log, 'error').mockImplementation(() => undefined);
    const payload = examplePayload('package', 'published');
    payload.package.package_type = 'container';
    payload.installation = { id: 42, node_id: 'x' };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await expect(app.receive({ id: '7', name: 'package', payload } as any)).rejects.toThrow(
      'queue unavailable',
    );
    expect(logged).toHaveBeenCalledWith(
      { err: { name: 'Error', message: 'queue unavailable' }, event: 'package', delivery: '7' },
      'webhook handler failed',
    );
  });
});

describe('dashboard issue edits', () => {
  function dashboardEdit(body: string, login = 'freshbase[bot]') {
    const payload = examplePayload('issues', 'edited');
    payload.issue.user = { ...payload.issue.user, login, type: 'Bot' };
    payload.issue.body = body;
    payload.installation = { id: 42 };
    return payload;
  }
  const ticked = `${DASHBOARD_MARKER}\n## Held updates\n\n- [x] Update now: x <!-- freshbase:update-now:0123456789abcdef -->\n`;

  test('a ticked box on the app dashboard enqueues a scan of that repository', async () => {
    await receive('issues', dashboardEdit(ticked));
    expect(queue.jobs).toEqual([
      expect.objectContaining({
        installationId: 42,
        owner: 'Codertocat',
        repo: 'Hello-World',
        reason: 'dashboard',
      }),
    ]);
  });

  test("the app's own rewrite (no box ticked) and anybody else's issue enqueue nothing", async () => {
    await receive('issues', dashboardEdit(ticked.replace('[x]', '[ ]')));
    await receive('issues', dashboardEdit(ticked, 'Codertocat'));
    await receive('issues', dashboardEdit(ticked.replace(DASHBOARD_MARKER, '')));
    expect(queue.jobs).toEqual([]);
  });
});
