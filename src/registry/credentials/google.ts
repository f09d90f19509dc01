// Google Artifact Registry and Container Registry: an OAuth2 access token from google-auth-library's
// application default credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, workload
// identity, the metadata server), sent as the password of the user `oauth2accesstoken`.
import { cachedSource, CredentialError, type CredentialSource } from './source.js';
import { errorMessage } from '../../errors.js';

const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const USERNAME = 'oauth2accesstoken';
/** Access tokens last an hour; a new one is asked for five minutes before that. */
const REFRESH_BEFORE_MS = 5 * 60 * 1000;

export function googleSource(host: string): CredentialSource {
  const description = `Google application default credentials for ${host}`;
  let auth: import('google-auth-library').GoogleAuth | undefined;
  return cachedSource(
    description,
    async () => {
      // Loaded on first use, so an app without Google rules never loads the library.
      const { GoogleAuth } = await import('google-auth-library');
      auth ??= new GoogleAuth({ scopes: [SCOPE] });
      let token: string | null | undefined;
      let expiresAt: number | null;
      try {
        const client = await auth.getClient();
        token = (await client.getAccessToken()).token;
        expiresAt = client.credentials.expiry_date ?? null;
      } catch (error) {
        throw new CredentialError(`${description}: ${errorMessage(error)}`);
      }
      if (!token) throw new CredentialError(`${description}: no access token`);
      return { credentials: { username: USERNAME, password: token }, expiresAt };
    },
    { refreshBeforeMs: REFRESH_BEFORE_MS, defaultLifetimeMs: 30 * 60 * 1000, failureTtlMs: 30_000 },
  );
}
