// A setting that is a share of some budget (FRESHBASE_SWEEP_BUDGET, FRESHBASE_REGISTRY_PULL_BUDGET):
// one parser, so every such variable accepts and refuses the same values.

/** `env[name]` as a fraction in (0, 1], `fallback` when unset or empty; throws when invalid. */
export function readFraction(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const share = Number(text);
  if (!Number.isFinite(share) || share <= 0 || share > 1) {
    throw new Error(`${name} must be a fraction above 0 and at most 1, e.g. 0.8 (got "${text}")`);
  }
  return share;
}
