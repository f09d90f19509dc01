// Builds a repository's inventory from Dockerfile text and a registry given as data, through the
// real extractor, plan and grouping — no I/O, no mocks.
import type { RepoConfig } from '../../src/config/types.js';
import { extractImages } from '../../src/dockerfile/extract.js';
import {
  classifyRepository,
  soakHeld,
  surveyConfig,
  type RepositoryFacts,
} from '../../src/inventory/classify.js';
import type { RepositoryInventory } from '../../src/inventory/types.js';
import { groupPlans } from '../../src/plan/group.js';
import { planUpdates, type FileUse } from '../../src/plan/plan.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import { answerAll, type FakeRegistry } from '../plan/fixtures.js';

export const NOW = new Date('2025-06-02T10:00:00Z');

export interface Situation {
  files: Record<string, string>;
  registry: FakeRegistry;
  config: RepoConfig;
  open?: RepositoryFacts['open'];
  /** Policy updates a closed PR declined. */
  declined?: (u: PlannedUpdate) => boolean;
  inWindow?: boolean;
  heldFor?: RepositoryFacts['heldFor'];
}

export function inventoryOf(s: Situation, repository = 'acme/app'): RepositoryInventory {
  const extracted = Object.entries(s.files).map(([path, text]) => extractImages(path, text));
  const uses: FileUse[] = extracted.flatMap((e) => e.images.map((use) => ({ file: e.file, use })));
  const plan = (config: RepoConfig) =>
    planUpdates({ uses, answers: answerAll(uses, config, s.registry, NOW).answers, config, now: NOW });
  const proposed = plan(s.config);
  const updates = proposed.updates.filter((u) => !(s.declined?.(u) ?? false));
  return classifyRepository({
    repository,
    config: s.config,
    extracted,
    survey: plan(surveyConfig(s.config)),
    proposed,
    accepted: { updates, plans: groupPlans(updates, s.config, repository, NOW) },
    open: s.open ?? [],
    inWindow: s.inWindow ?? true,
    nextWindow: s.inWindow === false ? new Date('2025-06-07T00:00:00Z') : null,
    heldFor: s.heldFor ?? soakHeld(proposed.held),
  });
}
