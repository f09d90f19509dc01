// The routes an orchestrator and Prometheus call: /health (liveness: the process answers, without
// touching Redis, so a Redis outage never gets replicas restarted), /ready (readiness: the queue
// answers, i.e. Redis when it is used) and /metrics (Prometheus text format).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.js';
import type { QueueStats } from './queue.js';

/** Readiness (and the queue gauges of a scrape) give up on Redis after this long. */
export const QUEUE_ANSWER_TIMEOUT_MS = 2000;

export interface ServiceRoutesOptions {
  queueStats: () => Promise<QueueStats>;
  metrics?: Metrics;
}

/** The queue's counts, or null when it does not answer in time (Redis down). */
export async function queueStatsWithin(
  stats: () => Promise<QueueStats>,
  timeoutMs = QUEUE_ANSWER_TIMEOUT_MS,
): Promise<QueueStats | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    return await Promise.race([stats().catch(() => null), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A Probot `addHandler` handler: answers its routes, leaves every other request to Probot. */
export function serviceRoutes(options: ServiceRoutesOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET') return false;
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    switch (pathname) {
      case '/health':
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return true;
      case '/ready': {
        const queue = await queueStatsWithin(options.queueStats);
        sendJson(res, queue ? 200 : 503, queue ? { status: 'ready', queue } : { status: 'unavailable' });
        return true;
      }
      case '/metrics': {
        if (!options.metrics) return false;
        const { registry } = options.metrics;
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
        return true;
      }
      default:
        return false;
    }
  };
}
