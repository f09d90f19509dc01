// Conditional requests through a real Probot Octokit against the fake GitHub, which answers them
// as GitHub does: an ETag on every 200 GET, 304 on a match, and 304s not counted.
import { ProbotOctokit } from 'probot';
import { createConditionalRequestCache } from '../../src/github/conditional-requests.js';
import { CompactMemoryCacheStore } from '../../src/registry/compact-memory-store.js';
import { FakeGitHub } from '../support/fake-github.js';

const silent = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const octokitWith = (token: string) =>
  new ProbotOctokit({
    auth: { token },
    retry: { enabled: false },
    throttle: { enabled: false },
    log: silent,
  });

let gh: FakeGitHub;
beforeEach(() => {
  gh = new FakeGitHub('freshbase[bot]').install();
  gh.createRepo('acme/app', { files: { Dockerfile: 'FROM python:3.12\n' } });
});
afterEach(() => gh.uninstall());

function setup(
  token = 'test',
  scope: { installationId: number; freshAfter?: number } = { installationId: 1 },
) {
  const cache = createConditionalRequestCache(new CompactMemoryCacheStore(1 << 20));
  const octokit = octokitWith(token);
  cache.attach(octokit, scope);
  return { cache, octokit };
}

test('an unchanged resource is answered 304, costs no rate limit, and comes back whole', async () => {
  const { octokit, cache } = setup();
  const first = await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  const counted = gh.http.rate.counted;
  const second = await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  expect(second.status).toBe(200);
  expect(second.data).toEqual(first.data);
  expect(gh.http.rate.counted).toBe(counted);
  expect(gh.http.rate.notModified).toBe(1);
  expect(cache.stats()).toMatchObject({ conditional: 1, notModified: 1 });

  gh.repo('acme/app').archived = true;
  const third = await octokit.rest.repos.get({ owner: 'acme', repo: 'app' });
  expect(third.data.archived).toBe(true);
  expect(gh.http.rate.counted).toBe(counted + 1);
});

test('a paginated list keeps its Link header through a 304', async () => {
  const { octokit } = setup();
  for (let i = 0; i < 3; i++) gh.addPull('acme/app', { head: `topic${i}` });
  const list = () => octokit.paginate(octokit.rest.pulls.list, { owner: 'acme', repo: 'app', per_page: 2 });
  expect(await list()).toHaveLength(3);
  const before = gh.http.rate.counted;
  expect(await list()).toHaveLength(3);
  expect(gh.http.rate.counted).toBe(before);
  expect(gh.http.rate.notModified).toBe(2);
});

test('objects addressed by sha are fetched once, ever', async () => {
  const { octokit } = setup();
  const head = gh.repo('acme/app').refs.get('heads/main')!;
  const tree = () =>
    octokit.rest.git.getTree({ owner: 'acme', repo: 'app', tree_sha: head, recursive: 'true' });
  const first = await tree();
  const requests = gh.http.log.length;
  expect((await tree()).data).toEqual(first.data);
  expect(gh.http.log.length).toBe(requests);
});

test('a missing file at a commit is remembered; the same path on a branch is asked again', async () => {
  const { octokit } = setup();
  const head = gh.repo('acme/app').refs.get('heads/main')!;
  const read = (ref?: string) =>
    octokit.rest.repos.getContent({ owner: 'acme', repo: 'app', path: '.github/freshbase.yml', ref });
  await expect(read(head)).rejects.toMatchObject({ status: 404 });
  const requests = gh.http.log.length;
  await expect(read(head)).rejects.toMatchObject({ status: 404 });
  expect(gh.http.log.length).toBe(requests);

  await expect(read()).rejects.toMatchObject({ status: 404 });
  await expect(read()).rejects.toMatchObject({ status: 404 });
  expect(gh.http.log.length).toBe(requests + 2); // no freshAfter: contents on a branch are asked for
});

test('within one sweep, file contents are read once; a later trigger reads them again', async () => {
  const cache = createConditionalRequestCache(new CompactMemoryCacheStore(1 << 20));
  const read = (octokit: ReturnType<typeof octokitWith>) =>
    octokit.rest.repos.getContent({
      owner: 'acme',
      repo: 'app',
      path: 'Dockerfile',
      mediaType: { format: 'raw' },
    });
  const sweepStart = Date.now() - 1000;
  const first = octokitWith('test');
  cache.attach(first, { installationId: 1, freshAfter: sweepStart });
  await read(first);
  const second = octokitWith('test');
  cache.attach(second, { installationId: 1, freshAfter: sweepStart });
  const requests = gh.http.log.length;
  await read(second);
  expect(gh.http.log.length).toBe(requests);

  const webhook = octokitWith('test');
  cache.attach(webhook, { installationId: 1, freshAfter: Date.now() + 1 });
  gh.pushAs('octocat', 'acme/app', 'main', { Dockerfile: 'FROM python:3.13\n' });
  const { data } = await read(webhook);
  expect(data).toBe('FROM python:3.13\n');
});

test('ETags are per token, as on GitHub; the sha media type is not', async () => {
  const cache = createConditionalRequestCache(new CompactMemoryCacheStore(1 << 20));
  const one = octokitWith('token-one');
  const two = octokitWith('token-two');
  cache.attach(one, { installationId: 1 });
  cache.attach(two, { installationId: 1 });
  await one.rest.repos.get({ owner: 'acme', repo: 'app' });
  const counted = gh.http.rate.counted;
  await two.rest.repos.get({ owner: 'acme', repo: 'app' });
  expect(gh.http.rate.counted).toBe(counted + 1); // a rotated token's first GET is a full one

  const head = (octokit: typeof one) =>
    octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      owner: 'acme',
      repo: 'app',
      ref: 'main',
      mediaType: { format: 'sha' },
    });
  const sha = (await one.rest.git.getRef({ owner: 'acme', repo: 'app', ref: 'heads/main' })).data.object.sha;
  expect((await head(one)).data).toBe(sha);
  const before = gh.http.rate.counted;
  expect((await head(two)).data).toBe(sha);
  expect(gh.http.rate.counted).toBe(before);
});

test('installations never share answers', async () => {
  const cache = createConditionalRequestCache(new CompactMemoryCacheStore(1 << 20));
  const head = gh.repo('acme/app').refs.get('heads/main')!;
  const one = octokitWith('test');
  const two = octokitWith('test');
  cache.attach(one, { installationId: 1 });
  cache.attach(two, { installationId: 2 });
  await one.rest.git.getTree({ owner: 'acme', repo: 'app', tree_sha: head });
  const requests = gh.http.log.length;
  await two.rest.git.getTree({ owner: 'acme', repo: 'app', tree_sha: head });
  expect(gh.http.log.length).toBe(requests + 1);
});

test('writes are never conditional or cached', async () => {
  const { octokit } = setup();
  await octokit.rest.issues.create({ owner: 'acme', repo: 'app', title: 'a' });
  await octokit.rest.issues.create({ owner: 'acme', repo: 'app', title: 'a' });
  expect(gh.repo('acme/app').issues).toHaveLength(2);
});
