import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Streams, silentLogger, uuidv7, uuidv7Floor, type CommentsSubmittedV1, type Logger, type PrivacyRequestsV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { applyPrivacyRequest } from '../src/domain/apply-privacy-request';
import { RETENTION_ERASED, enforceRetention } from '../src/domain/enforce-retention';
import { forgetNetworkData, forgetReporterFingerprints, type NetworkDataScan } from '../src/domain/forget-network-data';
import { RetentionJob } from '../src/jobs/retention.job';
import { openLiveQueue } from './support/live-queue-client';
import { buildSubmitted, hex, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let moderatorKey: string;
let operatorKey: string;
let operatorKeyId: string;

const SITE = 'retention-news';
const NO_ONE = '0'.repeat(64);
const DAY = 86_400_000;

beforeAll(async () => {
  // Webhook calls of the pipeline's verdicts wait for the dispatcher's poll, so they are still
  // waiting when retention runs (a moderator's decision would wake the dispatcher).
  // The service's own retention job (first run a minute after start) keeps away from the network
  // data of the comments below: the tests run that window themselves.
  h = await startModeration({ WEBHOOK_POLL_MS: '600000', RETENTION_NETWORK_DAYS: '0' });
  moderatorKey = await h.siteWithModerator(SITE, { moderation: { mode: 'pre' } });
  const operator = await h.admin.createKey({ role: 'admin', sites: [SITE] });
  operatorKey = operator.body.secret as string;
  operatorKeyId = operator.body.id as string;
});

afterAll(async () => {
  await h.close();
});

const mod = () => modClient(h.svc.url, moderatorKey, SITE);
const row = (id: string) => h.db.withSchema('moderation').selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = (id: string) => h.db.withSchema('moderation').selectFrom('comment_events').selectAll().where('comment_id', '=', id).orderBy('at').orderBy('id').execute();
const pendingDeliveries = async (id: string) =>
  (await h.db.withSchema('moderation').selectFrom('webhook_deliveries').select(['body']).where('delivered_at', 'is', null).where('failed_at', 'is', null).execute()).filter(
    (d) => d.body.includes(id),
  );

/** Moves everything the comment's row and history say happened `days` days back, as if it had. */
async function age(id: string, days: number): Promise<void> {
  const back = sql<string>`make_interval(days => ${days})`;
  await h.db
    .withSchema('moderation')
    .updateTable('comments')
    .set({
      submitted_at: sql`submitted_at - ${back}`,
      received_at: sql`received_at - ${back}`,
      decided_at: sql`decided_at - ${back}`,
      human_decided_at: sql`human_decided_at - ${back}`,
    })
    .where('id', '=', id)
    .execute();
  await h.db.withSchema('moderation').updateTable('comment_events').set({ at: sql`at - ${back}` }).where('comment_id', '=', id).execute();
}

/** A comment the pipeline judges spam (its honeypot field was filled in). */
const spam = (o: Parameters<typeof buildSubmitted>[1] = {}) => buildSubmitted(SITE, { ...o, signals: { honeypot: true } });

async function submitAs(e: CommentsSubmittedV1, state: string): Promise<string> {
  expect(await h.submit(e)).toBe(state);
  return e.payload.commentId;
}

describe('retention of unpublished comments', () => {
  it('when a spam and a rejected comment were decided longer ago than the window, then they keep their state but lose their author’s data, text and history details, with RETENTION_ERASED in their history and their waiting webhook calls dropped', async () => {
    const author = { name: 'Wiesława Przybyszewska', website: 'https://przybyszewska.example.net', emailDomain: 'example.net', ipPrefix: '203.0.113.0/24' };
    const rejected = await submitAs(buildSubmitted(SITE, { author, text: 'The ferry timetable changed again without notice in Gdynia.' }), 'held');
    expect((await mod().decide(rejected, { action: 'reject', expectedState: 'held', reason: 'off topic, mentions Świętojańska' })).status).toBe(200);
    // Created after the decision, so the calls about the spam below wait for the dispatcher's next poll.
    const hook = await modClient(h.svc.url, operatorKey, SITE).createWebhook({ url: 'http://127.0.0.1:9/hooks', events: ['spam'] });
    expect(hook.status).toBe(201);
    const oldSpam = await submitAs(spam({ author, text: 'Cheap ferry tickets to Gdynia at przybyszewska.example.net' }), 'spam');
    const recentSpam = await submitAs(spam({ author, text: 'More cheap ferry tickets to Gdynia' }), 'spam');
    expect(await pendingDeliveries(oldSpam)).toHaveLength(1);
    for (const id of [rejected, oldSpam]) await age(id, 31);
    const decidedBefore = new Map<string, string>();
    for (const id of [rejected, oldSpam]) decidedBefore.set(id, (await mod().comment(id)).body.decidedAt as string);
    const countsBefore = (await mod().counts()).body.counts;
    const recentBefore = await row(recentSpam);
    const now = new Date();

    expect(await enforceRetention(h.db, 30, { now })).toBe(2);

    for (const [id, state] of [
      [rejected, 'rejected'],
      [oldSpam, 'spam'],
    ] as const) {
      const res = await mod().comment(id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        state,
        decidedAt: decidedBefore.get(id),
        author: { key: NO_ONE, name: '', website: null, emailDomain: null, ipPrefix: '' },
        text: '',
        reasons: [{ code: RETENTION_ERASED, detail: expect.stringContaining('30 days') }],
      });
      const entries = res.body.history as { kind: string; from: string | null; to: string | null; reasons: { detail: string }[]; note: string | null }[];
      expect(entries.at(-1)).toEqual({ kind: 'verdict', from: null, to: null, reasons: [{ code: RETENTION_ERASED, detail: expect.any(String) }], actor: { kind: 'pipeline', keyId: null }, note: null, at: now.toISOString() });
      // Earlier entries keep their codes and states, not their details or notes.
      expect(entries.at(-2)?.to).toBe(state);
      for (const e of entries.slice(0, -1)) {
        expect(e.note).toBeNull();
        for (const r of e.reasons) expect(r.detail).toBe('');
      }
      expect(JSON.stringify(res.body)).not.toMatch(/Przybyszewska|Świętojańska|Gdynia|example\.net|203\.0\.113/i);
      expect(await row(id)).toMatchObject({ state, erased_at: now, author_email_hash: null, author_ip_hash: '', author_fingerprint: '', text_hash: '', author_key: NO_ONE });
    }
    // The moderator's reason for rejecting it leaves the audit log too; the decision's entry stays.
    const audit = (await modClient(h.svc.url, operatorKey, SITE).audit({ limit: 200 })).body.items as { action: string; target: string; after: { reason?: string | null } }[];
    expect(audit.filter((e) => e.target === rejected)).toEqual([expect.objectContaining({ action: 'comment.reject', after: expect.objectContaining({ state: 'rejected', reason: null }) })]);
    expect(JSON.stringify(audit)).not.toMatch(/Świętojańska/);
    expect(await pendingDeliveries(oldSpam)).toEqual([]);
    expect(await pendingDeliveries(recentSpam)).toHaveLength(1);
    expect(await row(recentSpam)).toEqual(recentBefore);
    // Spam stays spam, rejected stays rejected: the queue counts do not move.
    expect((await mod().counts()).body.counts).toEqual(countsBefore);
    // There is nothing left to judge, nor to publish.
    const refused = await mod().decide(oldSpam, { action: 'approve', expectedState: 'spam' });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(refused.body)).toContain('personal data was erased');
    expect((await mod().bulk({ action: 'approve', items: [{ commentId: rejected, expectedState: 'rejected' }] })).body.results).toEqual([
      { commentId: rejected, outcome: 'invalid-transition', state: 'rejected' },
    ]);
    await modClient(h.svc.url, operatorKey, SITE).deleteWebhook(hook.body.id as string);
  });

  it('when an approved or a held comment is older than the window, or a spam one is recent, then retention leaves them as they are', async () => {
    const held = await submitAs(buildSubmitted(SITE), 'held');
    const approved = await submitAs(buildSubmitted(SITE), 'held');
    expect((await mod().decide(approved, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    for (const id of [held, approved]) await age(id, 400);
    const recent = await submitAs(spam(), 'spam');
    await age(recent, 29);
    const before = await Promise.all([held, approved, recent].map(async (id) => ({ row: await row(id), history: await history(id) })));

    expect(await enforceRetention(h.db, 30)).toBe(0);

    expect(await Promise.all([held, approved, recent].map(async (id) => ({ row: await row(id), history: await history(id) })))).toEqual(before);
  });

  it('when retention runs again, then it erases nothing more and changes nothing', async () => {
    const id = await submitAs(spam(), 'spam');
    await age(id, 31);
    const now = new Date();
    expect(await enforceRetention(h.db, 30, { now })).toBe(1);
    const after = { row: await row(id), history: await history(id) };

    expect(await enforceRetention(h.db, 30, { now: new Date(now.getTime() + 60_000) })).toBe(0);

    expect({ row: await row(id), history: await history(id) }).toEqual(after);
    expect(after.history.filter((e) => e.reasons.some((r) => r.code === RETENTION_ERASED))).toHaveLength(1);
  });

  it('when RETENTION_UNPUBLISHED_DAYS is 0, then nothing is erased however old', async () => {
    const id = await submitAs(spam(), 'spam');
    await age(id, 4_000);
    const before = await row(id);

    expect(await enforceRetention(h.db, 0)).toBe(0);
    expect(await row(id)).toEqual(before);

    // It was due all along: a window erases it.
    expect(await enforceRetention(h.db, 30)).toBe(1);
    expect(await row(id)).toMatchObject({ state: 'spam', text: '', author_name: '' });
  });

  it('when more comments are due than one chunk holds, then they are erased chunk by chunk until none is left', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submitAs(spam(), 'spam'));
    for (const id of ids) await age(id, 31);

    expect(await enforceRetention(h.db, 30, { chunk: 2 })).toBe(5);

    for (const id of ids) expect((await row(id)).erased_at).not.toBeNull();
  });

  it('when a privacy request erased a comment, then it is marked erased and retention does not erase it again', async () => {
    const id = await submitAs(spam(), 'spam');
    await age(id, 31);
    const erasure: PrivacyRequestsV1 = {
      id: uuidv7(),
      type: 'privacy.requests',
      version: 1,
      occurredAt: new Date().toISOString(),
      site: SITE,
      payload: {
        requestId: uuidv7(),
        kind: 'erase',
        subject: { emailHash: null, authorTokenHash: null, consentId: null },
        commentIds: [id],
        requestedBy: { kind: 'operator', keyId: operatorKeyId },
        requestedAt: new Date().toISOString(),
      },
    };
    const at = new Date();
    await h.db.transaction().execute((trx) => applyPrivacyRequest(trx, erasure, at));
    expect(await row(id)).toMatchObject({ state: 'deleted', erased_at: at });
    const before = { row: await row(id), history: await history(id) };

    // 31 days old: due, were it not erased already.
    expect(await enforceRetention(h.db, 30)).toBe(0);

    expect({ row: await row(id), history: await history(id) }).toEqual(before);
  });

  it('when an author deleted a long-approved comment recently, then it keeps its data until the window has passed since the deletion', async () => {
    const id = await submitAs(buildSubmitted(SITE), 'held');
    expect((await mod().decide(id, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    await age(id, 400);
    const deletedAt = new Date();
    const c = await row(id);
    await h.infra.transport.publish(Streams.commentsStatusChanged, {
      id: uuidv7(),
      type: 'comments.status-changed',
      version: 1,
      occurredAt: deletedAt.toISOString(),
      site: SITE,
      payload: { commentId: id, threadId: c.thread_id, from: 'approved', to: 'deleted', reasons: [], actor: { kind: 'author', keyId: null }, changedAt: deletedAt.toISOString() },
    });
    await eventually(async () => (await row(id)).state === 'deleted');
    // An author's deletion keeps the decision's time: the history tells when it was deleted.
    expect((await row(id)).decided_at!.getTime()).toBeLessThan(deletedAt.getTime() - 399 * DAY);

    // (Runs this far ahead also erase what earlier tests left recent: only this comment is looked at.)
    await enforceRetention(h.db, 30, { now: new Date(deletedAt.getTime() + 29 * DAY) });
    expect(await row(id)).toMatchObject({ state: 'deleted', erased_at: null, text: c.text, author_name: c.author_name });

    await enforceRetention(h.db, 30, { now: new Date(deletedAt.getTime() + 31 * DAY) });
    expect(await row(id)).toMatchObject({ state: 'deleted', text: '', author_name: '', author_key: NO_ONE });
  });

  it('when the service runs, then its scheduled job erases what is due, every RETENTION_INTERVAL_MS, and moderators watching any instance see the comment change', async () => {
    const id = await submitAs(spam(), 'spam');
    await age(id, 31);
    const live = openLiveQueue(h.svc.url, moderatorKey, SITE);
    await eventually(async () => live.status() === 200);
    const other = await h.startInstance({ RETENTION_UNPUBLISHED_DAYS: '30', RETENTION_INTERVAL_MS: '1000' });
    try {
      await eventually(async () => (await row(id)).erased_at !== null, 10_000);
      // The job ran on the other instance; the live queue is this one's.
      const changed = await eventually(async () => live.events.find((e) => e.data.commentId === id));
      expect(changed).toEqual({ event: 'changed', data: expect.objectContaining({ commentId: id, from: 'spam', to: 'spam' }) });
    } finally {
      live.close();
      await other.stop();
    }
    expect(await row(id)).toMatchObject({ state: 'spam', text: '', author_name: '' });
  });
});

/**
 * A UUIDv7 as comment-intake made it `daysAgo` days ago (uuidv7 itself never goes back in time
 * within a process, so it cannot make one).
 */
function idOf(daysAgo: number): string {
  const r = randomBytes(9).toString('hex');
  return `${uuidv7Floor(Date.now() - daysAgo * DAY).slice(0, 14)}7${r.slice(0, 3)}-8${r.slice(3, 6)}-${r.slice(6)}`;
}

/** A comment submitted `daysAgo` days ago (by its id, as retention reads it); returns its id once stored. */
async function submittedAgo(daysAgo: number, o: Parameters<typeof buildSubmitted>[1] = {}, state = 'held'): Promise<string> {
  return submitAs(buildSubmitted(SITE, { ...o, commentId: idOf(daysAgo) }), state);
}

const network = (id: string) =>
  h.db.withSchema('moderation').selectFrom('comments').select(['author_ip_hash', 'author_ip_prefix', 'author_fingerprint']).where('id', '=', id).executeTakeFirstOrThrow();
const CLEARED = { author_ip_hash: '', author_ip_prefix: '', author_fingerprint: '' };

describe('retention of network data', () => {
  it('when comments in any state were submitted longer ago than the window, then they lose their IP hash, IP prefix and fingerprint and keep everything else; a recent one and bans keep theirs', async () => {
    const author = { name: 'Ksawery Grzybowski', ipPrefix: '198.51.100.0/24' };
    const held = await submittedAgo(200, { author, text: 'The tram line to Oliwa should run all night.' });
    const approved = await submittedAgo(200);
    expect((await mod().decide(approved, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    const oldSpam = await submittedAgo(190, { signals: { honeypot: true } }, 'spam');
    const recent = await submittedAgo(170);
    const fresh = await submitAs(buildSubmitted(SITE), 'held');
    const banned = (await row(held)).author_key;
    expect((await mod().ban(banned, { reason: 'tram spam' })).status).toBe(201);
    const ban = () => h.db.withSchema('moderation').selectFrom('bans').selectAll().where('author_key', '=', banned).executeTakeFirstOrThrow();
    const banBefore = await ban();
    expect(banBefore).toMatchObject({ ip_hash: expect.stringMatching(/^[0-9a-f]{64}$/), fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const all = [held, approved, oldSpam, recent, fresh];
    const before = new Map(await Promise.all(all.map(async (id) => [id, { row: await row(id), history: await history(id), api: (await mod().comment(id)).body }] as const)));
    expect(before.get(held)!.api).toMatchObject({ state: 'held', author: { name: author.name, ipPrefix: author.ipPrefix } });

    expect(await forgetNetworkData(h.db, 180)).toBe(3);

    for (const id of [held, approved, oldSpam]) {
      const was = before.get(id)!;
      expect(was.row).toMatchObject({ author_ip_hash: expect.stringMatching(/^[0-9a-f]{64}$/), author_fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) });
      // Nothing else changes: not the state, name, text, version nor the history.
      expect(await row(id)).toEqual({ ...was.row, ...CLEARED });
      expect(await history(id)).toEqual(was.history);
      const res = await mod().comment(id);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...was.api, author: { ...was.api.author, ipPrefix: '' } });
    }
    expect((await mod().comment(held)).body).toMatchObject({ state: 'held', text: 'The tram line to Oliwa should run all night.', author: { name: author.name, ipPrefix: '' } });
    expect((await mod().comment(approved)).body.state).toBe('approved');
    expect((await mod().comment(oldSpam)).body.state).toBe('spam');
    for (const id of [recent, fresh]) {
      expect(await row(id)).toEqual(before.get(id)!.row);
      expect(await history(id)).toEqual(before.get(id)!.history);
    }
    expect(await ban()).toEqual(banBefore);
  });

  it('when RETENTION_NETWORK_DAYS is 0, then nothing is cleared however old', async () => {
    const id = await submittedAgo(4_000);
    const before = await row(id);

    expect(await forgetNetworkData(h.db, 0)).toBe(0);
    expect(await row(id)).toEqual(before);

    // It was due all along: a window clears it.
    expect(await forgetNetworkData(h.db, 180)).toBe(1);
    expect(await network(id)).toEqual(CLEARED);
  });

  it('when an author without an email wrote longer ago than the window, then their fingerprint stops being their author key and their trust goes, unless a recent comment still carries it', async () => {
    const gone = hex(`fp-old-${randomBytes(4).toString('hex')}`);
    const back = hex(`fp-back-${randomBytes(4).toString('hex')}`);
    const byGone = [await submittedAgo(200, { author: { emailHash: null, fingerprint: gone } }), await submittedAgo(195, { author: { emailHash: null, fingerprint: gone } })];
    const oldBack = await submittedAgo(200, { author: { emailHash: null, fingerprint: back } });
    const recentBack = await submittedAgo(10, { author: { emailHash: null, fingerprint: back } });
    for (const id of [byGone[0]!, oldBack, recentBack]) expect((await mod().decide(id, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    expect((await row(byGone[1]!)).author_key).toBe(gone);
    expect((await mod().author(gone)).body).toMatchObject({ trusted: true, approvedCount: 1 });
    expect((await mod().author(back)).body).toMatchObject({ trusted: true, approvedCount: 2 });

    expect(await forgetNetworkData(h.db, 180)).toBe(3);

    for (const id of [...byGone, oldBack]) {
      expect(await row(id)).toMatchObject({ ...CLEARED, author_key: NO_ONE });
      expect((await mod().comment(id)).body.author.key).toBe(NO_ONE);
    }
    expect((await mod().author(gone)).status).toBe(404);
    expect(await h.db.withSchema('moderation').selectFrom('authors').select('author_key').where('author_key', '=', gone).execute()).toEqual([]);
    // The recent comment keeps its author: their trust stays, and only it is listed under them.
    expect((await row(recentBack)).author_key).toBe(back);
    const kept = await mod().author(back);
    expect(kept.body).toMatchObject({ trusted: true, approvedCount: 2 });
    expect(kept.body.comments.map((c: { id: string }) => c.id)).toEqual([recentBack]);
  });

  it('when the window runs again, from where it got or from the first comment, then it clears nothing more and changes nothing', async () => {
    const id = await submittedAgo(200);
    const scan: NetworkDataScan = {};
    expect(await forgetNetworkData(h.db, 180, scan)).toBe(1);
    const after = { row: await row(id), history: await history(id) };

    expect(await forgetNetworkData(h.db, 180, scan)).toBe(0);
    expect(await forgetNetworkData(h.db, 180)).toBe(0);

    expect({ row: await row(id), history: await history(id) }).toEqual(after);
  });

  it('when more comments are due than one chunk holds, then they are cleared chunk by chunk until none is left, and the scan ends at the last one', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submittedAgo(200 + i));
    const scan: NetworkDataScan = {};

    expect(await forgetNetworkData(h.db, 180, scan, { chunk: 2 })).toBe(5);

    for (const id of ids) expect(await network(id)).toEqual(CLEARED);
    expect(scan.reached).toBe([...ids].sort().at(-1));
  });

  it('when the job runs again, then it looks only after the last comment it cleared; a new job, as after a restart, starts from the first comment and also finds what lies behind', async () => {
    const job = new RetentionJob({ db: h.db, logger: silentLogger, everyMs: 3_600_000, unpublishedDays: 30, networkDays: 180 });
    const first = await submittedAgo(200);
    await job.run();
    expect(await network(first)).toEqual(CLEARED);
    // One aged into the window since, and one that reached moderation late with an older id.
    const aged = await submittedAgo(190);
    const late = await submittedAgo(250);

    await job.run();
    expect(await network(aged)).toEqual(CLEARED);
    expect(await network(late)).not.toEqual(CLEARED);

    await new RetentionJob({ db: h.db, logger: silentLogger, everyMs: 3_600_000, unpublishedDays: 30, networkDays: 180 }).run();
    expect(await network(late)).toEqual(CLEARED);
  });

  it('when one window fails, then the other still runs and the failure is logged with its message only', async () => {
    const id = await submittedAgo(200);
    const warnings: object[] = [];
    const logger = { info: () => undefined, warn: (o: object) => void warnings.push(o) } as unknown as Logger;
    // A cutoff 246,000 years back is out of Postgres's range: the unpublished window fails.
    const job = new RetentionJob({ db: h.db, logger, everyMs: 3_600_000, unpublishedDays: 90_000_000, networkDays: 180 });

    await job.run();

    expect(await network(id)).toEqual(CLEARED);
    expect(warnings).toEqual([{ job: 'retention', window: 'unpublished', err: { message: expect.stringContaining('out of range') } }]);
  });

  it('when the service runs, then its scheduled job also clears the network data of old comments, every RETENTION_INTERVAL_MS', async () => {
    const old = await submittedAgo(200);
    const recent = await submittedAgo(10);
    const other = await h.startInstance({ RETENTION_NETWORK_DAYS: '180', RETENTION_INTERVAL_MS: '1000' });
    try {
      await eventually(async () => (await network(old)).author_ip_hash === '', 10_000);
    } finally {
      await other.stop();
    }
    expect(await network(old)).toEqual(CLEARED);
    expect(await network(recent)).not.toEqual(CLEARED);
    expect(await row(old)).toMatchObject({ state: 'held', erased_at: null });
  });

  it('when reports were made longer ago than the window, then the job clears their reporters’ fingerprints and keeps reason and note; recent ones stay', async () => {
    const commentId = await submittedAgo(300);
    const report = (daysAgo: number) => ({
      id: idOf(daysAgo),
      site: SITE,
      comment_id: commentId,
      reason: 'abuse',
      note: 'rude to other readers',
      reporter_fingerprint: randomBytes(32).toString('hex'),
      reported_at: new Date(Date.now() - daysAgo * DAY),
    });
    const [old1, old2, recent] = [report(200), report(181), report(20)];
    await h.db.withSchema('moderation').insertInto('reports').values([old1, old2, recent]).execute();
    const reports = () =>
      h.db.withSchema('moderation').selectFrom('reports').selectAll().where('comment_id', '=', commentId).orderBy('id').execute();

    await new RetentionJob({ db: h.db, logger: silentLogger, everyMs: 3_600_000, unpublishedDays: 30, networkDays: 180 }).run();

    const after = await reports();
    expect(after).toEqual([
      { ...old1, reporter_fingerprint: `cleared:${old1.id}` },
      { ...old2, reporter_fingerprint: `cleared:${old2.id}` },
      recent,
    ]);
    // A second pass, from the first report or from where a scan got, finds nothing more.
    expect(await forgetReporterFingerprints(h.db, 180)).toBe(0);
  });
});
