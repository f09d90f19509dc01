// What the app can reach: its installations and each installation's repositories, and the login
// its pull requests are authored by.
import type { Probot } from 'probot';
import type { AppIdentity } from '../github/types.js';
import type { ScanJob } from './queue.js';

export interface InstallationRef {
  id: number;
  account: string;
}

/** Every installation that is not suspended (a suspended one cannot get a token). */
export async function listInstallations(app: Probot): Promise<InstallationRef[]> {
  const octokit = await app.auth();
  const installations = await octokit.paginate(octokit.rest.apps.listInstallations, { per_page: 100 });
  return installations
    .filter((installation) => !installation.suspended_at)
    .map((installation) => ({
      id: installation.id,
      account: installation.account && 'login' in installation.account ? installation.account.login : '',
    }));
}

/** The scan jobs for every repository an installation can access, archived ones left out. */
export async function listInstallationJobs(
  app: Probot,
  installationId: number,
  reason: string,
  requestedAt: number,
): Promise<ScanJob[]> {
  const octokit = await app.auth(installationId);
  const repositories = await octokit.paginate(octokit.rest.apps.listReposAccessibleToInstallation, {
    per_page: 100,
  });
  return repositories
    .filter((repository) => !repository.archived && !repository.disabled)
    .map((repository) => ({
      installationId,
      owner: repository.owner.login,
      repo: repository.name,
      reason,
      requestedAt,
    }));
}

// Defined with the GitHub adapter, which receives it; re-exported for the app layer's imports.
export type { AppIdentity };

/** The app's identity, looked up once; a failed lookup is retried on the next call. */
export function createAppIdentity(app: Probot): () => Promise<AppIdentity> {
  let identity: Promise<AppIdentity> | null = null;
  return () => {
    identity ??= app
      .auth()
      .then((octokit) => octokit.rest.apps.getAuthenticated())
      .then(({ data }) => {
        if (!data?.slug) throw new Error('GitHub did not return the app slug');
        return { slug: data.slug, botLogin: `${data.slug}[bot]` };
      });
    identity.catch(() => {
      identity = null;
    });
    return identity;
  };
}
