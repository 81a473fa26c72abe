import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Streams, uuidv7, type PrivacyRequestsV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { applyPrivacyRequest } from '../src/domain/apply-privacy-request';
import { moderateSubmittedBatch } from '../src/domain/moderate-comment';
import * as auditCommentReasons from '../migrations/2026_11_27_1700_audit_comment_reasons';
import { openLiveQueue } from './support/live-queue-client';
import { buildSubmitted, hex, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let moderatorKey: string;
let operatorKeyId: string;
let operatorKey: string;
let receiver: http.Server;
let receiverUrl: string;
/** Bodies the local webhook receiver got. */
const received: string[] = [];

const SITE = 'privacy-news';
const OTHER_SITE = 'privacy-elsewhere';
const NO_ONE = '0'.repeat(64);

beforeAll(async () => {
  // Webhook calls of the pipeline's verdicts wait for the dispatcher's poll: a long one keeps them
  // waiting until a moderator's decision wakes the dispatcher.
  h = await startModeration({ WEBHOOK_POLL_MS: '600000' });
  moderatorKey = await h.siteWithModerator(SITE, { moderation: { mode: 'pre' } });
  await h.siteWithModerator(OTHER_SITE);
  const operator = await h.admin.createKey({ role: 'admin', sites: [SITE] });
  operatorKeyId = operator.body.id as string;
  operatorKey = operator.body.secret as string;
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/parley`;
});

afterAll(async () => {
  await h.close();
  await new Promise((r) => receiver.close(r));
});

const mod = () => modClient(h.svc.url, moderatorKey, SITE);

/** A `privacy.requests` event as intake publishes it after erasing (or exporting) on its side. */
function privacyRequest(
  site: string,
  o: { kind?: 'erase' | 'export'; commentIds?: string[]; emailHash?: string | null; by?: 'operator' | 'author'; requestId?: string; requestedAt?: string } = {},
): PrivacyRequestsV1 {
  const by = o.by ?? 'operator';
  const at = o.requestedAt ?? new Date().toISOString();
  return {
    id: uuidv7(),
    type: 'privacy.requests',
    version: 1,
    occurredAt: at,
    site,
    payload: {
      requestId: o.requestId ?? uuidv7(),
      kind: o.kind ?? 'erase',
      subject: { emailHash: o.emailHash ?? null, authorTokenHash: by === 'author' ? hex(`token-${uuidv7()}`) : null, consentId: null },
      commentIds: o.commentIds ?? [],
      requestedBy: { kind: by, keyId: by === 'operator' ? operatorKeyId : null },
      requestedAt: at,
    },
  };
}

/** Publishes the events and waits until moderation's consumer has handled (and acknowledged) all of them. */
async function deliver(...events: PrivacyRequestsV1[]): Promise<void> {
  for (const e of events) await h.infra.transport.publish(Streams.privacyRequests, e);
  await eventually(async () => {
    const s = await h.infra.transport.stats(Streams.privacyRequests, 'moderation-queue');
    return s.pending === 0 && s.lag === 0;
  });
}

const row = (id: string) => h.db.withSchema('moderation').selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();

/** Stores the comment (held: the site pre-moderates) and has a moderator approve it. */
async function approve(e: ReturnType<typeof buildSubmitted>): Promise<void> {
  expect(await h.submit(e)).toBe('held');
  expect((await mod().decide(e.payload.commentId, { action: 'approve', expectedState: 'held' })).status).toBe(200);
}
const history = (id: string) => h.db.withSchema('moderation').selectFrom('comment_events').selectAll().where('comment_id', '=', id).orderBy('at').orderBy('id').execute();
/**
 * The `comments.status-changed` events about the comment, once everything moderation published
 * before now has reached the test's observer: a moderator's decision made now is published after
 * them, so its arrival closes the window.
 */
async function statusChangesOf(id: string) {
  const marker = buildSubmitted(SITE);
  await h.submit(marker);
  expect((await mod().decide(marker.payload.commentId, { action: 'reject', expectedState: 'held' })).status).toBe(200);
  await eventually(async () => h.statusChanges.some((e) => e.payload.commentId === marker.payload.commentId && e.payload.to === 'rejected'));
  return h.statusChanges.filter((e) => e.payload.commentId === id);
}

describe('privacy requests', () => {
  it('when an operator erases a held and an approved comment, then moderators see both deleted with nothing of their author or text, out of every queue, with PRIVACY_ERASED in their history', async () => {
    const live = openLiveQueue(h.svc.url, moderatorKey, SITE);
    await eventually(async () => live.status() === 200);
    const author = { name: 'Wiesława Przybyszewska', website: 'https://przybyszewska.example.net', emailDomain: 'example.net', ipPrefix: '203.0.113.0/24' };
    const held = buildSubmitted(SITE, { author, text: 'The ferry timetable changed again without notice in Gdynia.' });
    const approved = buildSubmitted(SITE, { author, text: 'My neighbour at Świętojańska 12 says the same about the buses.' });
    expect(await h.submit(held)).toBe('held');
    expect(await h.submit(approved)).toBe('held');
    // A moderator's approval teaches the site's classifier the comment's words and its author's name.
    expect((await mod().decide(approved.payload.commentId, { action: 'approve', expectedState: 'held', reason: 'fine, mentions Świętojańska' })).status).toBe(200);
    const tokens = async () => (await h.db.withSchema('moderation').selectFrom('spam_tokens').select('token').where('site', '=', SITE).execute()).map((t) => t.token);
    expect(await tokens()).toEqual(expect.arrayContaining(['name:przybyszewska', 'host:przybyszewska.example.net']));
    const heldBefore = (await mod().counts()).body.counts.held as number;
    const decisionAudit = () =>
      h.db.withSchema('moderation').selectFrom('audit_log').select(['action', 'after']).where('target', '=', approved.payload.commentId).where('action', '=', 'comment.approve').execute();
    expect(await decisionAudit()).toEqual([{ action: 'comment.approve', after: expect.objectContaining({ state: 'approved', reason: 'fine, mentions Świętojańska' }) }]);

    const ids = [held.payload.commentId, approved.payload.commentId];
    await deliver(privacyRequest(SITE, { commentIds: ids }));
    // The moderator's reason goes from the audit log too; who decided what, and when, stays.
    expect(await decisionAudit()).toEqual([{ action: 'comment.approve', after: expect.objectContaining({ state: 'approved', reason: null }) }]);

    for (const id of ids) {
      const res = await mod().comment(id);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        state: 'deleted',
        author: { key: NO_ONE, name: '', website: null, emailDomain: null, ipPrefix: '' },
        text: '',
        reasons: [{ code: 'PRIVACY_ERASED', detail: expect.stringContaining('operator') }],
      });
      const last = res.body.history.at(-1);
      expect(last).toMatchObject({ kind: 'decision', to: 'deleted', reasons: [{ code: 'PRIVACY_ERASED' }], actor: { kind: 'moderator', keyId: operatorKeyId } });
      // Earlier entries keep their codes and states, not their details or notes.
      for (const e of res.body.history.slice(0, -1)) {
        expect(e.note).toBeNull();
        for (const r of e.reasons) expect(r.detail).toBe('');
      }
      expect(JSON.stringify(res.body)).not.toMatch(/Przybyszewska|Świętojańska|Gdynia|example\.net|203\.0\.113/i);
      const stored = await row(id);
      expect(stored).toMatchObject({ author_email_hash: null, author_ip_hash: '', author_fingerprint: '', text_hash: '', author_key: NO_ONE });
      // Intake erased it on its side already: moderation announces nothing.
      const announced = await statusChangesOf(id);
      expect(announced.length).toBeGreaterThan(0);
      expect(announced.map((e) => e.payload.to)).not.toContain('deleted');
    }
    const listed = async (state: string) => ((await mod().queue({ state })).body.items as { id: string }[]).map((i) => i.id);
    expect(await listed('held')).not.toContain(held.payload.commentId);
    expect(await listed('approved')).not.toContain(approved.payload.commentId);
    expect((await mod().counts()).body.counts.held).toBe(heldBefore - 1);
    // No decision brings it back.
    expect((await mod().decide(held.payload.commentId, { action: 'approve', expectedState: 'deleted' })).status).toBe(422);
    expect(await tokens()).not.toEqual(expect.arrayContaining(['name:przybyszewska']));
    expect(await tokens()).not.toContain('host:przybyszewska.example.net');
    // The key the erased comments now share is nobody's: no author view gathers them, no ban or trust takes it.
    expect((await mod().author(NO_ONE)).status).toBe(404);
    expect((await mod().ban(NO_ONE, { reason: 'all of them' })).status).toBe(404);
    expect((await mod().trust(NO_ONE)).status).toBe(404);
    expect(await h.db.withSchema('moderation').selectFrom('bans').select('id').where('author_key', '=', NO_ONE).execute()).toEqual([]);
    // The held one leaves the live queue of every moderator watching it.
    const left = await eventually(async () => live.events.find((x) => x.event === 'left' && x.data.commentId === held.payload.commentId));
    expect(left.data).toMatchObject({ from: 'held', to: 'deleted' });
    live.close();
  });

  it('when the erasure carries the email hash, then the site’s other comments written with it go too, another site’s and later ones stay', async () => {
    const emailHash = hex('erase-me@example.org');
    const author = { emailHash, name: 'Erase Me' };
    const named = buildSubmitted(SITE, { author });
    const unnamed = buildSubmitted(SITE, { author });
    const elsewhere = buildSubmitted(OTHER_SITE, { author });
    const someoneElse = buildSubmitted(SITE);
    const states = new Map<string, string>();
    for (const e of [named, unnamed, elsewhere, someoneElse]) states.set(e.payload.commentId, await h.submit(e));
    const requestedAt = new Date().toISOString();
    const later = buildSubmitted(SITE, { author, submittedAt: new Date(Date.parse(requestedAt) + 60_000).toISOString() });
    await h.submit(later);

    await deliver(privacyRequest(SITE, { commentIds: [named.payload.commentId], emailHash, by: 'author', requestedAt }));

    for (const e of [named, unnamed]) {
      const res = await mod().comment(e.payload.commentId);
      expect(res.body).toMatchObject({ state: 'deleted', author: { name: '', key: NO_ONE }, text: '' });
      expect(res.body.history.at(-1)).toMatchObject({ kind: 'author', reasons: [{ code: 'PRIVACY_ERASED' }], actor: { kind: 'author', keyId: null } });
    }
    const untouched = await row(elsewhere.payload.commentId);
    expect(untouched).toMatchObject({ state: states.get(elsewhere.payload.commentId), author_name: 'Erase Me', author_email_hash: emailHash, text: elsewhere.payload.text });
    expect(await row(someoneElse.payload.commentId)).toMatchObject({ state: states.get(someoneElse.payload.commentId), text: someoneElse.payload.text });
    expect(await row(later.payload.commentId)).toMatchObject({ state: 'held', author_name: 'Erase Me', text: later.payload.text });
  });

  it('when an operator erases by email, then the author is forgotten with their trust, unless they wrote after the request: then only the erased approvals are taken back', async () => {
    const gone = hex('forget-me@example.org');
    const stays = hex('came-back@example.org');
    const goneComments = [buildSubmitted(SITE, { author: { emailHash: gone } }), buildSubmitted(SITE, { author: { emailHash: gone } })];
    const staysComments = [buildSubmitted(SITE, { author: { emailHash: stays } }), buildSubmitted(SITE, { author: { emailHash: stays } })];
    for (const e of [...goneComments, ...staysComments]) await approve(e);
    expect((await mod().trust(gone)).status).toBe(204);
    expect((await mod().author(gone)).body).toMatchObject({ trusted: true, approvedCount: 2 });
    const requestedAt = new Date().toISOString();
    await approve(buildSubmitted(SITE, { author: { emailHash: stays }, submittedAt: new Date(Date.parse(requestedAt) + 60_000).toISOString() }));
    expect((await mod().author(stays)).body).toMatchObject({ trusted: true, approvedCount: 3 });

    await deliver(
      privacyRequest(SITE, { commentIds: goneComments.map((e) => e.payload.commentId), emailHash: gone, requestedAt }),
      privacyRequest(SITE, { commentIds: staysComments.map((e) => e.payload.commentId), emailHash: stays, requestedAt }),
    );

    expect((await mod().author(gone)).status).toBe(404);
    expect(await h.db.withSchema('moderation').selectFrom('authors').select('author_key').where('author_key', '=', gone).execute()).toEqual([]);
    expect((await mod().author(stays)).body).toMatchObject({ trusted: true, approvedCount: 1 });
  });

  it('when a reader erases one approved comment, then they keep their trust with one approval less', async () => {
    const key = hex('keeps-trust@example.org');
    const comments = [buildSubmitted(SITE, { author: { emailHash: key } }), buildSubmitted(SITE, { author: { emailHash: key } })];
    for (const e of comments) await approve(e);

    await deliver(privacyRequest(SITE, { commentIds: [comments[0]!.payload.commentId], by: 'author' }));

    expect((await row(comments[0]!.payload.commentId))?.state).toBe('deleted');
    expect((await mod().author(key)).body).toMatchObject({ trusted: true, approvedCount: 1 });
  });

  it('when an erasure is delivered again, or the same request comes again, then nothing more changes', async () => {
    const e = buildSubmitted(SITE);
    await h.submit(e);
    const id = e.payload.commentId;
    const erase = privacyRequest(SITE, { commentIds: [id], emailHash: e.payload.author.emailHash });
    await deliver(erase);
    const after = await row(id);
    const entries = await history(id);
    expect(entries.filter((x) => x.reasons.some((r) => r.code === 'PRIVACY_ERASED'))).toHaveLength(1);

    await deliver(erase, { ...erase, id: uuidv7() });
    expect(await row(id)).toEqual(after);
    expect(await history(id)).toEqual(entries);
  });

  it('when comments were erased before audit entries lost their reasons with them, then the migration clears those reasons and keeps the others', async () => {
    const erasedEarlier = buildSubmitted(SITE, { text: 'Erased before the audit log was scrubbed too.' });
    const kept = buildSubmitted(SITE, { text: 'Never erased.' });
    for (const e of [erasedEarlier, kept]) {
      expect(await h.submit(e)).toBe('held');
      expect((await mod().decide(e.payload.commentId, { action: 'reject', expectedState: 'held', reason: 'quotes Przybyszewska' })).status).toBe(200);
    }
    // As an erasure made before this change left it: the comment erased, its audit entry untouched.
    await h.db.withSchema('moderation').updateTable('comments').set({ erased_at: new Date() }).where('id', '=', erasedEarlier.payload.commentId).execute();
    const reasonOf = async (id: string) =>
      (await h.db.withSchema('moderation').selectFrom('audit_log').select('after').where('target', '=', id).where('action', '=', 'comment.reject').executeTakeFirstOrThrow()).after;

    await auditCommentReasons.down(h.db);
    await auditCommentReasons.up(h.db);

    expect(await reasonOf(erasedEarlier.payload.commentId)).toMatchObject({ state: 'rejected', reason: null });
    expect(await reasonOf(kept.payload.commentId)).toMatchObject({ state: 'rejected', reason: 'quotes Przybyszewska' });
  });

  it('when an export arrives, then moderation changes nothing', async () => {
    const e = buildSubmitted(SITE);
    await h.submit(e);
    const id = e.payload.commentId;
    const before = (await mod().comment(id)).body;
    await deliver(privacyRequest(SITE, { kind: 'export', commentIds: [id], emailHash: e.payload.author.emailHash }));
    expect((await mod().comment(id)).body).toEqual(before);
    expect(await h.db.withSchema('moderation').selectFrom('erased_comments').select('comment_id').where('comment_id', '=', id).execute()).toEqual([]);
  });

  it('when a webhook call about the comment is still waiting, then the erasure drops it and the receiver never gets it', async () => {
    const operatorApi = modClient(h.svc.url, operatorKey, SITE);
    const created = await operatorApi.createWebhook({ url: receiverUrl, events: ['held', 'approved'] });
    expect(created.status).toBe(201);
    const erased = buildSubmitted(SITE, { text: 'A text that must never reach the publisher’s receiver.' });
    const kept = buildSubmitted(SITE);
    await h.submit(erased);
    await h.submit(kept);
    const pendingFor = async (id: string) =>
      (await h.db.withSchema('moderation').selectFrom('webhook_deliveries').select(['body', 'delivered_at']).where('site', '=', SITE).execute()).filter(
        (d) => d.delivered_at === null && d.body.includes(id),
      );
    expect(await pendingFor(erased.payload.commentId)).toHaveLength(1);

    await deliver(privacyRequest(SITE, { commentIds: [erased.payload.commentId] }));
    expect(await pendingFor(erased.payload.commentId)).toEqual([]);

    // A decision wakes the dispatcher: what still waits goes out, the erased comment's call does not.
    expect((await mod().decide(kept.payload.commentId, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    await eventually(async () => received.some((b) => b.includes(kept.payload.commentId) && b.includes('comment.approved')), 10_000);
    expect(received.filter((b) => b.includes(erased.payload.commentId))).toEqual([]);
    expect(received.join('\n')).not.toContain('must never reach');
    await operatorApi.deleteWebhook(created.body.id as string);
  });

  it('when an erasure names a comment moderation has not received yet, then the comment is dropped when it comes, and an author’s deletion of it does not wait for it', async () => {
    const e = buildSubmitted(SITE);
    const id = e.payload.commentId;
    await deliver(privacyRequest(SITE, { commentIds: [id], by: 'author' }));
    await h.infra.transport.publish(Streams.commentsSubmitted, e);
    const marker = buildSubmitted(SITE);
    await h.submit(marker);
    await eventually(async () => {
      const s = await h.infra.transport.stats(Streams.commentsSubmitted, 'moderation-queue');
      return s.pending === 0 && s.lag === 0;
    });
    expect(await row(id)).toBeUndefined();
    expect(await history(id)).toEqual([]);
    expect(await statusChangesOf(id)).toEqual([]);
    // Nor does an author's earlier deletion of it wait for a comment that will never come.
    await h.infra.transport.publish(Streams.commentsStatusChanged, {
      id: uuidv7(),
      type: 'comments.status-changed',
      version: 1,
      occurredAt: new Date().toISOString(),
      site: SITE,
      payload: { commentId: id, threadId: e.payload.threadId, from: 'pending', to: 'deleted', reasons: [], actor: { kind: 'author', keyId: null }, changedAt: new Date().toISOString() },
    });
    await eventually(async () => {
      const st = await h.infra.transport.stats(Streams.commentsStatusChanged, 'moderation-queue');
      return st.pending === 0 && st.lag === 0;
    }, 5_000);
    expect(await h.infra.transport.readDeadLetters(Streams.commentsStatusChanged, 100)).toEqual([]);
    expect((await mod().comment(id)).status).toBe(404);
  });

  it('when a comment is being stored while its erasure runs, then whichever starts first, the comment ends up erased', async () => {
    const gate = () => {
      let open!: () => void;
      const opened = new Promise<void>((r) => (open = r));
      return { open, opened };
    };
    const stillWaiting = async (p: Promise<unknown>) => (await Promise.race([p.then(() => 'done'), new Promise((r) => setTimeout(r, 300, 'waiting'))])) === 'waiting';

    // The erasure first: the comment's write waits for it, then finds the comment erased and stores nothing.
    const first = buildSubmitted(SITE);
    const erased = gate();
    const release = gate();
    const erasing = h.db.transaction().execute(async (trx) => {
      await applyPrivacyRequest(trx, privacyRequest(SITE, { commentIds: [first.payload.commentId] }), new Date());
      erased.open();
      await release.opened;
    });
    await erased.opened;
    const storing = moderateSubmittedBatch(h.db, [first], new Date(), 'privacy-race-test');
    try {
      expect(await stillWaiting(storing)).toBe(true);
    } finally {
      release.open();
      await erasing;
    }
    expect(await storing).toEqual([]);
    expect(await row(first.payload.commentId)).toBeUndefined();

    // The comment first: the erasure waits for its write, then erases it.
    const second = buildSubmitted(SITE);
    const stored = gate();
    const commit = gate();
    const storing2 = h.db.transaction().execute(async (trx) => {
      await moderateSubmittedBatch(trx, [second], new Date(), 'privacy-race-test');
      stored.open();
      await commit.opened;
    });
    await stored.opened;
    const erasing2 = h.db.transaction().execute((trx) => applyPrivacyRequest(trx, privacyRequest(SITE, { commentIds: [second.payload.commentId] }), new Date()));
    try {
      expect(await stillWaiting(erasing2)).toBe(true);
    } finally {
      commit.open();
      await storing2;
    }
    expect(await erasing2).toHaveLength(1);
    expect(await row(second.payload.commentId)).toMatchObject({ state: 'deleted', text: '', author_name: '' });
  });

  it('when a privacy request fails its schema or names no site, then it is dead-lettered and the next one is still applied', async () => {
    const broken = privacyRequest(SITE, { commentIds: ['not-a-uuid'] });
    await h.infra.transport.publish(Streams.privacyRequests, broken);
    await h.infra.transport.publish(Streams.privacyRequests, privacyRequest('*', { commentIds: [uuidv7()] }));
    const letters = await eventually(async () => {
      const l = await h.infra.transport.readDeadLetters(Streams.privacyRequests, 100);
      return l.length >= 2 && l;
    });
    expect(letters.map((l) => l.reason).sort()).toEqual(['poison', 'schema']);

    const e = buildSubmitted(SITE);
    await h.submit(e);
    await deliver(privacyRequest(SITE, { commentIds: [e.payload.commentId] }));
    expect((await row(e.payload.commentId))?.state).toBe('deleted');
  });
});
