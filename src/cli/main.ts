// The `freshbase` command: dispatches to extract, scan, sweep and report.
import { readFile } from 'node:fs/promises';
import { MAX_DOCKERFILE_BYTES } from '../dockerfile/source-text.js';
import { runExtract } from './extract.js';
import { readRegularFile } from './regular-file.js';
import { commandHelp, HELP } from './help.js';
import { processIo, type CliIo } from './io.js';
import { runScan } from './scan.js';

const COMMANDS = new Set(['extract', 'scan', 'sweep', 'report']);

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && COMMANDS.has(command) && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout(commandHelp(command));
    return 0;
  }
  switch (command) {
    case 'extract':
      // A file named here is the user's choice, so a link is followed; it must still be a regular file.
      return runExtract(rest, {
        ...io,
        readFile: (path) => readRegularFile(path, { maxBytes: MAX_DOCKERFILE_BYTES }),
      });
    case 'scan':
      return runScan(rest, io, process.env);
    case 'sweep': {
      // A sweep opens and updates pull requests: never start one on a mistyped flag.
      if (rest.length > 0) {
        io.stderr(`freshbase sweep: takes no arguments, got ${rest.join(' ')}\n`);
        return 2;
      }
      // Loaded on demand: Probot is heavy and the other commands do not need it.
      const { runSweep } = await import('./sweep.js');
      return runSweep(process.env);
    }
    case 'report': {
      const { runReport } = await import('./report.js');
      return runReport(rest, io, process.env);
    }
    case '--version':
    case '-v': {
      const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
        version: string;
      };
      io.stdout(`${pkg.version}\n`);
      return 0;
    }
    case undefined:
      io.stderr(HELP);
      return 2;
    case '--help':
    case '-h':
    case 'help':
      io.stdout(HELP);
      return 0;
    default:
      io.stderr(`freshbase: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}
