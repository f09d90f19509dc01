// The webhook route, in place of Probot's own (which buffers any body whole before its signature is
// checked and logs a forged body whole, twice). Until the signature matches, a body is hostile: it is
// read only up to GitHub's own payload cap, refused with 413 while it streams past it, and a bad
// signature costs one warning line with the delivery id, never the payload.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger, Probot } from 'probot';

/** GitHub caps webhook payloads at 25 MB; it never sends more. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
/** GitHub waits 10 s for an answer; handlers only enqueue, so a slower one is answered 202 meanwhile. */
const ANSWER_WITHIN_MS = 9_000;
/** How long an oversized body is drained after its 413 before the connection is cut. */
const LINGER_MS = 1_000;

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean>;

export interface WebhookReceiverOptions {
  webhooks: Pick<Probot['webhooks'], 'verify' | 'receive'>;
  log: Pick<Logger, 'warn'>;
  /**
   * Routes that accept deliveries: Probot's WEBHOOK_PATH (`/api/github/webhooks`) and the server's
   * root, which is the hook URL Probot's setup flow registers.
   */
  paths: readonly string[];
  maxBodyBytes?: number;
}

function answer(response: ServerResponse, status: number, error?: string): true {
  const body = error === undefined ? 'ok\n' : `${JSON.stringify({ error })}\n`;
  response.writeHead(status, {
    'content-type': error === undefined ? 'text/plain' : 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
  return true;
}

/**
 * 413, then a lingering close: for a moment Node drains the rest of the body (read and dropped, never
 * kept), so the client reads the answer before its writes fail; then the connection is cut.
 */
function refuseTooLarge(request: IncomingMessage, response: ServerResponse, maxBytes: number): true {
  response.on('finish', () => setTimeout(() => request.socket.destroy(), LINGER_MS).unref());
  return answer(response, 413, `payload larger than ${maxBytes} bytes`);
}

/** The body, or null as soon as it streams past `maxBytes` (the rest is never read). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        request.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function createWebhookReceiver(options: WebhookReceiverOptions): Handler {
  const { webhooks, log } = options;
  const maxBytes = options.maxBodyBytes ?? MAX_WEBHOOK_BYTES;
  const routes = new Set(options.paths.map((path) => path.replace(/\/+$/, '')));

  return async (request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (!routes.has(pathname)) return false;
    if (request.method !== 'POST') {
      // The root also serves pages (GET /); only the webhook path itself refuses other methods.
      if (pathname === '') return false;
      response.setHeader('allow', 'POST');
      return answer(response, 405, `${request.method} is not accepted here; GitHub POSTs deliveries`);
    }
    if (!/^\s*application\/json\s*(;|$)/.test(header(request, 'content-type') ?? '')) {
      return answer(response, 415, 'Content-Type must be application/json');
    }
    const id = header(request, 'x-github-delivery');
    const name = header(request, 'x-github-event');
    const signature = header(request, 'x-hub-signature-256');
    if (!id || !name || !signature) {
      return answer(response, 400, 'x-github-delivery, x-github-event and x-hub-signature-256 are required');
    }
    if (Number(header(request, 'content-length') ?? 0) > maxBytes)
      return refuseTooLarge(request, response, maxBytes);
    const body = await readBody(request, maxBytes);
    if (body === null) return refuseTooLarge(request, response, maxBytes);

    const payload = body.toString('utf8');
    const verified = await webhooks.verify(payload, signature).catch(() => false);
    if (!verified) {
      log.warn({ deliveryId: id, event: name }, 'webhook delivery refused: signature does not match');
      return answer(response, 400, 'signature does not match');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      log.warn({ deliveryId: id, event: name }, 'webhook delivery refused: payload is not a JSON object');
      return answer(response, 400, 'payload is not a JSON object');
    }

    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>(
      (resolve) => (timer = setTimeout(() => resolve('slow'), ANSWER_WITHIN_MS)),
    );
    // Handler errors are logged by Probot's error handler on the webhooks; here they only set the status.
    const handled = webhooks
      .receive({ id, name, payload: parsed } as Parameters<Probot['webhooks']['receive']>[0])
      .then(
        () => 'ok' as const,
        () => 'failed' as const,
      );
    const outcome = await Promise.race([handled, slow]);
    clearTimeout(timer);
    if (outcome === 'slow') return answer(response, 202, 'still processing');
    return outcome === 'ok' ? answer(response, 200) : answer(response, 500, 'a handler failed');
  };
}

/**
 * Makes the Probot server route deliveries through the receiver above. Probot's Server mounts whatever
 * its app's getNodeMiddleware() answers, and calls it after loading the app function, so the app
 * function installs this first.
 */
export function receiveWebhooksWithLimits(app: Probot, maxBodyBytes = MAX_WEBHOOK_BYTES): void {
  const handler = createWebhookReceiver({
    webhooks: { verify: (...a) => app.webhooks.verify(...a), receive: (...a) => app.webhooks.receive(...a) },
    log: app.log,
    paths: [app.webhookPath, '/'],
    maxBodyBytes,
  });
  app.getNodeMiddleware = () => Promise.resolve(handler);
}
