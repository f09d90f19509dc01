// A repository's inventory from a scan already made under its config: one more scan under the
// survey config (every kind offered) says how far behind each use is; the rest is classified.
import { nextScheduleWindow, inScheduleWindow } from '../config/schedule.js';
import type { RepoConfig } from '../config/types.js';
import type { AppPull } from '../github/app-pulls.js';
import type { RepositoryScan } from '../plan/types.js';
import { scanRepository, type ScanInput } from '../repository/scan.js';
import { classifyRepository, surveyConfig } from './classify.js';
import type { RepositoryInventory } from './types.js';

export interface SurveyInput {
  /** The scan input the repository was scanned with (files, registry, time). */
  scanInput: Omit<ScanInput, 'config'>;
  config: RepoConfig;
  /** The scan under the config, before declines were removed; and after. */
  proposed: RepositoryScan;
  accepted: Pick<RepositoryScan, 'updates' | 'plans'>;
  open: AppPull[];
  heldFor?: Map<string, string>;
}

export async function surveyRepository(input: SurveyInput): Promise<RepositoryInventory> {
  const { scanInput, config } = input;
  // The registry client answers most of the survey's questions from its cache of the first scan.
  const survey = await scanRepository({ ...scanInput, config: surveyConfig(config) });
  return classifyRepository({
    repository: scanInput.repoFullName,
    config,
    extracted: input.proposed.extracted,
    survey,
    proposed: input.proposed,
    accepted: input.accepted,
    open: input.open,
    inWindow: inScheduleWindow(config, scanInput.now),
    nextWindow: nextScheduleWindow(config, scanInput.now),
    heldFor: input.heldFor,
  });
}
