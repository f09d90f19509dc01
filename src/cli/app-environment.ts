// What the commands that run with the app's environment (`sweep`, `report`) share: a Probot and
// a registry client built from env, and the list of every repository of every installation.
import { createProbot, type Probot } from 'probot';
import { createAppLog } from '../app/log.js';
import { listInstallationJobs, listInstallations } from '../app/installations.js';
import type { ScanJob } from '../app/queue.js';
import { isDryRun } from '../github/dry-run.js';
import { errorMessage } from '../errors.js';
import { createRegistryClient } from '../registry/client.js';
import { hostRulesFromEnv } from '../registry/host-rules.js';
import { openStateStore } from '../state/open.js';
import type { StateStore } from '../state/types.js';
import type { CliIo } from './io.js';

export interface AppEnvironment {
  app: Probot;
  registry: ReturnType<typeof createRegistryClient>;
  /** First-seen times: Redis with REDIS_URL, else the file under FRESHBASE_DATA_DIR. Close it. */
  state: StateStore;
  /** FRESHBASE_DRY_RUN=true: jobs plan and log, and write nothing to GitHub. */
  dryRun: boolean;
}

/** The app and registry client, or null (said on stderr) when the environment is incomplete. */
export async function connectApp(
  command: string,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  probot?: Probot,
): Promise<AppEnvironment | null> {
  const needs = `freshbase ${command}: needs APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH (and GHE_HOST for GitHub Enterprise)\n`;
  // Without an app id Probot's own message ("appId option is required") only adds noise.
  if (!probot && !env.APP_ID) {
    io.stderr(needs);
    return null;
  }
  try {
    // ready(): Probot sets up its logger and GitHub client asynchronously (and may fail there).
    const dryRun = isDryRun(env);
    const app = await (probot ?? createProbot({ env, overrides: { log: await createAppLog(env) } })).ready();
    const state = await openStateStore(env, { warn: (message) => app.log.warn(message) });
    return { app, registry: createRegistryClient({ rules: hostRulesFromEnv(env), env }), state, dryRun };
  } catch (error) {
    io.stderr(`freshbase ${command}: ${errorMessage(error)}\n`);
    io.stderr(needs);
    return null;
  }
}

export interface FleetListing {
  jobs: ScanJob[];
  installations: number;
  /** Installations whose repositories could not be listed (said on stderr). */
  incomplete: number;
}

/** One job per repository of every installation; null (said on stderr) when none can be listed. */
export async function listFleet(
  command: string,
  app: Probot,
  io: CliIo,
  requestedAt: number,
): Promise<FleetListing | null> {
  let installations;
  try {
    installations = await listInstallations(app);
  } catch (error) {
    io.stderr(`freshbase ${command}: cannot list installations: ${errorMessage(error)}\n`);
    return null;
  }
  const listing: FleetListing = { jobs: [], installations: installations.length, incomplete: 0 };
  for (const installation of installations) {
    try {
      listing.jobs.push(...(await listInstallationJobs(app, installation.id, command, requestedAt)));
    } catch (error) {
      listing.incomplete += 1;
      io.stderr(`freshbase ${command}: ${installation.account || installation.id}: ${errorMessage(error)}\n`);
    }
  }
  return listing;
}
