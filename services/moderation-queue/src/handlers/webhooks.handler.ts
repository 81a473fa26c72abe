import type { RequestHandler } from 'express';
import { NotFoundError, UUID_RE, parseOrThrow, principalOf, siteOf, statsQuerySchema, webhookBodySchema } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { siteStats } from '../domain/site-stats';
import { createWebhook, listSiteWebhooks, removeWebhook } from '../domain/webhooks';

export function webhooksHandlers(ctx: UseCaseContext) {
  const list: RequestHandler = async (_req, res) => {
    res.json({ items: await listSiteWebhooks(ctx, siteOf(res).id) });
  };
  const create: RequestHandler = async (req, res) => {
    const body = parseOrThrow(webhookBodySchema, req.body, 'body');
    res.status(201).setHeader('Cache-Control', 'no-store');
    res.json(await createWebhook(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, body));
  };
  const remove: RequestHandler = async (req, res) => {
    const id = String(req.params.id);
    if (!UUID_RE.test(id)) throw new NotFoundError('Unknown webhook.');
    await removeWebhook(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, id);
    res.status(204).end();
  };
  const stats: RequestHandler = async (req, res) => {
    const { days } = parseOrThrow(statsQuerySchema, req.query, 'query');
    res.json(await siteStats(ctx, siteOf(res).id, days));
  };
  return { list, create, remove, stats };
}
