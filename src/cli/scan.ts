// `freshbase scan [dir] [--json] [--apply]`: the whole lookup and plan on a local checkout.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { summarizeChanges } from '../attestations/diff.js';
import { AttestationReader } from '../attestations/read.js';
import type { ChangeReport } from '../attestations/types.js';
import {
  CONFIG_PATH,
  MISNAMED_CONFIG_PATH,
  MISNAMED_CONFIG_PROBLEM,
  parseConfigYaml,
} from '../config/load.js';
import { shortDigest } from '../image/reference.js';
import { applyUpdates } from '../plan/apply.js';
import type { HeldUpdate, PlannedUpdate, RepositoryScan } from '../plan/types.js';
import { createRegistryClient } from '../registry/client.js';
import { hostRulesFromEnv } from '../registry/host-rules.js';
import { explainUpdates } from '../repository/changes.js';
import { scanRepository } from '../repository/scan.js';
import { openStateStore } from '../state/open.js';
import type { CliIo } from './io.js';
import { readConfigText, readSelectedFiles } from './local-files.js';
import { writeRegularFile } from './regular-file.js';
import { formatTable } from './table.js';
import { errorMessage } from '../errors.js';

const PROGRESS_AFTER_MS = 1000;

/** `3.12@sha256:1a2b3c4d5e6f`: the table keeps the algorithm before the short digest. */
function shortRef(tag: string | null, digest: string | null): string {
  const short = digest ? `@sha256:${shortDigest(digest)}` : '';
  return `${tag ?? ''}${short}` || '-';
}

/** `changes` as `scan --json` gives it: null when there is no SBOM to compare (or it was unreadable). */
function changesToJson(report: ChangeReport | undefined) {
  if (report?.status !== 'compared') return null;
  const { platforms, packages, sourceChanged } = report.changes;
  return { platforms, packages, sourceChanged };
}

function updateToJson(u: PlannedUpdate) {
  return {
    file: u.file,
    line: u.line,
    image: u.image,
    from: u.from,
    to: u.to,
    kind: u.kind,
    firstSeen: u.firstSeen?.toISOString() ?? null,
    changes: changesToJson(u.changes),
  };
}

/** `held` entries; one held for its soak time also says when its digest was first seen and is due. */
function heldToJson(h: HeldUpdate) {
  const soak = h.soak && { firstSeen: h.soak.firstSeen.toISOString(), due: h.soak.due.toISOString() };
  return { file: h.file, line: h.line, image: h.image, from: h.from, to: h.to, reason: h.reason, ...soak };
}

function changeLine(report: ChangeReport | undefined): string {
  if (report === undefined) return 'not compared';
  if (report.status === 'compared') return summarizeChanges(report.changes);
  if (report.status === 'no-sbom') return `no SBOM: ${report.reason}`;
  return `attestations unreadable: ${report.error}`;
}

/**
 * `2 file(s), 7 image reference(s): 4 looked up, 3 not (2 stage, 1 variable); 1 update(s)`: so a
 * file whose references were all set aside does not read as up to date.
 */
function summaryLine(fileCount: number, result: RepositoryScan): string {
  const images = result.extracted.reduce((n, e) => n + e.images.length, 0);
  const byReason = new Map<string, number>();
  for (const s of result.skipped) byReason.set(s.reason, (byReason.get(s.reason) ?? 0) + 1);
  const notImages = ['stage', 'scratch', 'variable'].reduce((n, r) => n + (byReason.get(r) ?? 0), 0);
  const lookedUp = images - (result.skipped.length - notImages);
  const reasons = [...byReason].map(([reason, n]) => `${n} ${reason}`).join(', ');
  const notLookedUp = result.skipped.length > 0 ? `, ${result.skipped.length} not (${reasons})` : '';
  return (
    `${fileCount} file(s), ${lookedUp + result.skipped.length} image reference(s): ${lookedUp} looked up` +
    `${notLookedUp}; ${result.updates.length} update(s)\n`
  );
}

/** Why `given` is not a checkout directory to scan, or null when it is one. */
async function checkoutProblem(given: string, root: string): Promise<string | null> {
  const hint =
    'scan takes a checkout directory; to list the images of one file, use freshbase extract <file>';
  try {
    const stats = await stat(root);
    if (stats.isDirectory()) return null;
    return `${given} is not a directory: ${hint}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `${given} does not exist: ${hint}`;
    return `cannot read ${given} (${code ?? errorMessage(error)}): ${hint}`;
  }
}

export async function runScan(args: string[], io: CliIo, env: NodeJS.ProcessEnv): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { json: { type: 'boolean' }, apply: { type: 'boolean' } },
    });
  } catch (err) {
    io.stderr(`freshbase scan: ${errorMessage(err)}\n`);
    return 2;
  }
  if (parsed.positionals.length > 1) {
    io.stderr('freshbase scan: takes at most one directory\n');
    return 2;
  }
  const root = path.resolve(parsed.positionals[0] ?? '.');
  const notADirectory = await checkoutProblem(parsed.positionals[0] ?? '.', root);
  if (notADirectory) {
    io.stderr(`freshbase scan: ${notADirectory}\n`);
    return 2;
  }
  let configFile: string | null;
  let misnamed: string | null;
  try {
    configFile = await readConfigText(root);
    misnamed = await readConfigText(root, MISNAMED_CONFIG_PATH);
  } catch (error) {
    io.stderr(`freshbase scan: ${errorMessage(error)}\n`);
    return 2;
  }
  const configText = configFile ?? '';
  if (misnamed !== null && configFile === null) {
    io.stderr(`freshbase scan: ${MISNAMED_CONFIG_PROBLEM.message}\n`);
    return 2;
  }
  if (misnamed !== null)
    io.stderr(`freshbase scan: ${MISNAMED_CONFIG_PATH} is not read; using ${CONFIG_PATH}\n`);
  const configResult = parseConfigYaml(configText);
  if (!configResult.ok) {
    io.stderr(`freshbase scan: ${CONFIG_PATH} is invalid:\n`);
    for (const p of configResult.problems) {
      const where = p.line ? `line ${p.line}: ` : '';
      io.stderr(`  ${where}${p.path || '(file)'}: ${p.message}\n`);
    }
    return 2;
  }
  const config = configResult.config;
  if (/^_extends\s*:/m.test(configText)) {
    // Only the app reads other repositories; say so rather than scan with a different policy silently.
    io.stderr(
      `freshbase scan: ${CONFIG_PATH} has _extends, which only the app resolves; using this file alone\n`,
    );
  }
  const rules = hostRulesFromEnv(env);
  const registry = createRegistryClient({ rules, env });
  const state = await openStateStore(env, { warn: (message) => io.stderr(`freshbase scan: ${message}\n`) });

  const { files, unreadable } = await readSelectedFiles(root, config);
  const started = Date.now();
  const showProgress = !parsed.values.json || Boolean(process.stderr.isTTY);
  const now = new Date();
  const repoFullName = path.basename(root);
  const scanned = await scanRepository({
    repoFullName,
    files,
    config,
    registry,
    state,
    now,
    onProgress: (done, total) => {
      if (showProgress && Date.now() - started > PROGRESS_AFTER_MS) {
        io.stderr(`looking up base images: ${done}/${total}\n`);
      }
    },
  });
  const attestations = new AttestationReader(registry);
  const result = await explainUpdates({ scan: scanned, attestations, config, repoFullName, now });
  const errors = [
    ...unreadable.map((f) => ({ file: f.path, line: 0, image: '', error: f.error })),
    ...result.errors,
  ];
  for (const extracted of result.extracted) {
    for (const s of extracted.skipped) {
      if (s.reason === 'invalid' || s.reason === 'too-large' || s.reason === 'binary') {
        errors.push({ file: extracted.file, line: s.line, image: s.written, error: s.detail ?? s.reason });
      }
    }
  }

  const written: string[] = [];
  if (parsed.values.apply && result.updates.length > 0) {
    for (const file of applyUpdates(files, result.updates)) {
      // Checked again: the checkout may have changed while the registries were asked.
      try {
        await writeRegularFile(path.join(root, file.path), file.content, root);
        written.push(file.path);
      } catch (err) {
        errors.push({ file: file.path, line: 0, image: '', error: errorMessage(err) });
      }
    }
  }

  if (parsed.values.json) {
    const output = {
      updates: result.updates.map(updateToJson),
      held: result.held.map(heldToJson),
      skipped: result.skipped,
      errors,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
  } else {
    io.stdout(summaryLine(files.length, result));
    if (result.updates.length > 0) {
      io.stdout(
        formatTable(
          ['FILE', 'LINE', 'IMAGE', 'FROM', 'TO', 'KIND'],
          result.updates.map((u) => [
            u.file,
            String(u.line),
            u.image,
            shortRef(u.from.tag, u.from.digest),
            shortRef(u.to.tag, u.to.digest),
            u.kind,
          ]),
        ),
      );
    }
    for (const u of result.updates)
      io.stdout(`changes: ${u.file}:${u.line} ${u.image}: ${changeLine(u.changes)}\n`);
    for (const h of result.held)
      io.stdout(`held: ${h.file}:${h.line} ${h.image} ${shortRef(h.to.tag, h.to.digest)}: ${h.reason}\n`);
    for (const s of result.skipped.filter((s) => s.reason !== 'stage' && s.reason !== 'scratch'))
      io.stdout(`not looked up: ${s.file}:${s.line} ${s.image}: ${s.reason}\n`);
    for (const e of errors)
      io.stdout(`error: ${e.file}${e.line ? `:${e.line}` : ''} ${e.image} ${e.error}\n`);
    if (written.length > 0) io.stdout(`wrote ${written.join(', ')}\n`);
    const { lookups, requests } = registry.stats();
    io.stdout(
      `registry: ${lookups.total} lookups, ${lookups.unique} unique, ${requests.total} HTTP requests\n`,
    );
  }
  registry.close();
  await state.close();
  return errors.length > 0 ? 1 : 0;
}
