import { sql } from 'kysely';
import request from 'supertest';
import { randomBytes } from 'node:crypto';
import { uuidv7Floor } from '@parley/shared';
import { NetworkDataRetention, enforceRetention } from '../src/domain/enforce-retention';
import { intakeConfig } from '../src/config';
import { ORIGIN, approvedComment, bareContext, buildComment, buildSite, decide, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const context = () => bareContext(h);
const row = async (id: string) => (await sql<Record<string, unknown>>`select * from intake.comments where id = ${id}`.execute(h.infra.db.db)).rows[0]!;
const age = (id: string, days: number) =>
  sql`update intake.comments set status_changed_at = now() - make_interval(days => ${days}) where id = ${id}`.execute(h.infra.db.db);

/** A comment moderation decided `to`, `daysAgo` days ago. */
async function decided(to: 'spam' | 'rejected' | 'approved', daysAgo: number, text: string) {
  const res = await submit(h, 'daily', 'retention', buildComment({ text, name: 'Old Author', website: 'https://old.example.org' }));
  await decide(h, 'daily', res.body.id, 'pending', to);
  await age(res.body.id, daysAgo);
  return res.body.id as string;
}

describe('retention of unpublished comments', () => {
  it('when spam and rejected comments are older than the window, then they lose their author’s data and keep their status; newer and published ones stay', async () => {
    const oldSpam = await decided('spam', 31, 'Cheap pills, old.');
    const oldRejected = await decided('rejected', 40, 'Rude, old.');
    const newSpam = await decided('spam', 5, 'Cheap pills, new.');
    const oldApproved = await approvedComment(h, 'daily', 'retention', { text: 'Approved long ago.' });
    await age(oldApproved.id, 400);

    expect(await enforceRetention(context(), 30)).toBe(2);
    expect(await row(oldSpam)).toMatchObject({ status: 'spam', author_name: '', author_website: null, email_encrypted: null, email_hash: null, ip_prefix: '', fingerprint: '', text: '' });
    expect(await row(oldRejected)).toMatchObject({ status: 'rejected', text: '' });
    expect((await row(oldRejected)).erased_at).toBeInstanceOf(Date);
    expect(await row(newSpam)).toMatchObject({ status: 'spam', text: 'Cheap pills, new.', erased_at: null });
    expect(await row(oldApproved.id)).toMatchObject({ status: 'approved', text: 'Approved long ago.', erased_at: null });

    // The next run finds nothing more to do.
    expect(await enforceRetention(context(), 30)).toBe(0);
  });

  it('when the window is 0 days, then nothing is erased', async () => {
    const id = await decided('spam', 1000, 'Kept for ever.');
    expect(await enforceRetention(context(), 0)).toBe(0);
    expect(await row(id)).toMatchObject({ text: 'Kept for ever.', erased_at: null });
  });

  it('when more comments are due than one transaction takes, then every one of them is erased', async () => {
    const res = await submit(h, 'daily', 'retention-bulk', buildComment({ text: 'template' }));
    await decide(h, 'daily', res.body.id, 'pending', 'spam');
    const dueBefore = await sql<{ n: number }>`
      select count(*)::int as n from intake.comments
       where erased_at is null and status in ('spam', 'rejected', 'removed', 'deleted') and status_changed_at < now() - interval '30 days'`.execute(h.infra.db.db);
    // 2,500 copies of a spam comment, decided long ago, beside what earlier tests left due.
    await sql`
      insert into intake.comments
      select gen_random_uuid(), site_id, thread_id, parent_id, root_id, depth, status, author_name, author_website, email_encrypted,
             email_hash, email_domain, ip_hash, ip_prefix, fingerprint, author_token_hash, text, signals, created_at,
             now() - interval '60 days', erased_at
        from intake.comments, generate_series(1, 2500)
       where id = ${res.body.id}`.execute(h.infra.db.db);
    expect(await enforceRetention(context(), 30)).toBe(2500 + dueBefore.rows[0]!.n);
    const left = await sql<{ n: number }>`select count(*)::int as n from intake.comments where thread_id = 'retention-bulk' and text <> ''`.execute(h.infra.db.db);
    expect(left.rows[0]!.n).toBe(1); // the template, decided just now
  });

  it('when the setting is read, then it defaults to 30 days and 0 is allowed', () => {
    expect(intakeConfig({ NODE_ENV: 'test' }).RETENTION_UNPUBLISHED_DAYS).toBe(30);
    expect(intakeConfig({ NODE_ENV: 'test', RETENTION_UNPUBLISHED_DAYS: '0' }).RETENTION_UNPUBLISHED_DAYS).toBe(0);
  });
});

/** An id as a comment written at `ms` has (UUIDv7), with a random tail. */
const idAt = (ms: number) => `${uuidv7Floor(ms).slice(0, 24)}${randomBytes(6).toString('hex')}`;
const DAY = 86_400_000;

/** Copies of a submitted comment with ids of the given times; returns their ids. */
async function writtenAt(times: number[]): Promise<string[]> {
  const res = await submit(h, 'daily', 'network', buildComment({ text: 'Written a while ago.' }));
  const ids = times.map(idAt);
  await sql`
    insert into intake.comments
    select x.id, site_id, thread_id, parent_id, root_id, depth, status, author_name, author_website, email_encrypted,
           email_hash, email_domain, ip_hash, ip_prefix, fingerprint, author_token_hash, text, signals, created_at,
           status_changed_at, erased_at
      from intake.comments, unnest(${ids}::uuid[]) as x(id)
     where intake.comments.id = ${res.body.id}`.execute(h.infra.db.db);
  return ids;
}

describe('retention of network data', () => {
  it('when comments were written longer ago than the window, then they lose IP hash, network prefix and fingerprint, and keep the rest', async () => {
    const now = Date.now();
    const [old1, old2, recent] = await writtenAt([now - 200 * DAY, now - 181 * DAY, now - 10 * DAY]);
    const job = new NetworkDataRetention(bareContext(h), 180);
    expect((await job.run()).comments).toBeGreaterThanOrEqual(2);
    for (const id of [old1!, old2!]) expect(await row(id)).toMatchObject({ ip_hash: '', ip_prefix: '', fingerprint: '', text: 'Written a while ago.', author_name: 'Ada Lovelace', status: 'pending' });
    expect((await row(recent!)).ip_prefix).toMatch(/\/(24|48)$/);
    // The next run starts where this one ended and finds nothing.
    expect(await job.run()).toEqual({ comments: 0, reports: 0 });
  });

  it('when more comments are due than one transaction takes, then a fresh job clears them all', async () => {
    const now = Date.now();
    await writtenAt(Array.from({ length: 2_500 }, (_, i) => now - 365 * DAY - i * 1000));
    expect((await new NetworkDataRetention(bareContext(h), 180).run()).comments).toBe(2_500);
    const left = await sql<{ n: number }>`select count(*)::int as n from intake.comments where id < ${uuidv7Floor(now - 180 * DAY)}::uuid and ip_hash <> ''`.execute(h.infra.db.db);
    expect(left.rows[0]!.n).toBe(0);
  });

  it('when the window is 0 days, then nothing is cleared', async () => {
    const [old] = await writtenAt([Date.now() - 900 * DAY]);
    expect(await new NetworkDataRetention(bareContext(h), 0).run()).toEqual({ comments: 0, reports: 0 });
    expect((await row(old!)).ip_prefix).not.toBe('');
  });

  it('when reports were made longer ago than the window, then they lose their reader’s fingerprint, keep reason and note, and that reader may report again', async () => {
    const c = await approvedComment(h, 'daily', 'reported-long-ago');
    const report = (ua: string) => request(h.url).post(`/v1/comments/${c.id}/reports`).set('Origin', ORIGIN).set('User-Agent', ua).send({ reason: 'abuse', note: 'rude' });
    const first = await report('reader-1');
    const second = await report('reader-2');
    const recent = await report('reader-3');
    expect([first.status, second.status, recent.status]).toEqual([202, 202, 202]);
    // Two of the three reports were made 200 days ago: ids are UUIDv7, so their ids say so.
    for (const [res, days] of [[first, 200], [second, 190]] as const) {
      await sql`update intake.reports set id = ${idAt(Date.now() - days * DAY)}::uuid where id = ${res.body.reportId}`.execute(h.infra.db.db);
    }

    expect((await new NetworkDataRetention(bareContext(h), 180).run()).reports).toBe(2);
    const { rows } = await sql<{ fingerprint: string; reason: string; note: string }>`
      select fingerprint, reason, note from intake.reports where comment_id = ${c.id} order by id`.execute(h.infra.db.db);
    expect(rows.map((r) => [r.fingerprint.startsWith('cleared:'), r.reason, r.note])).toEqual([
      [true, 'abuse', 'rude'],
      [true, 'abuse', 'rude'],
      [false, 'abuse', 'rude'],
    ]);
    // The once-per-reader rule now only knows the recent reader.
    expect((await report('reader-1')).status).toBe(202);
    expect((await report('reader-3')).status).toBe(409);
  });

  it('when the setting is read, then it defaults to 180 days', () => {
    expect(intakeConfig({ NODE_ENV: 'test' }).RETENTION_NETWORK_DAYS).toBe(180);
  });
});
