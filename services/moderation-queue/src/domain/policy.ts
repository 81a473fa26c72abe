import {
  ConflictError,
  ErrorCode,
  NotFoundError,
  Streams,
  enqueue,
  siteSettingsSchema,
  type ModerationSettingsBody,
  type Site,
  type WordListsBody,
} from '@parley/shared';
import { SCHEMA, type PolicyRow } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { findPolicy, lockPolicy, writePolicy } from '../repositories/policy.repository';
import { findSiteById, lockSiteById, updateSite as writeSite } from '../repositories/site.repository';
import type { Actor, UseCaseContext } from './context';
import { siteChanged } from './sites';

export interface WordLists {
  version: number;
  disallowed: string[];
  suspect: string[];
}

const wordListsOf = (p: PolicyRow): WordLists => ({ version: p.words_version, disallowed: p.disallowed_words, suspect: p.suspect_words });

export async function getWordLists(ctx: UseCaseContext, site: string): Promise<WordLists> {
  return wordListsOf(await findPolicy(ctx.db, site));
}

/** Replaces both lists; `version` must be the one read (two editors never overwrite each other). */
export async function replaceWordLists(ctx: UseCaseContext, actor: Actor, site: string, body: WordListsBody): Promise<WordLists> {
  const now = ctx.now?.() ?? new Date();
  return ctx.db.transaction().execute(async (trx) => {
    const current = await lockPolicy(trx, site);
    if (current.words_version !== body.version) {
      throw new ConflictError('The word lists changed since you read them.', { currentVersion: current.words_version });
    }
    const dedupe = (l: string[]) => [...new Set(l.map((w) => w.trim()))];
    const next: PolicyRow = { ...current, words_version: current.words_version + 1, disallowed_words: dedupe(body.disallowed), suspect_words: dedupe(body.suspect), updated_at: now };
    await writePolicy(trx, next);
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: 'word-lists.replace', target: site, before: wordListsOf(current), after: wordListsOf(next) });
    return wordListsOf(next);
  });
}

export interface ModerationSettings extends Omit<ModerationSettingsBody, 'version'> {
  version: number;
}

function settingsOf(site: Site, p: PolicyRow): ModerationSettings {
  return {
    version: p.version,
    ...site.settings.moderation,
    reportsHold: p.reports_hold,
    spamHoldThreshold: p.spam_hold_threshold,
    spamThreshold: p.spam_threshold,
    duplicateWindowMinutes: p.duplicate_window_minutes,
  };
}

export async function getModerationSettings(ctx: UseCaseContext, siteId: string): Promise<ModerationSettings> {
  const site = await findSiteById(ctx.db, siteId);
  if (!site) throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
  return settingsOf(site, await findPolicy(ctx.db, siteId));
}

/**
 * Replaces the site's moderation settings. Mode, link limit and report threshold live in the
 * site's settings (other services read them from `sites.changed`); the pipeline-only thresholds
 * live in moderation's policy row. Both change in one transaction.
 */
export async function replaceModerationSettings(ctx: UseCaseContext, actor: Actor, siteId: string, body: ModerationSettingsBody): Promise<ModerationSettings> {
  const now = ctx.now?.() ?? new Date();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const site = await lockSiteById(trx, siteId);
    if (!site) throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
    const policy = await lockPolicy(trx, siteId);
    if (policy.version !== body.version) throw new ConflictError('The settings changed since you read them.', { currentVersion: policy.version });
    const before = settingsOf(site, policy);
    const nextSite: Site = {
      ...site,
      settings: siteSettingsSchema.parse({
        comments: site.settings.comments,
        moderation: { ...site.settings.moderation, mode: body.mode, linkLimit: body.linkLimit, reportThreshold: body.reportThreshold },
      }),
      version: site.version + 1,
      updatedAt: now.toISOString(),
    };
    const nextPolicy: PolicyRow = {
      ...policy,
      version: policy.version + 1,
      reports_hold: body.reportsHold,
      spam_hold_threshold: body.spamHoldThreshold,
      spam_threshold: body.spamThreshold,
      duplicate_window_minutes: body.duplicateWindowMinutes,
      updated_at: now,
    };
    await writeSite(trx, nextSite);
    await writePolicy(trx, nextPolicy);
    await enqueue(trx, SCHEMA, Streams.sitesChanged, siteChanged(nextSite, now));
    const after = settingsOf(nextSite, nextPolicy);
    await insertAuditEntry(trx, { keyId: actor.keyId, site: siteId, action: 'moderation-settings.replace', target: siteId, before, after });
    return after;
  });
  ctx.afterCommit();
  return result;
}
