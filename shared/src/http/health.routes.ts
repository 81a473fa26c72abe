import { Router } from 'express';
import type { Metrics } from '../metrics';

export type ReadinessCheck = () => Promise<boolean | string>;

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency answers (Postgres, Redis, migrations
 * applied), so a load balancer only sends traffic to an instance that can serve it.
 * `/metrics`: Prometheus text format.
 */
export function healthRoutes(checks: Record<string, ReadinessCheck>, metrics: Metrics): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const results: Record<string, string> = {};
    let ready = true;
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          const r = await withTimeout(check(), 2000);
          results[name] = r === true ? 'ok' : r === false ? 'failed' : r;
          if (r !== true) ready = false;
        } catch {
          results[name] = 'failed';
          ready = false;
        }
      }),
    );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
  });
  router.get('/metrics', async (_req, res) => {
    await Promise.all(metrics.beforeScrape.map((sample) => sample()));
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
