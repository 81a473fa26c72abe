import { sql, type Kysely } from 'kysely';
import { createSiteBodySchema, migrateService, silentLogger, uuidv7, type CommentsSubmittedV1, type Delivery } from '@parley/shared';
import { startTestInfra, type TestInfraHandle } from '@parley/shared/testing';
import { ensureSite } from '../src/domain/sites';
import { moderationQueue } from '../src/service';
import { moderateDeliveries } from '../src/streams/submitted.consumer';
import { buildSubmitted, hex } from './support/moderation-harness';

/**
 * The worker judges a batch in one transaction with set-based reads and writes. These tests hold
 * it to the one-at-a-time behaviour: the same events, handled one per transaction on one database
 * and as one batch on another, must leave the same rows behind.
 */
let one: TestInfraHandle;
let batch: TestInfraHandle;
const NOW = new Date('2026-11-27T01:00:00Z');
const at = (minutesBefore: number) => new Date(NOW.getTime() - minutesBefore * 60_000).toISOString();

async function prepare(infra: TestInfraHandle): Promise<void> {
  await migrateService(infra.db, moderationQueue, silentLogger);
  const ctx = { db: infra.db.db, afterCommit: () => undefined };
  const site = (id: string, settings: object) => ensureSite(ctx, createSiteBodySchema.parse({ id, name: id, settings }));
  await site('eq-post', { comments: { minSubmitSeconds: 0 } });
  await site('eq-first', { comments: { minSubmitSeconds: 0 }, moderation: { mode: 'first-time' } });
  await site('eq-pre', { comments: { minSubmitSeconds: 0 }, moderation: { mode: 'pre' } });
  await site('eq-old', { comments: { minSubmitSeconds: 0, closeAfterDays: 1 } });
  await site('eq-closed', { comments: { minSubmitSeconds: 0 } });
  const db = infra.db.db as Kysely<any>;
  await sql`update moderation.sites set status = 'closed' where id = 'eq-closed'`.execute(db);
  await sql`insert into moderation.policies (site, version, words_version, disallowed_words, suspect_words, reports_hold, spam_hold_threshold, spam_threshold, duplicate_window_minutes, updated_at)
            values ('eq-post', 1, 1, '["casino"]', '["refund"]', true, 0.8, 0.97, 60, now())`.execute(db);
  await sql`insert into moderation.bans (id, site, author_key, email_hash, ip_hash, fingerprint, reason, expires_at, created_at)
            values (${uuidv7()}, 'eq-post', ${hex('banned')}, ${hex('banned')}, null, null, 'abuse', null, now())`.execute(db);
  await sql`insert into moderation.authors (site, author_key, trusted, approved_count) values ('eq-first', ${hex('regular')}, true, 4)`.execute(db);
}

/** A mix of sites, authors and rules, including comments that depend on earlier ones of the same batch. */
function scenario(): CommentsSubmittedV1[] {
  const repeater = { emailHash: hex('repeater') };
  const newcomer = { emailHash: hex('newcomer') };
  const reported = buildSubmitted('eq-post', { submittedAt: at(1) });
  const twice = buildSubmitted('eq-pre', { submittedAt: at(1) });
  return [
    buildSubmitted('eq-post', { submittedAt: at(5) }),
    buildSubmitted('eq-post', { text: 'Exactly my point, nothing more.', author: repeater, submittedAt: at(4) }),
    buildSubmitted('eq-first', { author: newcomer, submittedAt: at(4) }),
    buildSubmitted('eq-post', { text: 'exactly my POINT — nothing more', author: repeater, submittedAt: at(3) }),
    buildSubmitted('eq-first', { author: { emailHash: hex('regular') }, submittedAt: at(3) }),
    buildSubmitted('eq-old', { threadId: 'fresh-thread', submittedAt: at(3 * 24 * 60) }),
    buildSubmitted('eq-post', { author: { emailHash: hex('banned') }, submittedAt: at(3) }),
    buildSubmitted('eq-old', { threadId: 'fresh-thread', submittedAt: at(2) }),
    buildSubmitted('eq-post', { text: 'Best casino bonus in town', submittedAt: at(2) }),
    buildSubmitted('eq-pre', { submittedAt: at(2) }),
    buildSubmitted('eq-post', { text: 'Sources: https://a.example.org/1 https://b.example.org/2 https://c.example.org/3 here', submittedAt: at(2) }),
    buildSubmitted('eq-first', { author: newcomer, submittedAt: at(1) }),
    buildSubmitted('eq-post', { text: 'I want a refund for this article', submittedAt: at(1) }),
    buildSubmitted('eq-post', { signals: { honeypot: true }, submittedAt: at(1) }),
    buildSubmitted('eq-closed', { submittedAt: at(1) }),
    reported,
    twice,
    twice, // the same event delivered twice in one batch
    { ...twice, id: uuidv7() }, // the same comment under a new event id (a producer retry)
    buildSubmitted('eq-post', { text: 'Exactly my point, nothing more!', author: repeater, submittedAt: at(0) }),
  ];
}

async function addEarlyReports(infra: TestInfraHandle, commentId: string): Promise<void> {
  for (const reader of ['r1', 'r2', 'r3']) {
    await sql`insert into moderation.reports (id, site, comment_id, reason, note, reporter_fingerprint, reported_at)
              values (${uuidv7()}, 'eq-post', ${commentId}, 'spam', null, ${hex(reader)}, now())`.execute(infra.db.db as Kysely<any>);
  }
}

const delivery = (envelope: CommentsSubmittedV1, n: number): Delivery<CommentsSubmittedV1> => ({ stream: 'comments.submitted', entryId: `1-${n}`, envelope, deliveries: 1 });

async function stateOf(infra: TestInfraHandle) {
  const db = infra.db.db as Kysely<any>;
  const rows = async (q: ReturnType<typeof sql<Record<string, unknown>>>) => (await q.execute(db)).rows;
  return {
    comments: await rows(sql`select id, site, thread_id, author_key, state, reasons, rules, spam_score, report_count, text_hash from moderation.comments order by id`),
    history: await rows(sql`select comment_id, kind, from_state, to_state, reasons from moderation.comment_events order by comment_id`),
    announced: await rows(sql`select envelope->'payload'->>'commentId' as comment_id, envelope->'payload'->>'to' as to_state, envelope->'payload'->'reasons' as reasons from moderation.outbox where stream = 'comments.status-changed' order by 1`),
    threads: await rows(sql`select site, thread_id, first_seen_at, closed_at from moderation.threads order by site, thread_id`),
    authors: await rows(sql`select site, author_key, trusted, approved_count from moderation.authors order by site, author_key`),
    inbox: await rows(sql`select event_id from moderation.inbox where consumer_group = 'moderation-queue' order by event_id`),
  };
}

beforeAll(async () => {
  [one, batch] = await Promise.all([startTestInfra(), startTestInfra()]);
  await Promise.all([prepare(one), prepare(batch)]);
});

afterAll(async () => {
  await Promise.all([one?.close(), batch?.close()]);
});

describe('moderating a batch', () => {
  it('when comments of several sites and authors come as one batch, then they are decided exactly as one at a time', async () => {
    const events = scenario();
    const reported = events[15]!.payload.commentId;
    await addEarlyReports(one, reported);
    await addEarlyReports(batch, reported);
    const now = () => NOW;

    const singly = [];
    for (const [n, e] of events.entries()) singly.push(...(await moderateDeliveries({ db: one.db.db, now }, [delivery(e, n)])));
    const together = await moderateDeliveries({ db: batch.db.db, now }, events.map(delivery));

    expect(together).toEqual(singly);
    const [a, b] = await Promise.all([stateOf(one), stateOf(batch)]);
    expect(b).toEqual(a);

    // And the scenario exercised what it meant to: each rule, and each dependency on an earlier comment.
    const byId = new Map(a.comments.map((c) => [c.id as string, c as { state: string; rules: string[] }]));
    const outcome = (i: number) => {
      const c = byId.get(events[i]!.payload.commentId)!;
      return [c.state, c.rules];
    };
    expect(outcome(0)).toEqual(['approved', ['APPROVED']]);
    expect(outcome(2)).toEqual(['held', ['FIRST_TIME_AUTHOR']]);
    expect(outcome(3)).toEqual(['rejected', ['DUPLICATE']]);
    expect(outcome(4)).toEqual(['approved', ['APPROVED']]);
    expect(outcome(5)).toEqual(['approved', ['APPROVED']]);
    expect(outcome(6)).toEqual(['rejected', ['BANNED_AUTHOR']]);
    expect(outcome(7)).toEqual(['rejected', ['THREAD_CLOSED']]);
    expect(outcome(8)[0]).toBe('spam');
    expect(outcome(8)[1]).toContain('DISALLOWED_WORD');
    expect(outcome(9)).toEqual(['held', ['PRE_MODERATION']]);
    expect(outcome(10)).toEqual(['held', ['TOO_MANY_LINKS']]);
    expect(outcome(11)).toEqual(['held', ['FIRST_TIME_AUTHOR']]);
    expect(outcome(12)).toEqual(['held', ['SUSPECT_WORD']]);
    expect(outcome(13)[0]).toBe('spam');
    expect(outcome(14)).toEqual(['rejected', ['SITE_CLOSED']]);
    expect(outcome(15)).toEqual(['held', ['REPORTED']]);
    expect(outcome(19)).toEqual(['rejected', ['DUPLICATE']]);
    expect(a.comments).toHaveLength(events.length - 2);
    expect(a.history).toHaveLength(events.length - 2);
    expect(a.announced).toHaveLength(events.length - 2);
    expect(a.inbox).toHaveLength(events.length - 1);
  });

  it('when a batch is delivered again, then nothing is decided twice', async () => {
    const events = [buildSubmitted('eq-post'), buildSubmitted('eq-pre'), buildSubmitted('eq-first')];
    const first = await moderateDeliveries({ db: batch.db.db }, events.map(delivery));
    expect(first.map((c) => c.to)).toEqual(['approved', 'held', 'held']);
    const before = await stateOf(batch);

    // A redelivery, partly overlapping a new message: only the new one has an effect.
    const fresh = buildSubmitted('eq-post');
    const again = await moderateDeliveries({ db: batch.db.db }, [...events, fresh].map(delivery));
    expect(again.map((c) => c.commentId)).toEqual([fresh.payload.commentId]);
    const after = await stateOf(batch);
    expect(after.comments).toHaveLength(before.comments.length + 1);
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.announced).toHaveLength(before.announced.length + 1);
  });

  it('when a batch holds an event of an unknown site, then the whole batch fails as poison and commits nothing', async () => {
    const good = buildSubmitted('eq-post');
    const before = await stateOf(batch);
    await expect(moderateDeliveries({ db: batch.db.db }, [good, buildSubmitted('no-such-site')].map(delivery))).rejects.toThrow(/unknown site no-such-site/);
    expect(await stateOf(batch)).toEqual(before);
    // Alone (as the transport hands it over after the batch failed), the good one goes through.
    expect((await moderateDeliveries({ db: batch.db.db }, [delivery(good, 0)])).map((c) => c.to)).toEqual(['approved']);
  });
});
