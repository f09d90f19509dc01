// `freshbase extract <file>... [--json]`: the base images each Dockerfile uses, without network.

import { parseArgs } from 'node:util';
import { extractImages } from '../dockerfile/extract.js';
import { readDockerfileText, type DockerfileText } from '../dockerfile/source-text.js';
import { imageName } from '../image/reference.js';
import type { ExtractResult } from '../dockerfile/types.js';
import type { CliIo } from './io.js';
import { formatTable } from './table.js';
import { errorMessage } from '../errors.js';
import type { BoundedFile } from './regular-file.js';

export interface ExtractIo extends CliIo {
  /** A regular file's bytes, at most one past MAX_DOCKERFILE_BYTES (see readRegularFile). */
  readFile: (path: string) => Promise<BoundedFile>;
}

const USAGE = 'usage: freshbase extract <file>... [--json]\n';

/** Exit code: 0 done, 1 a file could not be read (the others are still reported), 2 usage error. */
export async function runExtract(args: string[], io: ExtractIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  } catch (error) {
    io.stderr(`freshbase extract: ${errorMessage(error)}\n${USAGE}`);
    return 2;
  }
  const json = parsed.values.json === true;
  const files = parsed.positionals;
  if (files.length === 0) {
    io.stderr(USAGE);
    return 2;
  }
  const results: ExtractResult[] = [];
  let exitCode = 0;
  for (const file of files) {
    let content: BoundedFile;
    try {
      content = await io.readFile(file);
    } catch (error) {
      io.stderr(`freshbase extract: cannot read ${file}: ${errorMessage(error)}\n`);
      exitCode = 1;
      continue;
    }
    const read = readDockerfileText(content.bytes, content.size);
    const result = read.ok ? extractImages(file, read.text) : unreadAs(file, read);
    // A file that is not Dockerfile text at all fails as `scan` fails on it; its entry says why.
    if (!read.ok || isWholeFileRefused(result)) exitCode = 1;
    results.push(result);
  }
  io.stdout(json ? `${JSON.stringify(results.map(toContract), null, 2)}\n` : results.map(toText).join('\n'));
  return exitCode;
}

function unreadAs(file: string, read: Extract<DockerfileText, { ok: false }>): ExtractResult {
  const reason = read.reason === 'too-large' ? 'too-large' : 'invalid';
  return { file, images: [], skipped: [{ line: 1, written: '', reason, detail: read.detail }] };
}

/** Only whole files are refused as too large or binary; a single reference is `invalid`. */
function isWholeFileRefused(result: ExtractResult): boolean {
  return result.skipped.some((skip) => skip.reason === 'too-large' || skip.reason === 'binary');
}

/** Exactly the keys of the `extract --json` contract (README.md), nothing internal. */
function toContract(result: ExtractResult) {
  return {
    file: result.file,
    images: result.images.map((use) => ({
      line: use.line,
      column: use.column,
      source: use.source,
      written: use.written,
      registry: use.registry,
      repository: use.repository,
      tag: use.tag,
      digest: use.digest,
      stage: use.stage,
      platform: use.platform,
    })),
    // The contract's reasons are stage|scratch|variable|invalid: a file too large or binary to read
    // as a Dockerfile is reported as invalid (the text output says which).
    // An invalid entry also says why (too large, binary, not UTF-8, a malformed reference), as the text does.
    skipped: result.skipped.map((skip) => {
      const reason = skip.reason === 'too-large' || skip.reason === 'binary' ? 'invalid' : skip.reason;
      const entry = { line: skip.line, written: skip.written, reason };
      return reason === 'invalid' && skip.detail ? { ...entry, detail: skip.detail } : entry;
    }),
  };
}

function toText(result: ExtractResult): string {
  const images = result.images.map((use) => [
    `${use.line}:${use.column}`,
    use.source,
    imageName(use),
    use.tag ?? '-',
    use.digest ?? '-',
    use.stage ?? '-',
    use.platform ?? '-',
  ]);
  const skipped = result.skipped.map(
    (skip) =>
      `  skipped line ${skip.line}: ${skip.written || '(file)'} — ${skip.reason}` +
      (skip.detail ? ` (${skip.detail})` : '') +
      '\n',
  );
  const table =
    images.length > 0
      ? formatTable(['AT', 'SOURCE', 'IMAGE', 'TAG', 'DIGEST', 'STAGE', 'PLATFORM'], images)
      : '(no images)\n';
  return `${result.file}\n${table}${skipped.join('')}`;
}
