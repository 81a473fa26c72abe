import express, { type Express } from 'express';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { ensureSite } from '@parley/moderation-queue';

export const DEMO_SITE = 'demo';

/** The demo article page's site, created on first start with the page's origin allowed. */
export async function ensureDemoSite(db: Kysely<any>, origin: string): Promise<void> {
  await ensureSite(
    { db, afterCommit: () => undefined },
    { id: DEMO_SITE, name: 'Parley demo', allowedOrigins: [origin], settings: { comments: {}, moderation: {} } as never },
  );
}

/** A publisher's article page, as a reader would see it, with Parley's two script tags. */
export function demoSiteServer(urls: { intake: string; consent: string }): Express {
  const template = readFileSync(join(__dirname, 'article.html'), 'utf8');
  const page = template.replaceAll('{{INTAKE}}', urls.intake).replaceAll('{{CONSENT}}', urls.consent).replaceAll('{{SITE}}', DEMO_SITE);
  const app = express();
  app.disable('x-powered-by');
  app.get('/', (_req, res) => {
    res.type('html').send(page);
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  return app;
}
