// The layers Probot's config plugin composes `.github/freshbase.yml` from (the repository's file,
// else the org `.github` repository's, then each file an `_extends` names), checked and merged the
// way the design asks: a layer that is missing or not a mapping is a problem, never an empty config,
// and layers merge deeply instead of by top-level key.
import { describeValue } from '../config/problems.js';
import type { ConfigProblem } from '../config/types.js';

type Mapping = Record<string, unknown>;

/** One entry of the plugin's `files` list (its `ConfigFile`, typed here without importing it). */
export interface ConfigLayer {
  owner: string;
  repo: string;
  path: string;
  url: string;
  /** Null when the plugin got a 404 for the file (or its repository). */
  config: unknown;
}

function isMapping(value: unknown): value is Mapping {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Deep merge of config layers, base first and the repository's own file last (the order the
 * plugin hands them to a `defaults` function): mappings merge key by key, later layers win, and
 * everything else — lists included — replaces as a whole. So a repository's `rules`, `labels` or
 * `files` list replaces the inherited one instead of being appended to it: a list cannot be
 * partly overridden, and appending would let an inherited rule silently outrank the repository's.
 * Layers that are not mappings are skipped here; `layerProblems` reports them.
 */
export function mergeConfigLayers(layers: unknown[]): Mapping {
  return layers.filter(isMapping).reduce<Mapping>((merged, layer) => mergeMappings(merged, layer), {});
}

function mergeMappings(base: Mapping, over: Mapping): Mapping {
  // Built with fromEntries so a `__proto__` key stays an ordinary (and then unknown) key.
  const entries = new Map<string, unknown>(Object.entries(base));
  for (const [key, value] of Object.entries(over)) {
    const inherited = entries.get(key);
    entries.set(key, isMapping(inherited) && isMapping(value) ? mergeMappings(inherited, value) : value);
  }
  return Object.fromEntries(entries);
}

const name = (layer: ConfigLayer) => `${layer.owner}/${layer.repo}:${layer.path}`;

/**
 * What is wrong with the layers themselves, before their merge is validated. `files[0]` is the
 * repository's own file; when it is missing (and the repository is not `.github` itself),
 * `files[1]` is the org-wide default in `<owner>/.github`, and that one missing too just means no
 * config at all. Every later entry was named by the `_extends` of the entry before it, so a
 * missing one is a broken `_extends` — the plugin would quietly use nothing in its place.
 *
 * Limit: the plugin parses with `yaml.parse(text) || {}`, so a document that is just `false`, `0`
 * or `null` reaches us as `{}` (indistinguishable from an empty file, which is a valid config of
 * defaults) and cannot be reported; a list or any other scalar is reported here, a string by the
 * plugin itself.
 */
export function layerProblems(files: readonly ConfigLayer[], repo: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const firstExtended = files[0]?.config === null && repo !== '.github' ? 2 : 1;
  files.forEach((layer, index) => {
    if (layer.config === null) {
      if (index < firstExtended) return;
      const namedBy = files[index - 1];
      problems.push({
        path: '_extends',
        message:
          `\`${name(layer)}\` was not found` +
          (namedBy ? ` (named by \`_extends\` in \`${name(namedBy)}\`)` : '') +
          '; check the repository and path, and that Freshbase is installed on that repository',
      });
    } else if (!isMapping(layer.config)) {
      const where = index === 0 ? '' : ` in \`${name(layer)}\``;
      problems.push({
        path: '',
        message: `expected a mapping of keys to values, got ${describeValue(layer.config)}${where}`,
      });
    }
  });
  return problems;
}
