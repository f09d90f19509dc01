// Where a registry's credentials come from. A source is asked when a request needs them, caches what
// it was given until shortly before it expires, and never puts a secret into an error message.
import type { Credentials } from '../host-rules.js';
import { errorMessage } from '../../errors.js';

export interface CredentialSource {
  /** What the source is, for errors and logs (`docker config.json for harbor.internal`); no secret. */
  readonly description: string;
  /** Current credentials; rejects with a CredentialError. */
  get(): Promise<Credentials>;
}

/** A source could not give credentials; the message names the source and never a secret. */
export class CredentialError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CredentialError';
  }
}

export interface IssuedCredentials {
  credentials: Credentials;
  /** When they stop working (ms since the epoch); null when the source does not say. */
  expiresAt: number | null;
}

export interface CachingOptions {
  /** Credentials are fetched again this long before they expire. */
  refreshBeforeMs: number;
  /** Reuse of credentials whose source gave no expiry. */
  defaultLifetimeMs: number;
  /** A failure is answered again for this long before the source is asked again. */
  failureTtlMs: number;
  now?: () => number;
}

/** Wraps a fetch as a source: one fetch in flight, reused until `refreshBeforeMs` before expiry. */
export function cachedSource(
  description: string,
  fetch: () => Promise<IssuedCredentials>,
  options: CachingOptions,
): CredentialSource {
  const now = options.now ?? Date.now;
  let current: { value: Promise<Credentials>; until: number } | null = null;

  function refresh(): Promise<Credentials> {
    const value = fetch().then(
      (issued) => {
        const expiresAt = issued.expiresAt ?? now() + options.defaultLifetimeMs;
        current = { value, until: expiresAt - options.refreshBeforeMs };
        return issued.credentials;
      },
      (error: unknown) => {
        current = { value, until: now() + options.failureTtlMs };
        throw error instanceof CredentialError
          ? error
          : new CredentialError(`${description}: ${errorMessage(error)}`);
      },
    );
    // Until the fetch settles, concurrent callers share it.
    current = { value, until: Number.POSITIVE_INFINITY };
    return value;
  }

  return {
    description,
    get: () => (current && now() < current.until ? current.value : refresh()),
  };
}
