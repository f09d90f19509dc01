import { ProbotOctokit } from 'probot';
import { FakeGitHub } from '../support/fake-github.js';
import { createConditionalRequestCache } from '../../src/github/conditional-requests.js';
import { MemoryCacheStore } from '../../src/registry/cache-store.js';
test('dbg', async () => {
  const gh = new FakeGitHub('freshbase[bot]').install();
  gh.createRepo('acme/app', { files: { Dockerfile: 'FROM python:3.12\n' } });
  const store = new MemoryCacheStore();
  const orig = store.set.bind(store);
  store.set = async (k, v, t) => {
    console.log('set', k, JSON.stringify(v).slice(0, 200));
    return orig(k, v, t);
  };
  const o = new ProbotOctokit({
    auth: { token: 't' },
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  createConditionalRequestCache(store).attach(o, { installationId: 1 });
  o.hook.wrap('request', async (request, options) => {
    console.log('inner?', (options as any).headers);
    return request(options);
  });
  await o.rest.repos.get({ owner: 'acme', repo: 'app' });
  await o.rest.repos.get({ owner: 'acme', repo: 'app' });
  console.log(gh.http.rate);
  gh.uninstall();
});
