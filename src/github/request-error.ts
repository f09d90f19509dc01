// Recognising GitHub's error answers without depending on Octokit's error class identity.

interface ErrorShape {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
}

export function httpStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? (error as ErrorShape).status : undefined;
}

/** True for an HTTP error with `status` whose message or validation errors contain `text`. */
export function isGitHubError(error: unknown, status: number, text?: string): boolean {
  if (httpStatus(error) !== status) return false;
  if (text === undefined) return true;
  const shape = error as ErrorShape;
  const details = JSON.stringify(shape.response?.data ?? '');
  return (shape.message ?? '').includes(text) || details.includes(text);
}

export function responseHeader(error: unknown, name: string): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  return (error as ErrorShape).response?.headers?.[name];
}

/**
 * GitHub was unavailable rather than the request wrong: a 5xx, no answer at all (Octokit reports
 * those as 500), 429, or a 403 for an exhausted or secondary rate limit. Worth the same call later.
 */
export function isTransientGitHubError(error: unknown): boolean {
  const status = httpStatus(error);
  if (status === undefined) return false;
  if (status >= 500 || status === 429) return true;
  if (status !== 403) return false;
  return responseHeader(error, 'x-ratelimit-remaining') === '0' || isGitHubError(error, 403, 'rate limit');
}
