import { countsPerDay, decisionFigures } from '../repositories/stats.repository';
import type { UseCaseContext } from './context';

/** Per day and state, median time to a human decision, and how many the pipeline vs moderators decided. */
export async function siteStats(ctx: UseCaseContext, site: string, days: number) {
  const now = ctx.now?.() ?? new Date();
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * 86_400_000);
  const rows = await countsPerDay(ctx.db, site, since);
  const byDay = new Map<string, Record<string, number>>();
  for (const r of rows) byDay.set(r.day, { ...byDay.get(r.day), [r.state]: r.n });
  const f = await decisionFigures(ctx.db, site, since);
  return {
    days: [...byDay].map(([day, counts]) => ({ day, counts })),
    medianSecondsToHumanDecision: f.median,
    decidedBy: { pipeline: f.pipeline, moderator: f.moderator },
  };
}
