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
