// Amazon ECR: GetAuthorizationToken through the AWS SDK for JavaScript v3, with credentials from the
// SDK's standard chain (environment, shared config and SSO, web identity, ECS and EC2 roles). The
// token is base64 `AWS:<password>` and lasts 12 hours; it is fetched again an hour before that.
import { cachedSource, CredentialError, type CredentialSource } from './source.js';
import { describeError, errorMessage } from '../../errors.js';

const ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const REFRESH_BEFORE_MS = 60 * 60 * 1000;

/** The AWS region of an ECR registry host, or null when the host is not one. */
export function ecrRegion(host: string): string | null {
  return ECR_HOST.exec(host)?.[1] ?? null;
}

export function awsEcrSource(host: string): CredentialSource {
  const description = `Amazon ECR credentials for ${host}`;
  const region = ecrRegion(host);
  return cachedSource(
    description,
    async () => {
      if (!region) throw new CredentialError(`${description}: ${host} is not an ECR registry host`);
      // Loaded on first use, so an app without ECR rules never loads the SDK.
      const { ECRClient, GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
      const client = new ECRClient({ region, maxAttempts: 3 });
      try {
        const answer = await client.send(new GetAuthorizationTokenCommand({}));
        const data = answer.authorizationData?.[0];
        const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        if (colon <= 0)
          throw new CredentialError(`${description}: GetAuthorizationToken gave no usable token`);
        return {
          credentials: { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) },
          expiresAt: data?.expiresAt ? data.expiresAt.getTime() : null,
        };
      } catch (error) {
        if (error instanceof CredentialError) throw error;
        throw new CredentialError(
          `${description}: GetAuthorizationToken failed: ${describeError(error).name}: ${errorMessage(error)}`,
        );
      } finally {
        client.destroy();
      }
    },
    // Without an expiry in the answer, ECR's documented 12 hours.
    { refreshBeforeMs: REFRESH_BEFORE_MS, defaultLifetimeMs: 12 * 60 * 60 * 1000, failureTtlMs: 30_000 },
  );
}
