// One credential source per host rule, built once so every lookup under the rule shares its cache.
import { endpointFor, type HostRule } from '../host-rules.js';
import { awsEcrSource } from './aws-ecr.js';
import { azureSource } from './azure.js';
import { dockerConfigSource } from './docker-config.js';
import { googleSource } from './google.js';
import type { CredentialSource } from './source.js';

export type { CredentialSource } from './source.js';
export { CredentialError } from './source.js';

function staticSource(rule: HostRule, username: string, password: string): CredentialSource {
  const credentials = Promise.resolve({ username, password });
  return { description: `credentials of the host rule for ${rule.host}`, get: () => credentials };
}

function sourceFor(rule: HostRule, env: NodeJS.ProcessEnv): CredentialSource | null {
  if (rule.username !== undefined && rule.password !== undefined) {
    return staticSource(rule, rule.username, rule.password);
  }
  const endpoint = endpointFor(rule.host, rule);
  // The host the credentials are for is where they go: a mirror's own, not the image's registry.
  const host = rule.url ? endpoint.baseUrl.host : rule.host;
  switch (rule.credentials) {
    case 'docker-config':
      return dockerConfigSource(host, { env });
    case 'aws-ecr':
      return awsEcrSource(rule.host);
    case 'google':
      return googleSource(host);
    case 'azure':
      return azureSource(rule.host, { origin: endpoint.baseUrl });
    case undefined:
      return null;
  }
}

/** Answers each rule's credential source, the same object every time. */
export function credentialSources(
  env: NodeJS.ProcessEnv,
): (rule: HostRule | null) => CredentialSource | null {
  const sources = new Map<HostRule, CredentialSource | null>();
  return (rule) => {
    if (!rule) return null;
    if (!sources.has(rule)) sources.set(rule, sourceFor(rule, env));
    return sources.get(rule)!;
  };
}
