import type { RequestHandler } from 'express';
import { consentRangeQuerySchema, parseOrThrow, siteOf } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { listDailyStats } from '../repositories/stats.repository';

const DAY = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function statsHandlers(ctx: UseCaseContext) {
  /** Acceptance per category and day, and records per action and day; the last 30 days by default. */
  const daily: RequestHandler = async (req, res) => {
    const q = parseOrThrow(consentRangeQuerySchema, req.query, 'query');
    const to = q.to ? new Date(q.to) : new Date(Date.now() + DAY);
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 31 * DAY);
    const site = siteOf(res).id;
    const { categories, actions } = await listDailyStats(ctx.db, site, isoDay(from), isoDay(to));
    res.json({
      site,
      from: isoDay(from),
      to: isoDay(to),
      categories: categories.map((c) => ({
        day: c.day,
        category: c.category,
        accepted: c.accepted,
        rejected: c.rejected,
        acceptanceRate: c.accepted + c.rejected ? Number((c.accepted / (c.accepted + c.rejected)).toFixed(4)) : null,
      })),
      actions: actions.map((a) => ({ day: a.day, action: a.action, records: a.records, gpc: a.gpc })),
    });
  };
  return { daily };
}
