import { sql, type Kysely } from 'kysely';

/**
 * A moderator's reason for a decision is free text, kept in the decision's audit entry as well as in
 * the comment's history. An erasure (privacy request or retention) clears it in both: this partial
 * index finds a comment's audit entries that still hold one, and only those enter it (decisions
 * given with a reason). Comments erased before now lose theirs here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index audit_log_comment_reason_idx on moderation.audit_log (target)
     where action like 'comment.%' and (after->>'reason') is not null`.execute(db);
  await sql`
    update moderation.audit_log a set after = jsonb_set(a.after, '{reason}', 'null')
      from moderation.comments c
     where c.erased_at is not null and a.target = c.id::text
       and a.action like 'comment.%' and (a.after->>'reason') is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index moderation.audit_log_comment_reason_idx`.execute(db);
}
