// Loading `.github/freshbase.yml`: YAML text (CLI) or an already-parsed object (Probot's
// context.config) → a complete RepoConfig or the list of problems. Never a partial config.
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';

import { problemsFromIssues, yamlErrorWords } from './problems.js';
import { repoConfigSchema } from './schema.js';
import type { ConfigProblem, ConfigResult } from './types.js';
import { utf8Length } from '../text-bytes.js';

/** The first line of a YAML library error, without its position (the line is reported apart). */
export function yamlErrorSummary(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

/** Where a repository keeps its Freshbase config. */
export const CONFIG_PATH = '.github/freshbase.yml';

/** The other extension. Never read, but reported: a config there was meant to apply. */
export const MISNAMED_CONFIG_PATH = '.github/freshbase.yaml';

export const MISNAMED_CONFIG_PROBLEM: ConfigProblem = {
  path: '',
  message: `${MISNAMED_CONFIG_PATH} is not read: Freshbase reads ${CONFIG_PATH}; rename the file`,
};

/** Larger than any sensible config; refusing it keeps a hostile file from costing much. */
export const MAX_CONFIG_BYTES = 256 * 1024;

export function validateConfig(value: unknown): ConfigResult {
  const parsed = repoConfigSchema.safeParse(value ?? {}, { reportInput: true });
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: problemsFromIssues(parsed.error.issues) };
}

/** 1-based line of the YAML node at `path` (the value, or its key when the value is absent). */
export function lineOf(doc: Document, lines: LineCounter, path: string): number | undefined {
  const keys = path === '' ? [] : path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function parseConfigYaml(text: string): ConfigResult {
  if (utf8Length(text) > MAX_CONFIG_BYTES) {
    return { ok: false, problems: [{ path: '', message: `config larger than ${MAX_CONFIG_BYTES} bytes` }] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((error): ConfigProblem => ({
        path: '',
        message: `YAML syntax error: ${yamlErrorWords(error)}`,
        line: error.linePos?.[0].line,
      })),
    };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch {
    // An alias bomb (or another document the YAML library refuses to build) is this file's problem.
    // The library's message may name an anchor from the text, so it is not repeated.
    return {
      ok: false,
      problems: [
        {
          path: '',
          message: 'YAML: the document cannot be built (too many aliases, or an alias to nothing)',
        },
      ],
    };
  }
  const result = validateConfig(value);
  if (result.ok) return result;
  return { ok: false, problems: result.problems.map((p) => ({ ...p, line: lineOf(doc, lines, p.path) })) };
}
