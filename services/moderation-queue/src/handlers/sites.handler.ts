import type { RequestHandler } from 'express';
import {
  ForbiddenError,
  createSiteBodySchema,
  parseOrThrow,
  principalOf,
  siteOf,
  updateSiteBodySchema,
} from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { createSite, updateSite } from '../domain/sites';
import { findSiteById, listSites } from '../repositories/site.repository';

export function sitesHandlers(ctx: UseCaseContext) {
  const list: RequestHandler = async (_req, res) => {
    const p = principalOf(res);
    const sites = await listSites(ctx.db, p.sites.includes('*') ? undefined : p.sites);
    res.json({ items: sites });
  };
  const create: RequestHandler = async (req, res) => {
    const p = principalOf(res);
    if (!p.sites.includes('*')) throw new ForbiddenError('Only an installation-wide admin key can create sites.');
    const body = parseOrThrow(createSiteBodySchema, req.body, 'body');
    const site = await createSite(ctx, { keyId: p.keyId }, body);
    res.status(201).location(`/v1/admin/sites/${site.id}`).json(site);
  };
  const get: RequestHandler = async (_req, res) => {
    res.json(await findSiteById(ctx.db, siteOf(res).id));
  };
  const update: RequestHandler = async (req, res) => {
    const body = parseOrThrow(updateSiteBodySchema, req.body, 'body');
    res.json(await updateSite(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, body));
  };
  return { list, create, get, update };
}
