import { sql } from 'kysely';
import { Streams, commentsSubmittedV1, type CommentsSubmittedV1 } from '@parley/shared';
import { eventually, publishedEnvelopes } from '@parley/shared/testing';
import { createPrivacy, hashAuthorToken } from '../src/domain/privacy';
import { intakeConfig } from '../src/config';
import { buildComment, buildSite, collectStream, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
let submitted: ReturnType<typeof collectStream<CommentsSubmittedV1>>;
const config = intakeConfig({ NODE_ENV: 'test' });
const privacy = createPrivacy(config.INTAKE_HASH_KEY, config.INTAKE_EMAIL_KEY);

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
  submitted = collectStream(h, Streams.commentsSubmitted, commentsSubmittedV1);
});

afterAll(async () => {
  await submitted.stop();
  await h.stop();
});

const row = async (id: string) =>
  (await sql<Record<string, any>>`select * from intake.comments where id = ${id}`.execute(h.infra.db.db)).rows[0]!;

describe('submitting a comment: what is stored and published', () => {
  it('when a comment is accepted, then its row exists and its comments.submitted event is published', async () => {
    const res = await submit(h, 'daily', 'peace-talks', buildComment({ pageUrl: 'https://daily.example.org/peace-talks', pageTitle: 'Peace talks' }));
    expect(res.status).toBe(202);
    expect((await row(res.body.id)).status).toBe('pending');
    const event = await eventually(async () =>
      (await publishedEnvelopes(h.infra, Streams.commentsSubmitted)).find((e) => (e.payload as { commentId: string }).commentId === res.body.id),
    );
    expect(event.payload).toMatchObject({ commentId: res.body.id, threadId: 'peace-talks' });
    const thread = await sql<{ url: string; title: string }>`select url, title from intake.threads where site_id = 'daily' and id = 'peace-talks'`.execute(h.infra.db.db);
    expect(thread.rows[0]).toEqual({ url: 'https://daily.example.org/peace-talks', title: 'Peace talks' });
  });

  it('when a comment is accepted, then no raw IP, no plain email and no plain author token is stored', async () => {
    const res = await submit(h, 'daily', 'privacy', buildComment({ email: 'Grace@Example.org' }));
    const r = await row(res.body.id);
    const everything = JSON.stringify(r);
    expect(everything).not.toMatch(/127\.0\.0\.1|Grace@Example\.org/i);
    expect(everything).not.toContain(res.body.authorToken);
    expect(r.ip_prefix).toBe('127.0.0.0/24');
    expect(r.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.author_token_hash).toBe(hashAuthorToken(res.body.authorToken));
    expect(r.email_hash).toBe(privacy.emailHash('grace@example.org'));
    expect(privacy.decryptEmail(r.email_encrypted)).toBe('Grace@Example.org');
  });

  it('when the text has decomposed accents and surrounding whitespace, then it is stored NFC-normalised and trimmed', async () => {
    const res = await submit(h, 'daily', 'unicode', buildComment({ text: '  Cafe\u0301 au lait\r\n  ', name: ' Zoe\u0308 ' }));
    const r = await row(res.body.id);
    expect(r.text).toBe('Caf\u00e9 au lait');
    expect(r.author_name).toBe('Zo\u00eb');
  });

  it('when a comment is accepted, then comments.submitted carries hashes, never the email or IP', async () => {
    const res = await submit(h, 'daily', 'events', buildComment({ website: 'https://ada.example.org' }));
    const event = await eventually(async () => submitted.seen.find((e) => e.payload.commentId === res.body.id), 10_000);
    expect(commentsSubmittedV1.parse(event)).toBeTruthy();
    expect(event.site).toBe('daily');
    expect(event.payload.author).toMatchObject({ name: 'Ada Lovelace', website: 'https://ada.example.org', emailDomain: 'example.org' });
    expect(JSON.stringify(event)).not.toMatch(/ada@example\.org|127\.0\.0\.1/);
  });

  it('when a reply is accepted, then it records its parent and thread depth', async () => {
    const parent = await submit(h, 'daily', 'replies', buildComment());
    const reply = await submit(h, 'daily', 'replies', buildComment({ parentId: parent.body.id }));
    expect(reply.status).toBe(202);
    const r = await row(reply.body.id);
    expect(r).toMatchObject({ parent_id: parent.body.id, root_id: parent.body.id, depth: 1 });
  });
});
