import type { Kysely } from 'kysely';
import { uuidv7 } from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';

export interface AuditEntry {
  keyId: string | null;
  site: string | null;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
}

export async function insertAuditEntry(db: Kysely<ModerationDb>, e: AuditEntry): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('audit_log')
    .values({
      id: uuidv7(),
      key_id: e.keyId,
      site: e.site,
      action: e.action,
      target: e.target,
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    })
    .execute();
}

/** A site's audit entries, newest first, keyset-paginated on (at, id). */
export async function listAuditEntries(db: Kysely<ModerationDb>, site: string, limit: number, before?: { at: Date; id: string }) {
  let q = db.withSchema(SCHEMA).selectFrom('audit_log').selectAll().where('site', '=', site);
  if (before) q = q.where((eb) => eb.or([eb('at', '<', before.at), eb.and([eb('at', '=', before.at), eb('id', '<', before.id)])]));
  return q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
}
