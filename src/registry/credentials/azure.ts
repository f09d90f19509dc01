// Azure Container Registry: a Microsoft Entra ID token from @azure/identity's DefaultAzureCredential
// (environment, workload identity, managed identity, Azure CLI), exchanged at the registry's
// /oauth2/exchange for an ACR refresh token. That token is the password of ACR's fixed
// all-zero user at the registry's token realm, as `docker login` uses it.
import type { TokenCredential } from '@azure/identity';
import { cachedSource, CredentialError, type CredentialSource } from './source.js';
import { errorMessage } from '../../errors.js';

/** The Entra ID scope of Azure Container Registry in the public cloud (as @azure/container-registry). */
export const ACR_SCOPE = 'https://containerregistry.azure.net/.default';
export const ACR_REFRESH_TOKEN_USER = '00000000-0000-0000-0000-000000000000';
/** ACR refresh tokens last three hours; a new one is asked for a quarter hour before that. */
const REFRESH_TOKEN_LIFETIME_MS = 3 * 60 * 60 * 1000;
const REFRESH_BEFORE_MS = 15 * 60 * 1000;
const EXCHANGE_TIMEOUT_MS = 15_000;
const MAX_EXCHANGE_BYTES = 64 * 1024;

export interface AzureSourceOptions {
  /** The registry's origin: `https://acme.azurecr.io`, or a rule's url. */
  origin: URL;
  /** The credential to ask; default DefaultAzureCredential. */
  credential?: TokenCredential;
}

/** The `exp` of a JWT, when it has one; ACR refresh tokens are JWTs. */
function jwtExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      exp?: unknown;
    };
    return typeof payload.exp === 'number' ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

async function exchange(
  origin: URL,
  service: string,
  accessToken: string,
  description: string,
): Promise<string> {
  const url = new URL('/oauth2/exchange', origin);
  const body = new URLSearchParams({ grant_type: 'access_token', service, access_token: accessToken });
  let response: Response;
  try {
    // The origin is the operator's own rule (never an image reference), so no address guard here.
    response = await fetch(url, {
      method: 'POST',
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
    });
  } catch (error) {
    throw new CredentialError(`${description}: ${url.origin}${url.pathname} failed: ${errorMessage(error)}`);
  }
  const text = await response.text();
  if (!response.ok) {
    throw new CredentialError(`${description}: ${url.origin}${url.pathname} answered ${response.status}`);
  }
  let refreshToken: unknown;
  try {
    if (text.length > MAX_EXCHANGE_BYTES) throw new Error('too large');
    refreshToken = (JSON.parse(text) as { refresh_token?: unknown }).refresh_token;
  } catch {
    refreshToken = undefined;
  }
  if (typeof refreshToken !== 'string' || !refreshToken) {
    throw new CredentialError(`${description}: ${url.origin}${url.pathname} gave no refresh_token`);
  }
  return refreshToken;
}

export function azureSource(host: string, options: AzureSourceOptions): CredentialSource {
  const description = `Azure credentials for ${host}`;
  let credential = options.credential;
  return cachedSource(
    description,
    async () => {
      if (!credential) {
        // Loaded on first use, so an app without Azure rules never loads the library.
        const { DefaultAzureCredential } = await import('@azure/identity');
        credential = new DefaultAzureCredential();
      }
      let accessToken: string;
      try {
        const token = await credential.getToken(ACR_SCOPE);
        if (!token) throw new Error('no token');
        accessToken = token.token;
      } catch (error) {
        throw new CredentialError(`${description}: Entra ID token: ${errorMessage(error)}`);
      }
      const refreshToken = await exchange(options.origin, host, accessToken, description);
      return {
        credentials: { username: ACR_REFRESH_TOKEN_USER, password: refreshToken },
        expiresAt: jwtExpiry(refreshToken) ?? Date.now() + REFRESH_TOKEN_LIFETIME_MS,
      };
    },
    {
      refreshBeforeMs: REFRESH_BEFORE_MS,
      defaultLifetimeMs: REFRESH_TOKEN_LIFETIME_MS,
      failureTtlMs: 30_000,
    },
  );
}
