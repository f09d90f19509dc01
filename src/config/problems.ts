// Turns schema issues into problems a repository owner can act on: the key's path, what was
// expected and what was written.
import type { YAMLError } from 'yaml';
import type { z } from 'zod';

import { knownKeysAt } from './schema.js';
import type { ConfigProblem } from './types.js';

function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** `rules.0.pin: expected true or false, got a string (line 7)` — for issues and checks. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.path === '' ? 'config' : `\`${problem.path}\``;
  const line = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return `${where}: ${problem.message}${line}`;
}

const EXPECTED: Record<string, string> = {
  boolean: 'true or false',
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  array: 'a list',
  object: 'a mapping of keys to values',
};

/**
 * What kind of value was written — `a string`, `a number`, `a list` — never the value itself: a
 * config's text is echoed no further than the offending key and its line (the file may not be the
 * one its owner meant to show, and a value may be a secret).
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing (the key is required)';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean (true or false)';
  return Array.isArray(value) ? 'a list' : 'a mapping';
}

/** A YAML syntax error in words from its code (`block as implicit key`): the library's message quotes the line. */
export function yamlErrorWords(error: YAMLError): string {
  return error.code.toLowerCase().replaceAll('_', ' ');
}

/** Levenshtein distance, to suggest `ignoreImages` for `ignoreImage`. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** `unknown key "ignoreImage"; did you mean "ignoreImages"? (allowed here: …)`, for any mapping's keys. */
export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  const known = allowed.filter((name) => !name.startsWith('_'));
  const closest = known
    .map((name) => ({ name, score: distance(key.toLowerCase(), name.toLowerCase()) }))
    .sort((a, b) => a.score - b.score)[0];
  const hint = closest && closest.score <= 3 ? `; did you mean "${closest.name}"?` : '';
  return `unknown key "${key}"${hint} (allowed here: ${known.join(', ')})`;
}

function sizeMessage(origin: string, limit: number | bigint, atLeast: boolean): string {
  const bound = atLeast ? 'at least' : 'at most';
  if (origin === 'array') return `expected a list with ${bound} ${limit} item(s)`;
  if (origin === 'string')
    return atLeast && limit === 1 ? 'must not be empty' : `expected ${bound} ${limit} characters`;
  return `expected a number ${atLeast ? '>=' : '<='} ${limit}`;
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    switch (issue.code) {
      case 'unrecognized_keys':
        return issue.keys.map((key) => ({
          path: formatPath([...issue.path, key]),
          message: unknownKeyMessage(key, knownKeysAt(issue.path)),
        }));
      case 'invalid_type':
        return [
          {
            path: formatPath(issue.path),
            message: `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`,
          },
        ];
      case 'invalid_value':
        return [
          {
            path: formatPath(issue.path),
            message: `expected one of ${issue.values.map(String).join(', ')}; got ${describeValue(issue.input)}${typeof issue.input === 'string' ? ' that is none of them' : ''}`,
          },
        ];
      case 'too_small':
        return [{ path: formatPath(issue.path), message: sizeMessage(issue.origin, issue.minimum, true) }];
      case 'too_big':
        return [{ path: formatPath(issue.path), message: sizeMessage(issue.origin, issue.maximum, false) }];
      default:
        return [{ path: formatPath(issue.path), message: issue.message }];
    }
  });
}
