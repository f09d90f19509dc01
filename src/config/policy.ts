// What the config says about one image or one path: rules, ignores and file selection.
import picomatch from 'picomatch';

import { normaliseName } from '../image/reference.js';
import { parseDuration } from './duration.js';
import { DEFAULT_FILES } from './schema.js';
import type { ImagePolicy, RepoConfig } from './types.js';

type Matcher = (value: string) => boolean;

/**
 * The pattern as a glob on normalised names. Without a registry host it means Docker Hub:
 * `node` → `docker.io/library/node`, `bitnami/*` → `docker.io/bitnami/*`; `**` means every image.
 */
export function normaliseImagePattern(pattern: string): string {
  return pattern === '**' ? pattern : normaliseName(pattern);
}

function imageMatcher(patterns: string[]): Matcher {
  if (patterns.length === 0) return () => false;
  return picomatch(patterns.map(normaliseImagePattern));
}

interface CompiledConfig {
  ignoredImage: Matcher;
  rules: Array<{ matches: Matcher; rule: RepoConfig['rules'][number] }>;
  selectedPath: Matcher;
  ignoredPath: Matcher;
}

/**
 * Files that sit beside a Dockerfile and share its name but are something else: `Dockerfile.md`,
 * `Dockerfile.dockerignore`, `Dockerfile.txt`, templates, scripts, patches and editor leftovers.
 * The default `**\/Dockerfile.*` glob would select them; a repository that sets `files` gets
 * exactly what its globs select.
 */
const NEIGHBOUR_EXTENSION =
  /\.(dockerignore|md|markdown|rst|adoc|asciidoc|txt|text|log|html?|pdf|png|svg|json|ya?ml|toml|xml|csv|ini|sh|bash|ps1|bat|cmd|py|js|ts|go|rb|diff|patch|orig|rej|bak|swp|tmp|lock|sum|sig|asc|sha256|template|tmpl|tpl|j2|jinja2?|erb|mustache|hbs)$/i;

const isDockerfileNeighbour = (path: string): boolean =>
  NEIGHBOUR_EXTENSION.test(path.slice(path.lastIndexOf('/') + 1));

const isDefaultFiles = (files: readonly string[]): boolean =>
  files.length === DEFAULT_FILES.length && files.every((glob, i) => glob === DEFAULT_FILES[i]);

// Compiled once per config object: a scan asks about every image and path of the repository.
const compiled = new WeakMap<RepoConfig, CompiledConfig>();

function compile(config: RepoConfig): CompiledConfig {
  let result = compiled.get(config);
  if (!result) {
    const pathGlob = (globs: string[]): Matcher =>
      globs.length === 0 ? () => false : picomatch(globs, { dot: true });
    result = {
      ignoredImage: imageMatcher(config.ignoreImages),
      rules: config.rules.map((rule) => ({ matches: imageMatcher(rule.images), rule })),
      selectedPath: isDefaultFiles(config.files)
        ? (
            (glob) => (path: string) =>
              glob(path) && !isDockerfileNeighbour(path)
          )(pathGlob(config.files))
        : pathGlob(config.files),
      ignoredPath: pathGlob(config.ignorePaths),
    };
    compiled.set(config, result);
  }
  return result;
}

/** `imageName` is normalised: `docker.io/library/node`, `ghcr.io/acme/app`. */
export function isImageIgnored(config: RepoConfig, imageName: string): boolean {
  return compile(config).ignoredImage(imageName);
}

/** The schema accepted it, so it parses; absent means no soak time. */
const releaseAge = (text: string | undefined): number =>
  text === undefined ? 0 : (parseDuration(text) ?? 0);

/** The effective policy: top-level settings, then each matching rule in order overriding them. */
export function policyFor(config: RepoConfig, imageName: string): ImagePolicy {
  const { rules } = compile(config);
  const policy: ImagePolicy = {
    enabled: true,
    pin: config.pin,
    updates: config.updates,
    platforms: config.platforms ?? null,
    minimumReleaseAgeMs: releaseAge(config.minimumReleaseAge),
    automerge: config.automerge,
  };
  for (const { matches, rule } of rules) {
    if (!matches(imageName)) continue;
    if (rule.enabled !== undefined) policy.enabled = rule.enabled;
    if (rule.pin !== undefined) policy.pin = rule.pin;
    if (rule.updates !== undefined) policy.updates = rule.updates;
    if (rule.platforms !== undefined) policy.platforms = rule.platforms;
    if (rule.minimumReleaseAge !== undefined) policy.minimumReleaseAgeMs = releaseAge(rule.minimumReleaseAge);
    if (rule.automerge !== undefined) policy.automerge = rule.automerge;
  }
  // Off for the whole repository or ignored outright: no rule turns it back on.
  if (!config.enabled || isImageIgnored(config, imageName)) policy.enabled = false;
  return policy;
}

/** Whether a repository path (`services/api/Dockerfile`) is one Freshbase scans. */
export function isPathSelected(config: RepoConfig, path: string): boolean {
  const { selectedPath, ignoredPath } = compile(config);
  const relative = path.replace(/^(?:\.\/|\/)+/, '');
  return selectedPath(relative) && !ignoredPath(relative);
}
