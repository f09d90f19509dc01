// The repository config as GitHub serves it: read through Probot's config plugin, so `_extends`
// and the org `.github` repository work. Problems in the files come back as data (never a
// partial config); reporting them is config-status.ts's job.
import {
  CONFIG_PATH,
  MISNAMED_CONFIG_PATH,
  MISNAMED_CONFIG_PROBLEM,
  validateConfig,
  yamlErrorSummary,
} from '../config/load.js';
import type { ConfigProblem, ConfigResult } from '../config/types.js';
import { layerProblems, mergeConfigLayers } from './config-layers.js';
import { hasOwnConfigFile } from './repository-reads.js';
import type { GitHubClient } from './types.js';

/**
 * A loaded config, with the files it was composed from (`owner/repo:path`), for messages, and
 * whether the repository has a config file of its own (else the org `.github` one applies).
 */
export type LoadedConfig = ConfigResult & { sources?: string[]; ownFile?: boolean };
export type ConfigLoader = (target: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  /**
   * The commit to read the repository's own file at (its default-branch head): a file at a commit
   * never changes, so it is read once. The org `.github` and `_extends` files are read as they are now.
   */
  ref?: string;
}) => Promise<LoadedConfig>;

const PLUGIN_ERROR = '[@probot/octokit-plugin-config]';

export const loadRepoConfig: ConfigLoader = async ({ octokit, owner, repo, ref }) => {
  try {
    // `defaults` as a function replaces the plugin's shallow `Object.assign` of the layers.
    const { config, files } = await octokit.config.get({
      owner,
      repo,
      path: CONFIG_PATH,
      defaults: mergeConfigLayers,
      ...(ref ? { branch: ref } : {}),
    });
    const sources = files.filter((f) => f.config !== null).map((f) => `${f.owner}/${f.repo}:${f.path}`);
    // Without its own file, a repository whose config sits under the other extension is told so
    // rather than scanned with defaults it did not mean.
    const own = files.find((f) => f.owner === owner && f.repo === repo && f.path === CONFIG_PATH);
    if (!own?.config && (await hasOwnConfigFile({ octokit, owner, repo }, ref, MISNAMED_CONFIG_PATH))) {
      return { ok: false, problems: [MISNAMED_CONFIG_PROBLEM], sources };
    }
    const problems = layerProblems(files, repo);
    const ownFile = Boolean(own?.config);
    if (problems.length > 0) return { ok: false, problems, sources, ownFile };
    return { ...validateConfig(config), sources, ownFile };
  } catch (error) {
    // The plugin throws for YAML syntax errors, a string document and bad `_extends`; those are
    // the user's to fix like any other problem. Anything else (network, 5xx) is ours and propagates.
    if (!(error instanceof Error) || !error.message.startsWith(PLUGIN_ERROR)) throw error;
    return { ok: false, problems: [pluginProblem(error)] };
  }
};

/** `https://api.github.com/repos/o/r/contents/p?ref=x` in a plugin message → `o/r:p`. */
function shortenContentUrls(message: string): string {
  return message.replace(
    /https?:\/\/\S+?\/repos\/([^/\s]+)\/([^/\s]+)\/contents\/([^?\s)]+)(?:\?[^\s)]*)?/g,
    (_all, o: string, r: string, p: string) => {
      try {
        return `${decodeURIComponent(o)}/${decodeURIComponent(r)}:${decodeURIComponent(p)}`;
      } catch {
        return _all;
      }
    },
  );
}

function pluginProblem(error: Error): ConfigProblem {
  const message = shortenContentUrls(error.message.slice(PLUGIN_ERROR.length).trim()).replace(
    /^Configuration could not be parsed from (\S+) \(YAML is not an object\)$/,
    '$1: expected a mapping of keys to values, got a string',
  );
  const cause = error.cause as { message?: string; linePos?: Array<{ line: number }> } | undefined;
  // The yaml library ends its first line with "at line 2, column 1:"; the line is reported apart.
  const detail = cause?.message === undefined ? undefined : yamlErrorSummary(cause.message);
  return { path: '', message: detail ? `${message}: ${detail}` : message, line: cause?.linePos?.[0]?.line };
}
