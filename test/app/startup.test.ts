// The running app refuses to start with a webhook secret that leaves it open: unset (Probot would
// then verify deliveries with its public default "development") or that default itself.
import { Probot } from 'probot';
import { startServices, webhookSecretProblem } from '../../src/app/runtime.js';
import { APP_ID, privateKey, TestOctokit } from './helpers.js';

const app = () => new Probot({ appId: APP_ID, privateKey, Octokit: TestOctokit, logLevel: 'fatal' }).ready();
const base = { APP_ID: String(APP_ID), PRIVATE_KEY: privateKey, FRESHBASE_SCAN_CRON: 'off' };

test.each([
  ['unset', {}, /^WEBHOOK_SECRET is not set: anyone could send this app deliveries/],
  ['empty', { WEBHOOK_SECRET: '' }, /^WEBHOOK_SECRET is not set/],
  ['the public default', { WEBHOOK_SECRET: 'development' }, /^WEBHOOK_SECRET is Probot's public default/],
])('WEBHOOK_SECRET %s: the services do not start, and the error says why', async (_what, env, message) => {
  await expect(startServices(await app(), { ...base, ...env })).rejects.toThrow(message);
});

test('with a secret of its own the app starts', async () => {
  expect(webhookSecretProblem({ WEBHOOK_SECRET: 's3cr3t-of-this-app' })).toBeNull();
  const services = await startServices(await app(), { ...base, WEBHOOK_SECRET: 's3cr3t-of-this-app' });
  await services.close();
});
