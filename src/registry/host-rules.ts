// Operator registry host rules (FRESHBASE_REGISTRIES): where a registry's requests go (an origin, or a
// mirror's path prefix), with which credentials, for which installations, and whether it may live at a
// private address. Also the per-URL access policy for a registry's redirects and token realms: a rule
// applies to its own origin only.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, type Document, type YAMLError } from 'yaml';
import { z } from 'zod';
import { lineOf } from '../config/load.js';
import { unknownKeyMessage, yamlErrorWords } from '../config/problems.js';
import { isValidRepository, normaliseRegistry } from '../image/reference.js';
import type { CredentialSource } from './credentials/source.js';
import { errorMessage } from '../errors.js';

/** Credentials a rule takes from elsewhere than its own username and password. */
export const CREDENTIAL_KINDS = ['docker-config', 'aws-ecr', 'google', 'azure'] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export interface HostRule {
  /** Registry as normalised from a Dockerfile (`docker.io`, `registry.internal:5000`). */
  host: string;
  /**
   * Where requests go (mirror / pull-through cache); `http:` only where an operator says so. A path
   * is a repository prefix: `https://harbor.internal/hub` serves `python` as `hub/library/python`.
   */
  url?: string;
  username?: string;
  password?: string;
  credentials?: CredentialKind;
  /** GitHub account logins (lower case) whose repositories this rule serves; absent: every one. */
  installations?: string[];
  /** May resolve to loopback/private addresses. */
  allowPrivate?: boolean;
  /**
   * Requests in flight at once to the origin this rule's requests go to (its url, else the
   * registry); absent: FRESHBASE_REGISTRY_CONCURRENCY. Rules reaching one origin share the smallest.
   */
  concurrency?: number;
}

export interface Credentials {
  username: string;
  password: string;
}

/** Where and how one registry is reached. */
export interface RegistryEndpoint {
  registry: string;
  /** Whether an operator rule names this registry (errors then point at that rule). */
  hasRule: boolean;
  /** The origin requests go to. */
  baseUrl: URL;
  /** Repository prefix of a path-prefixed mirror (`hub`), or ''. */
  repositoryPrefix: string;
  allowPrivate: boolean;
  credentials: CredentialSource | null;
  /**
   * Tells apart answers read with one installation-scoped rule's credentials from everyone else's
   * (`@acme`), so caches never hand them to another installation; '' for rules that serve all.
   */
  credentialScope: string;
}

/** How a given URL may be contacted. */
export interface UrlAccess {
  allowPrivate: boolean;
  /** Whether the registry's own credentials may be sent there. */
  sendCredentials: boolean;
}

/** The repository prefix a rule url's path names; '' for a bare origin. */
function repositoryPrefixOf(url: URL): string {
  return url.pathname.replace(/^\/+|\/+$/g, '');
}

const baseUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      const prefix = repositoryPrefixOf(url);
      return (
        (url.protocol === 'https:' || url.protocol === 'http:') &&
        (prefix === '' || isValidRepository(prefix)) &&
        !url.search &&
        !url.hash &&
        !url.username &&
        !url.password
      );
    } catch {
      return false;
    }
  },
  {
    message:
      'must be an http(s) origin such as https://mirror.internal, optionally with a repository prefix ' +
      'path such as https://harbor.internal/dockerhub-proxy (no query or credentials)',
  },
);

/** Bound on requests in flight to one registry origin: more sockets than any registry thanks us for. */
export const MAX_CONCURRENT_PER_HOST = 256;
const CONCURRENCY_PROBLEM = `must be a whole number from 1 to ${MAX_CONCURRENT_PER_HOST}`;

/** A per-origin cap on requests in flight; the message never quotes the value given. */
const concurrencyCap = z
  .int({ error: CONCURRENCY_PROBLEM })
  .min(1, { error: CONCURRENCY_PROBLEM })
  .max(MAX_CONCURRENT_PER_HOST, { error: CONCURRENCY_PROBLEM });

/** A GitHub user or organisation login. */
const accountLogin = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, 'must be a GitHub account login such as acme')
  .transform((login) => login.toLowerCase());

const hostRuleSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9A-Fa-f:.]+\](:\d+)?$/, 'must be a registry host[:port]'),
    url: baseUrl.optional(),
    username: z.string().min(1).optional(),
    password: z.string().optional(),
    credentials: z.enum(CREDENTIAL_KINDS).optional(),
    installations: z.array(accountLogin).min(1).optional(),
    allowPrivate: z.boolean().optional(),
    concurrency: concurrencyCap.optional(),
  })
  .refine((rule) => (rule.username === undefined) === (rule.password === undefined), {
    message: 'username and password must be given together',
  })
  .refine((rule) => rule.username === undefined || rule.credentials === undefined, {
    message: 'give either username and password or credentials, not both',
  });

const hostRulesFileSchema = z.strictObject({ registries: z.array(hostRuleSchema).default([]) });

/** Replaces `${VAR}` in every string of the parsed YAML; a missing variable names the variable only. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
      const replacement = env[name];
      if (replacement === undefined) {
        throw new Error(`${path}: environment variable ${name} is not set`);
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolate(item, env, path ? `${path}.${key}` : key),
      ]),
    );
  }
  return value;
}

/**
 * `not valid YAML at line 4, column 15 (block as implicit key)`. The YAML library's own message quotes
 * the offending line, and in this file that line may hold a literal password: only its place is named.
 */
function syntaxProblem(error: YAMLError): string {
  const position = error.linePos?.[0];
  const where = position ? ` at line ${position.line}, column ${position.col}` : '';
  return `not valid YAML${where} (${yamlErrorWords(error)})`;
}

/** `registries.0.allowprivate (line 5): unknown key "allowprivate"; did you mean "allowPrivate"? …` */
function schemaProblem(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): string[] {
  const path = issue.path.map(String).join('.');
  const at = (key: string) => {
    const line = lineOf(doc, lines, key);
    return `${key || '(root)'}${line === undefined ? '' : ` (line ${line})`}`;
  };
  if (issue.code !== 'unrecognized_keys') return [`${at(path)}: ${issue.message}`];
  const allowed = Object.keys(issue.path.length === 0 ? hostRulesFileSchema.shape : hostRuleSchema.shape);
  return issue.keys.map((key) => `${at(path ? `${path}.${key}` : key)}: ${unknownKeyMessage(key, allowed)}`);
}

/**
 * Parses host rules YAML text; errors are prefixed with `source`, name the offending key and line, and
 * never quote the file (it may hold credentials).
 */
export function parseHostRules(text: string, env: NodeJS.ProcessEnv, source: string): HostRule[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map(syntaxProblem).join('; ')}`);
  let interpolated: unknown;
  try {
    interpolated = interpolate(doc.toJS({ maxAliasCount: 100 }) ?? {}, env, '');
  } catch (error) {
    throw new Error(`${source}: ${errorMessage(error)}`, { cause: error });
  }
  const parsed = hostRulesFileSchema.safeParse(interpolated);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => schemaProblem(issue, doc, lines));
    throw new Error(`${source}: invalid registry host rules: ${problems.join('; ')}`);
  }
  const rules = parsed.data.registries.map((rule) => ({ ...rule, host: normaliseRegistry(rule.host) }));
  // One rule per host for everyone, and at most one more per host and installation.
  const seen = new Set<string>();
  for (const rule of rules) {
    for (const account of rule.installations ?? ['']) {
      const key = `${rule.host} ${account}`;
      if (seen.has(key)) {
        const whom = account ? ` for installation ${account}` : '';
        throw new Error(`${source}: registry host ${rule.host} has more than one rule${whom}`);
      }
      seen.add(key);
    }
  }
  return rules;
}

export function loadHostRules(path: string, env: NodeJS.ProcessEnv = process.env): HostRule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`FRESHBASE_REGISTRIES: cannot read ${path}: ${(error as NodeJS.ErrnoException).code}`, {
      cause: error,
    });
  }
  return parseHostRules(text, env, `FRESHBASE_REGISTRIES (${path})`);
}

/** Rules named by `FRESHBASE_REGISTRIES`, or none when it is unset. */
export function hostRulesFromEnv(env: NodeJS.ProcessEnv = process.env): HostRule[] {
  const path = env.FRESHBASE_REGISTRIES;
  return path ? loadHostRules(path, env) : [];
}

/** Docker Hub's API lives on another host than its name. */
const API_HOSTS: Record<string, string> = { 'docker.io': 'registry-1.docker.io' };

/**
 * The rule for `registry` as seen from the repositories of GitHub account `account` (null: no
 * installation, as in the command line): a rule naming that account, else the rule for everyone.
 * A rule naming other accounts only is never used, so their credentials never read this account's
 * images.
 */
export function ruleFor(
  registry: string,
  rules: readonly HostRule[],
  account: string | null,
): HostRule | null {
  const name = normaliseRegistry(registry);
  const login = account?.toLowerCase() ?? null;
  const forHost = rules.filter((r) => r.host === name);
  return (
    (login !== null && forHost.find((r) => r.installations?.includes(login))) ||
    forHost.find((r) => r.installations === undefined) ||
    null
  );
}

/** Where `registry` is reached under `rule` (see ruleFor); `credentials` is its source, if any. */
export function endpointFor(
  registry: string,
  rule: HostRule | null,
  credentials: CredentialSource | null = null,
): RegistryEndpoint {
  const name = normaliseRegistry(registry);
  const url = new URL(rule?.url ?? `https://${API_HOSTS[name] ?? name}`);
  return {
    registry: name,
    hasRule: rule !== null,
    baseUrl: new URL(url.origin),
    repositoryPrefix: repositoryPrefixOf(url),
    allowPrivate: rule?.allowPrivate ?? false,
    credentials,
    credentialScope: rule?.installations ? `@${[...rule.installations].sort().join(',')}` : '',
  };
}

/**
 * Access for a URL reached from `endpoint` (itself, a redirect, a token realm). Only the endpoint's own
 * configured origin keeps its rule (http, private addresses, credentials). Every other origin is
 * treated as a registry without a rule (public https, no credentials), even when a rule names that
 * origin: the hop was chosen by the registry's answer, and a registry the operator did not trust must
 * not be able to point the app at the operator's private hosts.
 */
export function accessFor(url: URL, endpoint: RegistryEndpoint): UrlAccess | null {
  if (url.origin === endpoint.baseUrl.origin) {
    return { allowPrivate: endpoint.allowPrivate, sendCredentials: true };
  }
  return url.protocol === 'https:' ? { allowPrivate: false, sendCredentials: false } : null;
}
