// `npm start`: Probot's own runner. Without APP_ID/PRIVATE_KEY it serves the setup flow that
// registers the app from app.yml; with them it serves webhooks and starts the queue and schedule.
import { run } from 'probot';
import { freshbaseApp } from './app.js';
import { serviceOctokit } from './github-client.js';
import { createMetrics } from './metrics.js';
import { startServices, type Services } from './runtime.js';
import { errorMessage } from '../errors.js';

/** Running scans get this long to finish on shutdown; the reconcile is safe to interrupt. */
const SHUTDOWN_GRACE_MS = 25_000;

async function start(): Promise<void> {
  let services: Services | undefined;
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const listenersBefore = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));

  const metrics = createMetrics();
  const Octokit = serviceOctokit({ metrics });
  const server = await run(
    async (app, options) => {
      services = await startServices(app, process.env, { metrics });
      const { queue, identity } = services;
      freshbaseApp(app, { addHandler: options.addHandler, queue, identity, metrics });
    },
    { Octokit },
  );

  // Probot's SIGINT handler exits as soon as the HTTP server stops; ours also drains the queue.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.get(signal)?.has(listener)) process.off(signal, listener);
    }
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.info(`${signal}: stopping Freshbase…`);
    const timer = setTimeout(() => {
      console.error('shutdown grace period over: exiting with scans still running');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    try {
      await server.stop();
      await services?.close();
      clearTimeout(timer);
      process.exit(0);
    } catch (error) {
      console.error(`error while stopping: ${errorMessage(error)}`);
      process.exit(1);
    }
  };
  for (const signal of signals) process.on(signal, () => void stop(signal));
}

start().catch((error: unknown) => {
  console.error(`freshbase: ${errorMessage(error)}`);
  process.exit(1);
});
