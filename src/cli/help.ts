// The command's help texts: one overview, and one per command with its own options and an example.

export const HELP = `freshbase — keep container base images fresh

Usage:
  freshbase extract <file>... [--json]    list the base images each Dockerfile uses (no network)
  freshbase scan [dir] [--json] [--apply] look up updates for the Dockerfiles under dir
                                          (config: dir/.github/freshbase.yml) and, with
                                          --apply, write them into the files
  freshbase sweep                         with the app's environment (APP_ID, PRIVATE_KEY...),
                                          scan every repository of every installation once
  freshbase report [--json | --markdown]  with the app's environment, read every repository
                                          (never writing to GitHub) and print the inventory
                                          of base images: a table, JSON or Markdown
  freshbase <command> --help              that command's options and an example
  freshbase --help | --version

Environment:
  FRESHBASE_REGISTRIES  YAML file of registry host rules (mirrors, credentials, private hosts)

Exit codes: 0 done; 1 some images or files failed (the rest was still done);
            2 usage error or invalid config. For sweep: 1 when a repository's scan
            crashed or installations could not be listed (image lookup failures
            are reported in its summary, not in the exit code). For report: 1
            when some repositories could not be read (listed as failed).
`;

const EXTRACT = `Usage: freshbase extract <file>... [--json]

Lists the base images each Dockerfile uses: FROM, COPY --from, RUN --mount from= and the
# syntax= directive, with ARG defaults substituted. Reads only the files named; no network.

Options:
  --json      one JSON entry per file: {"file", "images": [...], "skipped": [...]}
  -h, --help  this help

A file that is not Dockerfile text (over 1 MiB, not UTF-8, NUL bytes) is reported as invalid,
with why. Exit codes: 0 done; 1 a file could not be read or is not Dockerfile text; 2 usage error.

Example:
  npx freshbase extract Dockerfile services/api/Dockerfile --json
`;

const SCAN = `Usage: freshbase scan [dir] [--json] [--apply]

Finds the Dockerfiles under dir (a checkout; default: the current directory) with the config
dir/.github/freshbase.yml, looks their base images up in the registries and prints the updates
Freshbase would propose. To list the images of a single file, use freshbase extract <file>.

Options:
  --json      {"updates", "held", "skipped", "errors"} instead of a table
  --apply     also write the updates into the files
  -h, --help  this help

Environment:
  FRESHBASE_REGISTRIES  YAML file of registry host rules (mirrors, credentials, private hosts)

Exit codes: 0 done; 1 some images or files failed (every other update is still planned or
written); 2 usage error or invalid config.

Example:
  npx freshbase scan ~/src/my-service
  npx freshbase scan ~/src/my-service --apply && git -C ~/src/my-service diff
`;

const SWEEP = `Usage: freshbase sweep

With the app's environment, scans every repository of every installation once (opening and
updating pull requests as the app does), prints a summary and exits: for an external cron.
With REDIS_URL the scans are jobs on the queue the app's replicas share: the replicas run
them and the sweep waits for their results. Takes no arguments.

Environment:
  APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH   the GitHub App's credentials (required)
  GHE_HOST                                  GitHub Enterprise Server host
  FRESHBASE_REGISTRIES                      registry host rules
  FRESHBASE_DRY_RUN=true                    plan and log, write nothing to GitHub (always
                                            scans in this process, even with REDIS_URL)
  REDIS_URL                                 the replicas' Redis: sweep on their queue
  FRESHBASE_SWEEP_TIMEOUT=60                with REDIS_URL: give up after this many seconds
                                            without a result while no job runs

Exit codes: 0 every repository was scanned (image lookup failures are in the summary);
            1 a repository's scan crashed, installations could not be listed, or (with
              REDIS_URL) some repositories got no result in time;
            2 usage error, incomplete environment or an invalid variable.

Example:
  APP_ID=12345 PRIVATE_KEY_PATH=./freshbase.private-key.pem npx freshbase sweep
`;

/** Help for one command; the overview for a command without its own. */
export function commandHelp(command: string): string {
  return { extract: EXTRACT, scan: SCAN, sweep: SWEEP }[command] ?? HELP;
}
