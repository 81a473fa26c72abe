import request from 'supertest';
import { eventually } from '@parley/shared/testing';
import { buildSubmitted, hex, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let keyA: string;
let keyB: string;
let alpha: ReturnType<typeof modClient>;
let beta: ReturnType<typeof modClient>;

beforeAll(async () => {
  h = await startModeration();
  // Pre-moderated: every comment waits in the queue.
  keyA = await h.siteWithModerator('alpha', { moderation: { mode: 'pre' } });
  keyB = await h.siteWithModerator('beta', { moderation: { mode: 'pre' } });
  alpha = modClient(h.svc.url, keyA, 'alpha');
  beta = modClient(h.svc.url, keyB, 'beta');
});

afterAll(async () => {
  await h.close();
});

async function held(site = 'alpha', o: Parameters<typeof buildSubmitted>[1] = {}): Promise<string> {
  const e = buildSubmitted(site, o);
  expect(await h.submit(e)).toBe('held');
  return e.payload.commentId;
}

describe('authentication', () => {
  it('when no key or an unknown key is sent, then 401', async () => {
    expect((await request(h.svc.url).get('/v1/sites/alpha/queue')).status).toBe(401);
    const unknown = await request(h.svc.url).get('/v1/sites/alpha/queue').set('Authorization', 'Bearer pk_000000000000_00000000000000000000000000000000');
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('UNAUTHENTICATED');
  });
});

describe('cross-site isolation', () => {
  it('when a key of site alpha calls any endpoint of site beta, then 403 and nothing changes', async () => {
    const betaComment = await held('beta');
    const author = hex('anyone');
    const asA = (method: 'get' | 'post' | 'put' | 'delete', path: string, body?: object) => {
      const r = request(h.svc.url)[method](`/v1/sites/beta${path}`).set('Authorization', `Bearer ${keyA}`);
      return body ? r.send(body) : r;
    };
    const calls = [
      asA('get', '/queue'),
      asA('get', '/queue/counts'),
      asA('get', '/queue/live'),
      asA('get', `/comments/${betaComment}`),
      asA('post', `/comments/${betaComment}/decisions`, { action: 'approve', expectedState: 'held' }),
      asA('post', '/decisions', { action: 'approve', items: [{ commentId: betaComment, expectedState: 'held' }] }),
      asA('get', `/authors/${author}`),
      asA('put', `/authors/${author}/ban`, {}),
      asA('delete', `/authors/${author}/ban`),
      asA('put', `/authors/${author}/trust`),
      asA('delete', `/authors/${author}/trust`),
      asA('get', '/word-lists'),
      asA('put', '/word-lists', { version: 0, disallowed: ['x'], suspect: [] }),
      asA('get', '/moderation-settings'),
      asA('put', '/moderation-settings', {}),
      asA('get', '/webhooks'),
      asA('post', '/webhooks', { url: 'http://127.0.0.1:1/x', events: ['held'] }),
      asA('delete', `/webhooks/${betaComment}`),
      asA('get', '/stats'),
      asA('put', '/threads/peace-talks-2025/closed'),
      asA('delete', '/threads/peace-talks-2025/closed'),
      asA('get', '/audit'),
    ];
    for (const call of calls) {
      const res = await call;
      expect(res.status).toBe(403);
    }
    expect((await beta.comment(betaComment)).body.state).toBe('held');
  });

  it('when a key of alpha names a comment or author of beta under its own site, then 404 (or a not-found bulk item)', async () => {
    const betaComment = await held('beta', { author: { emailHash: hex('beta-author') } });
    expect((await alpha.comment(betaComment)).status).toBe(404);
    expect((await alpha.decide(betaComment, { action: 'approve', expectedState: 'held' })).status).toBe(404);
    const bulk = await alpha.bulk({ action: 'approve', items: [{ commentId: betaComment, expectedState: 'held' }] });
    expect(bulk.body.results).toEqual([{ commentId: betaComment, outcome: 'not-found', state: null }]);
    expect((await alpha.author(hex('beta-author'))).status).toBe(404);
    expect((await alpha.ban(hex('beta-author'))).status).toBe(404);
    expect((await alpha.queue({ state: 'held' })).body.items.map((i: { id: string }) => i.id)).not.toContain(betaComment);
    expect((await beta.comment(betaComment)).body.state).toBe('held');
  });
});

describe('the queue', () => {
  it('when listing with filters, then only matching comments come, newest first, page by page with a cursor', async () => {
    const thread = `thread-${Date.now()}`;
    const author = hex('pager');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await held('alpha', { threadId: thread, author: { emailHash: author }, text: `Comment number ${i} on the policy`, submittedAt: new Date(Date.UTC(2026, 0, 1, 12, i)).toISOString() }));
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await alpha.queue({ state: 'held', thread, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const oldest = await alpha.queue({ thread, order: 'oldest', limit: 1 });
    expect(oldest.body.items[0].id).toBe(ids[0]);
    const byAuthor = await alpha.queue({ author, rule: 'PRE_MODERATION' });
    expect(byAuthor.body.items).toHaveLength(5);
    expect(byAuthor.body.items[0]).toMatchObject({ author: { key: author }, reasons: [{ code: 'PRE_MODERATION' }] });
    expect((await alpha.queue({ author, rule: 'TOO_MANY_LINKS' })).body.items).toHaveLength(0);
    const dated = await alpha.queue({ thread, from: new Date(Date.UTC(2026, 0, 1, 12, 1)).toISOString(), to: new Date(Date.UTC(2026, 0, 1, 12, 3)).toISOString() });
    expect(dated.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
  });

  it('when the query is invalid or the cursor forged, then 400 names the field', async () => {
    const bad = await alpha.queue({ state: 'nonsense', limit: 0 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['query.state', 'query.limit']));
    expect((await alpha.queue({ cursor: 'abc' })).status).toBe(400);
  });

  it('when counting, then every state is there with its count', async () => {
    await held();
    const res = await alpha.counts();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.counts).sort()).toEqual(['approved', 'held', 'pending', 'rejected', 'removed', 'reported', 'spam']);
    expect(res.body.counts.held).toBeGreaterThan(0);
  });
});

describe('decisions', () => {
  it('when a moderator approves a held comment, then it is approved, announced with their key, audited, and in its history', async () => {
    const id = await held();
    const res = await alpha.decide(id, { action: 'approve', expectedState: 'held', reason: 'fine after all' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, state: 'approved', version: 2 });
    const keyId = (await request(h.svc.url).get('/v1/whoami').set('Authorization', `Bearer ${keyA}`)).body.keyId;
    const change = await eventually(async () => h.statusChanges.find((e) => e.payload.commentId === id && e.payload.to === 'approved'));
    expect(change.payload).toMatchObject({ from: 'held', actor: { kind: 'moderator', keyId } });
    const audit = await h.db.withSchema('moderation').selectFrom('audit_log').selectAll().where('target', '=', id).executeTakeFirstOrThrow();
    expect(audit).toMatchObject({ key_id: keyId, site: 'alpha', action: 'comment.approve', before: { state: 'held', version: 1 }, after: { state: 'approved', version: 2, reason: 'fine after all' } });
    const one = await alpha.comment(id);
    expect(one.body.history.map((e: { kind: string; to: string }) => `${e.kind}:${e.to}`)).toEqual(['verdict:held', 'decision:approved']);
    expect(one.body.history[1]).toMatchObject({ actor: { kind: 'moderator', keyId }, note: 'fine after all' });
  });

  it('when the state the moderator saw is stale, then 409 with the current state and nothing changes', async () => {
    const id = await held();
    await alpha.decide(id, { action: 'reject', expectedState: 'held' });
    const res = await alpha.decide(id, { action: 'approve', expectedState: 'held' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'CONFLICT', currentState: 'rejected', version: 2 });
    expect((await alpha.comment(id)).body.state).toBe('rejected');
  });

  it('when two moderators decide the same comment at once, then exactly one wins and the other gets 409', async () => {
    const id = await held();
    const [a, b] = await Promise.all([alpha.decide(id, { action: 'approve', expectedState: 'held' }), alpha.decide(id, { action: 'spam', expectedState: 'held' })]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    expect((await alpha.comment(id)).body.state).toBe(winner.body.state);
  });

  it('when the action does not apply to the state, then 422; remove and restore work on approved comments', async () => {
    const id = await held();
    expect((await alpha.decide(id, { action: 'remove', expectedState: 'held' })).status).toBe(422);
    await alpha.decide(id, { action: 'approve', expectedState: 'held' });
    expect((await alpha.decide(id, { action: 'remove', expectedState: 'approved' })).body.state).toBe('removed');
    expect((await alpha.decide(id, { action: 'restore', expectedState: 'removed' })).body.state).toBe('approved');
    expect((await alpha.decide(id, { action: 'explode', expectedState: 'approved' })).status).toBe(422);
  });

  it('when deciding in bulk, then each item has its own outcome', async () => {
    const a = await held();
    const b = await held();
    const c = await held();
    await alpha.decide(c, { action: 'reject', expectedState: 'held' });
    const unknown = '01943c4e-8a00-7000-8000-00000000dead';
    const res = await alpha.bulk({
      action: 'approve',
      items: [
        { commentId: a, expectedState: 'held' },
        { commentId: b, expectedState: 'held' },
        { commentId: c, expectedState: 'held' },
        { commentId: unknown, expectedState: 'held' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { commentId: a, outcome: 'applied', state: 'approved' },
      { commentId: b, outcome: 'applied', state: 'approved' },
      { commentId: c, outcome: 'conflict', state: 'rejected' },
      { commentId: unknown, outcome: 'not-found', state: null },
    ]);
    await eventually(async () => h.statusChanges.some((e) => e.payload.commentId === b && e.payload.to === 'approved'));
  });

  it('when a bulk names more than 500 comments, then 422', async () => {
    const items = Array.from({ length: 501 }, () => ({ commentId: '01943c4e-8a00-7000-8000-00000000beef', expectedState: 'held' }));
    expect((await alpha.bulk({ action: 'approve', items })).status).toBe(422);
  });
});

describe('authors', () => {
  it('when a moderator bans an author and rejects their pending comments, then those are rejected and their next comment too, even from another email', async () => {
    const emailHash = hex('troll-email');
    const ipHash = hex('troll-ip');
    const first = await held('alpha', { author: { emailHash, ipHash } });
    const res = await alpha.ban(emailHash, { reason: 'abuse', rejectPending: true });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ rejected: 1 });
    expect((await alpha.comment(first)).body.state).toBe('rejected');
    const view = await alpha.author(emailHash);
    expect(view.body).toMatchObject({ key: emailHash, ban: { reason: 'abuse', expiresAt: null } });
    expect(view.body.comments.map((c: { id: string }) => c.id)).toEqual([first]);
    const e = buildSubmitted('alpha', { author: { emailHash: hex('troll-other-email'), ipHash } });
    expect(await h.submit(e)).toBe('rejected');
    expect((await alpha.comment(e.payload.commentId)).body.reasons[0]).toEqual({ code: 'BANNED_AUTHOR', detail: 'banned (matched on ip): abuse' });
    const audit = await h.db.withSchema('moderation').selectFrom('audit_log').select('action').where('target', '=', emailHash).execute();
    expect(audit.map((a) => a.action)).toEqual(['author.ban']);
  });

  it('when the author is unbanned, then their comments flow again; unbanning twice is 404', async () => {
    const emailHash = hex('reformed');
    await held('alpha', { author: { emailHash } });
    await alpha.ban(emailHash, { reason: 'cool off' });
    expect((await alpha.unban(emailHash)).status).toBe(204);
    expect((await alpha.unban(emailHash)).status).toBe(404);
    expect(await h.submit(buildSubmitted('alpha', { author: { emailHash } }))).toBe('held');
  });

  it('when a ban has expired, then it no longer applies', async () => {
    const emailHash = hex('short-ban');
    await held('alpha', { author: { emailHash } });
    await alpha.ban(emailHash, { expiresAt: new Date(Date.now() - 1000).toISOString() });
    expect(await h.submit(buildSubmitted('alpha', { author: { emailHash } }))).toBe('held');
  });

  it('when a moderator trusts an author on a first-time site, then their next comment is approved', async () => {
    const key = await h.siteWithModerator('trusting', { moderation: { mode: 'first-time' } });
    const mod = modClient(h.svc.url, key, 'trusting');
    const emailHash = hex('regular');
    expect(await h.submit(buildSubmitted('trusting', { author: { emailHash } }))).toBe('held');
    expect((await mod.trust(emailHash)).status).toBe(204);
    expect((await mod.author(emailHash)).body.trusted).toBe(true);
    expect(await h.submit(buildSubmitted('trusting', { author: { emailHash } }))).toBe('approved');
  });

  it('when the author is unknown or the key malformed, then 404', async () => {
    expect((await alpha.author(hex('nobody'))).status).toBe(404);
    expect((await alpha.author('not-a-key')).status).toBe(404);
  });
});

describe('word lists and settings', () => {
  it('when word lists are replaced, then the version grows, a stale version is 409, and the pipeline applies them', async () => {
    const key = await h.siteWithModerator('wordy');
    const mod = modClient(h.svc.url, key, 'wordy');
    expect((await mod.wordLists()).body).toEqual({ version: 0, disallowed: [], suspect: [] });
    const put = await mod.putWordLists({ version: 0, disallowed: ['Crypto Giveaway', 'casino'], suspect: ['idiot'] });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ version: 1, disallowed: ['Crypto Giveaway', 'casino'], suspect: ['idiot'] });
    expect((await mod.putWordLists({ version: 0, disallowed: [], suspect: [] })).status).toBe(409);
    expect((await mod.putWordLists({ version: 1, disallowed: [''], suspect: [] })).status).toBe(422);
    expect(await h.submit(buildSubmitted('wordy', { text: 'Join the CRYPTO giveaway tonight' }))).toBe('spam');
    expect(await h.submit(buildSubmitted('wordy', { text: 'A sensible reply', author: { website: 'https://casino.example.org' } }))).toBe('spam');
    expect(await h.submit(buildSubmitted('wordy', { text: 'Only an ídiot would think so' }))).toBe('held');
    expect(await h.submit(buildSubmitted('wordy', { text: 'The classic casinos argument' }))).toBe('approved');
  });

  it('when an admin replaces moderation settings, then they apply; a moderator may read but not write; invalid or stale is refused', async () => {
    const key = await h.siteWithModerator('tunable');
    const mod = modClient(h.svc.url, key, 'tunable');
    const admin = modClient(h.svc.url, (await h.admin.createKey({ role: 'admin', sites: ['tunable'] })).body.secret, 'tunable');
    const current = await mod.settings();
    expect(current.body).toEqual({ version: 0, mode: 'post', linkLimit: 2, reportThreshold: 3, reportsHold: true, spamHoldThreshold: 0.8, spamThreshold: 0.97, duplicateWindowMinutes: 1440 });
    const next = { ...current.body, mode: 'pre', linkLimit: 5 };
    expect((await mod.putSettings(next)).status).toBe(403);
    const put = await admin.putSettings(next);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ version: 1, mode: 'pre', linkLimit: 5 });
    expect((await admin.putSettings(next)).status).toBe(409);
    const invalid = await admin.putSettings({ ...next, version: 1, spamHoldThreshold: 0.99, spamThreshold: 0.5 });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors[0].path).toBe('body.spamHoldThreshold');
    expect((await h.admin.getSite('tunable')).body.settings.moderation).toEqual({ mode: 'pre', linkLimit: 5, reportThreshold: 3 });
    expect(await h.submit(buildSubmitted('tunable'))).toBe('held');
  });
});

describe('threads and the audit log', () => {
  it('when a moderator closes a thread, then new comments there are rejected until it is reopened', async () => {
    const thread = `closable-${Date.now()}`;
    const res = await alpha.closeThread(thread);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ threadId: thread, closedAt: expect.any(String) });
    const e = buildSubmitted('alpha', { threadId: thread, submittedAt: new Date(Date.now() + 1000).toISOString() });
    expect(await h.submit(e)).toBe('rejected');
    expect((await alpha.comment(e.payload.commentId)).body.reasons[0].code).toBe('THREAD_CLOSED');
    expect((await alpha.reopenThread(thread)).body.closedAt).toBeNull();
    expect(await h.submit(buildSubmitted('alpha', { threadId: thread }))).toBe('held');
    expect((await alpha.closeThread('not a slug!')).status).toBe(400);
  });

  it('when an admin reads the audit log, then it lists the site’s actions newest first, page by page; a moderator may not', async () => {
    const key = await h.siteWithModerator('audited', { moderation: { mode: 'pre' } });
    const mod = modClient(h.svc.url, key, 'audited');
    const admin = modClient(h.svc.url, (await h.admin.createKey({ role: 'admin', sites: ['audited'] })).body.secret, 'audited');
    const e = buildSubmitted('audited');
    await h.submit(e);
    await mod.decide(e.payload.commentId, { action: 'approve', expectedState: 'held' });
    await mod.closeThread('t1');
    expect((await mod.audit()).status).toBe(403);
    const first = await admin.audit({ limit: 2 });
    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { action: string }) => i.action)).toEqual(['thread.close', 'comment.approve']);
    const rest = await admin.audit({ limit: 2, cursor: first.body.nextCursor });
    expect(rest.body.items.map((i: { action: string }) => i.action)).toEqual(['site.create']);
    expect(rest.body.nextCursor).toBeNull();
  });
});

describe('statistics', () => {
  it('when asked, then counts per state per day, the median time to a human decision and who decided', async () => {
    const key = await h.siteWithModerator('counted', { moderation: { mode: 'pre' } });
    const mod = modClient(h.svc.url, key, 'counted');
    const a = buildSubmitted('counted');
    await h.submit(a);
    await h.submit(buildSubmitted('counted'));
    await mod.decide(a.payload.commentId, { action: 'approve', expectedState: 'held' });
    const res = await mod.stats();
    expect(res.status).toBe(200);
    const today = new Date().toISOString().slice(0, 10);
    expect(res.body.days).toEqual([{ day: today, counts: { approved: 1, held: 1 } }]);
    expect(res.body.decidedBy).toEqual({ pipeline: 1, moderator: 1 });
    expect(res.body.medianSecondsToHumanDecision).toEqual(expect.any(Number));
  });
});
