// How Freshbase speaks of a failure, in logs and in messages: one describer. A log line carries it
// under `err` (`log.error({ err: describeError(error) }, '…')`), never the raw error, whose request
// (Octokit's, ioredis's) may carry a token in its headers.

export interface ErrorDescription {
  name: string;
  message: string;
  /** The HTTP status, when the error is an answer (Octokit's RequestError, a registry's). */
  status?: number;
}

export function describeError(error: unknown): ErrorDescription {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const status = (error as { status?: unknown }).status;
  return { name: error.name, message: error.message, ...(typeof status === 'number' ? { status } : {}) };
}

/** The message of a thrown value, whatever was thrown. */
export function errorMessage(error: unknown): string {
  return describeError(error).message;
}
