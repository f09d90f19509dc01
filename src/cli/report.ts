// `freshbase report`: the fleet inventory, computed by a read-only sweep of every repository of
// every installation (the app's environment), printed as a table, JSON or Markdown. It never
// writes to GitHub: no check run, issue, branch or PR.
//
// Exit code: 0 when every repository was read; 1 when some could not be (they are listed as
// failed); 2 for a usage error or an incomplete environment.
import pLimit from 'p-limit';
import { createProbot, type Probot } from 'probot';
import { createAppIdentity, listInstallationJobs, listInstallations } from '../app/installations.js';
import { describeError } from '../github/request-error.js';
import type { GitHubClient } from '../github/types.js';
import { unscannedRepository } from '../inventory/classify.js';
import { readRepositoryInventory } from '../inventory/read-repository.js';
import { reportJson, reportMarkdown, reportTable } from '../inventory/render.js';
import type { Inventory, RepositoryInventory } from '../inventory/types.js';
import { createRegistryClient } from '../registry/client.js';
import { hostRulesFromEnv } from '../registry/host-rules.js';
import type { RegistryLookup } from '../registry/types.js';
import type { CliIo } from './main.js';

export interface ReportOverrides {
  /** A ready Probot (tests); by default one is built from env like Probot's own `run`. */
  probot?: Probot;
  registry?: RegistryLookup;
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
  let app: Probot;
  let registry: RegistryLookup;
  try {
    app = await (overrides.probot ?? createProbot({ env })).ready();
    registry = overrides.registry ?? createRegistryClient({ rules: hostRulesFromEnv(env) });
  } catch (error) {
    io.stderr(`freshbase report: ${(error as Error).message}\n`);
    io.stderr(
      'freshbase report: needs APP_ID and PRIVATE_KEY or PRIVATE_KEY_PATH (and GHE_HOST for GitHub Enterprise)\n',
    );
    return 2;
  }
  const log = app.log.child({ name: 'report' });
  const now = overrides.now ?? (() => new Date());
  const started = now();
  const identity = createAppIdentity(app);
  let failed = 0;

  let installations;
  try {
    installations = await listInstallations(app);
  } catch (error) {
    io.stderr(`freshbase report: cannot list installations: ${describeError(error).message}\n`);
    return 1;
  }
  const reads: Array<() => Promise<RepositoryInventory>> = [];
  for (const installation of installations) {
    let jobs;
    try {
      jobs = await listInstallationJobs(app, installation.id, 'report', started.getTime());
    } catch (error) {
      failed++;
      io.stderr(
        `freshbase report: ${installation.account || installation.id}: ${describeError(error).message}\n`,
      );
      continue;
    }
    for (const job of jobs) {
      reads.push(async () => {
        try {
          return await readRepositoryInventory({
            octokit: (await app.auth(job.installationId)) as GitHubClient,
            owner: job.owner,
            repo: job.repo,
            log,
            registry,
            now: now(),
            identity: await identity(),
            freshAfter: started,
          });
        } catch (error) {
          failed++;
          const message = describeError(error).message;
          io.stderr(`freshbase report: ${job.owner}/${job.repo}: ${message}\n`);
          return unscannedRepository(`${job.owner}/${job.repo}`, 'failed', message);
        }
      });
    }
  }
  const limit = pLimit(CONCURRENCY);
  const repositories = await Promise.all(reads.map((read) => limit(read)));
  repositories.sort((a, b) => (a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : 0));
  const inventory: Inventory = { generatedAt: started.toISOString(), repositories };
  if (format === 'json') io.stdout(`${JSON.stringify(reportJson(inventory), null, 2)}\n`);
  else if (format === 'markdown') io.stdout(reportMarkdown(inventory));
  else io.stdout(reportTable(inventory));
  return failed > 0 ? 1 : 0;
}
