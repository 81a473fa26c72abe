import {
  ConflictError,
  ErrorCode,
  NotFoundError,
  Streams,
  enqueue,
  makeEnvelope,
  siteSettingsSchema,
  type CreateSiteBody,
  type Site,
  type UpdateSiteBody,
} from '@parley/shared';
import { SCHEMA } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { findSiteById, insertSite, lockSiteById, updateSite as writeSite } from '../repositories/site.repository';
import type { Actor, UseCaseContext } from './context';

export function siteChanged(site: Site, now: Date) {
  return makeEnvelope(Streams.sitesChanged, 1, site.id, { site }, now);
}

/** Creates a site and announces it on `sites.changed`, in one transaction. */
export async function createSite(ctx: UseCaseContext, actor: Actor, body: CreateSiteBody): Promise<Site> {
  const now = ctx.now?.() ?? new Date();
  const site: Site = { ...body, status: 'active', version: 1, updatedAt: now.toISOString() };
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await insertSite(trx, site))) {
      throw new ConflictError(`A site with id "${site.id}" exists already.`, { site: site.id }, ErrorCode.SITE_EXISTS);
    }
    await enqueue(trx, SCHEMA, Streams.sitesChanged, siteChanged(site, now));
    await insertAuditEntry(trx, { keyId: actor.keyId, site: site.id, action: 'site.create', target: site.id, before: null, after: site });
  });
  ctx.afterCommit();
  return site;
}

/** Applies a partial update (settings merged field by field), bumps the version and announces it. */
export async function updateSite(ctx: UseCaseContext, actor: Actor, id: string, body: UpdateSiteBody): Promise<Site> {
  const now = ctx.now?.() ?? new Date();
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const current = await lockSiteById(trx, id);
    if (!current || current.status === 'deleted') throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
    const next: Site = {
      ...current,
      name: body.name ?? current.name,
      allowedOrigins: body.allowedOrigins ?? current.allowedOrigins,
      status: body.status ?? current.status,
      settings: siteSettingsSchema.parse({
        comments: { ...current.settings.comments, ...body.settings?.comments },
        moderation: { ...current.settings.moderation, ...body.settings?.moderation },
      }),
      version: current.version + 1,
      updatedAt: now.toISOString(),
    };
    await writeSite(trx, next);
    await enqueue(trx, SCHEMA, Streams.sitesChanged, siteChanged(next, now));
    await insertAuditEntry(trx, { keyId: actor.keyId, site: id, action: 'site.update', target: id, before: current, after: next });
    return next;
  });
  ctx.afterCommit();
  return updated;
}

/** Creates a site unless one with its id exists (seeding: the embedded demo, fixtures). */
export async function ensureSite(ctx: UseCaseContext, body: CreateSiteBody): Promise<Site> {
  const existing = await findSiteById(ctx.db, body.id);
  return existing ?? createSite(ctx, { keyId: null }, body);
}
