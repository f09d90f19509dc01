// `freshbase report`: the fleet inventory, computed by a read-only sweep of every repository of
// every installation (the app's environment), printed as a table, JSON or Markdown. It never
// writes to GitHub: no check run, issue, branch or PR.
//
// Exit code: 0 when every repository was read; 1 when some could not be (they are listed as
// failed); 2 for a usage error or an incomplete environment.
import pLimit from 'p-limit';
import type { Probot } from 'probot';
import { createAppIdentity } from '../app/installations.js';
import { errorMessage } from '../errors.js';
import type { GitHubClient } from '../github/types.js';
import { unscannedRepository } from '../inventory/classify.js';
import { readRepositoryInventory } from '../inventory/read-repository.js';
import { reportJson, reportMarkdown, reportTable } from '../inventory/render.js';
import type { Inventory, RepositoryInventory } from '../inventory/types.js';
import type { AccountRegistries } from '../registry/types.js';
import { connectApp, listFleet } from './app-environment.js';
import type { CliIo } from './io.js';

export interface ReportOverrides {
  /** A ready Probot (tests); by default one is built from env like Probot's own `run`. */
  probot?: Probot;
  registry?: AccountRegistries;
  now?: () => Date;
}

const CONCURRENCY = 4;
const FORMATS = { '--json': 'json', '--markdown': 'markdown' } as const;
type Format = 'table' | (typeof FORMATS)[keyof typeof FORMATS];

function parseFormat(args: string[]): Format | string {
  let format: Format = 'table';
  for (const arg of args) {
    if (!(arg in FORMATS)) return `unknown argument ${arg}`;
    if (format !== 'table') return '--json and --markdown exclude each other';
    format = FORMATS[arg as keyof typeof FORMATS];
  }
  return format;
}

export async function runReport(
  args: string[],
  io: CliIo,
  env: NodeJS.ProcessEnv,
  overrides: ReportOverrides = {},
): Promise<number> {
  const format = parseFormat(args);
  if (format !== 'table' && format !== 'json' && format !== 'markdown') {
    io.stderr(`freshbase report: ${format}\n`);
    return 2;
  }
  const connected = await connectApp('report', env, io, overrides.probot);
  if (!connected) return 2;
  const { app } = connected;
  const registry = overrides.registry ?? connected.registry;
  const log = app.log.child({ name: 'report' });
  const now = overrides.now ?? (() => new Date());
  const started = now();
  const identity = createAppIdentity(app);
  const listing = await listFleet('report', app, io, started.getTime());
  if (!listing) {
    await connected.state.close();
    return 1;
  }
  let failed = listing.incomplete;
  const limit = pLimit(CONCURRENCY);
  const repositories = await Promise.all(
    listing.jobs.map((job) =>
      limit(async (): Promise<RepositoryInventory> => {
        try {
          return await readRepositoryInventory({
            octokit: (await app.auth(job.installationId)) as GitHubClient,
            owner: job.owner,
            repo: job.repo,
            log,
            registry: registry.forAccount(job.owner),
            state: connected.state,
            now: now(),
            identity: await identity(),
            freshAfter: started,
          });
        } catch (error) {
          failed++;
          const message = errorMessage(error);
          io.stderr(`freshbase report: ${job.owner}/${job.repo}: ${message}\n`);
          return unscannedRepository(`${job.owner}/${job.repo}`, 'failed', message);
        }
      }),
    ),
  );
  await connected.state.close();
  repositories.sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0));
  const inventory: Inventory = { generatedAt: started.toISOString(), repositories };
  if (format === 'json') io.stdout(`${JSON.stringify(reportJson(inventory), null, 2)}\n`);
  else if (format === 'markdown') io.stdout(reportMarkdown(inventory));
  else io.stdout(reportTable(inventory));
  return failed > 0 ? 1 : 0;
}
