import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import request from 'supertest';
import type { z } from 'zod';
import {
  Streams,
  commentSettingsSchema,
  generateApiKey,
  makeEnvelope,
  silentLogger,
  upsertSiteSnapshot,
  type ApiKeyRole,
  type CommentStatus,
  type Envelope,
  type Site,
  type TenancyReadTables,
} from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { commentIntake } from '../../src/service';
import type { IntakeContext } from '../../src/domain/context';
import { createPrivacy } from '../../src/domain/privacy';
import { ThreadLiveHub } from '../../src/domain/thread-live-hub';
import { ThreadPageCache } from '../../src/domain/thread-page-cache';

export const ORIGIN = 'https://daily.example.org';

export interface IntakeHarness {
  infra: TestInfraHandle;
  svc: RunningTestService;
  url: string;
  stop(): Promise<void>;
}

/** Real Postgres and Redis (fresh database and key prefix), intake listening on a free port. */
export async function startIntake(env: Record<string, string> = {}): Promise<IntakeHarness> {
  const infra = await startTestInfra();
  const svc = await startTestService(commentIntake, infra, {
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: infra.redisPrefix,
    // Generous unless a test is about limits.
    RATE_LIMIT_IP_PER_MINUTE: '10000',
    RATE_LIMIT_EMAIL_PER_MINUTE: '10000',
    RATE_LIMIT_SITE_PER_MINUTE: '10000',
    ...env,
  });
  return {
    infra,
    svc,
    url: svc.url,
    async stop() {
      await svc.stop();
      await infra.close();
    },
  };
}

export type SiteOverrides = Partial<Omit<Site, 'settings'>> & { comments?: Partial<Site['settings']['comments']> };

export function buildSite(id: string, overrides: SiteOverrides = {}): Site {
  const { comments, ...rest } = overrides;
  return {
    id,
    name: `Site ${id}`,
    allowedOrigins: [ORIGIN],
    settings: {
      comments: commentSettingsSchema.parse({ minSubmitSeconds: 0, ...comments }),
      moderation: { mode: 'post', linkLimit: 2, reportThreshold: 3 },
    },
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
    ...rest,
  };
}

/** The way moderation-queue announces a site: a `sites.changed` envelope, then wait for the read model. */
export async function announceSite(h: IntakeHarness, site: Site): Promise<void> {
  await h.infra.transport.publish(Streams.sitesChanged, makeEnvelope(Streams.sitesChanged, 1, site.id, { site }));
  await eventually(async () => {
    const r = await sql<{ version: number }>`select version from intake.sites where id = ${site.id}`.execute(h.infra.db.db);
    return r.rows[0]?.version === site.version;
  }, 10_000);
  // The directory caches lookups for half a second.
  await eventually(async () => (await request(h.url).get(`/v1/sites/${site.id}/settings`)).status === 200, 5_000);
}

/** Writes a site straight into the read model (faster; the event path is covered elsewhere). */
export async function seedSite(h: IntakeHarness, site: Site): Promise<void> {
  await upsertSiteSnapshot(h.infra.db.db as Kysely<TenancyReadTables>, 'intake', site);
}

/** An IntakeContext over the harness's database with nothing else wired: for calling a job directly. */
export function bareContext(h: IntakeHarness): IntakeContext {
  return {
    db: h.infra.db.db as IntakeContext['db'],
    privacy: createPrivacy(Buffer.alloc(32, 1), Buffer.alloc(32, 2)),
    findSite: async () => undefined,
    formTokenTtlMs: 0,
    pages: new ThreadPageCache(),
    live: new ThreadLiveHub(),
    threadChanged: () => undefined,
    afterCommit: () => undefined,
    now: () => new Date(),
    logger: silentLogger,
  };
}

/** Announces a new API key as moderation-queue does (`api-keys.changed`), waits for the read model, returns its secret and id. */
export async function announceKey(h: IntakeHarness, role: ApiKeyRole, sites: string[]): Promise<{ secret: string; id: string }> {
  const { secret, prefix, hash } = generateApiKey();
  const key = { id: randomUUID(), prefix, hash, role, sites, revokedAt: null, version: 1 };
  await h.infra.transport.publish(Streams.apiKeysChanged, makeEnvelope(Streams.apiKeysChanged, 1, '*', { key }));
  await eventually(async () => (await sql<{ id: string }>`select id from intake.api_keys where hash = ${hash}`.execute(h.infra.db.db)).rows.length === 1, 10_000);
  return { secret, id: key.id };
}

export function buildComment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'Ada Lovelace', email: 'ada@example.org', text: 'A thoughtful reply to the article.', ...overrides };
}

export function submit(h: IntakeHarness, site: string, thread: string, body: unknown, headers: Record<string, string> = {}) {
  const req = request(h.url).post(`/v1/sites/${site}/threads/${thread}/comments`).set('Origin', ORIGIN);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.send(body as object);
}

/** A moderation decision, published as moderation-queue would, applied by intake's consumer. */
export async function decide(h: IntakeHarness, site: string, commentId: string, from: CommentStatus, to: CommentStatus): Promise<Envelope> {
  const row = await sql<{ thread_id: string }>`select thread_id from intake.comments where id = ${commentId}`.execute(h.infra.db.db);
  const envelope = makeEnvelope(Streams.commentsStatusChanged, 1, site, {
    commentId,
    threadId: row.rows[0]!.thread_id,
    from,
    to,
    reasons: [{ code: 'MODERATOR', detail: 'test decision' }],
    actor: { kind: 'moderator' as const, keyId: null },
    changedAt: new Date().toISOString(),
  });
  await h.infra.transport.publish(Streams.commentsStatusChanged, envelope);
  await eventually(async () => (await commentStatus(h, commentId)) === to, 10_000);
  return envelope;
}

export async function commentStatus(h: IntakeHarness, id: string): Promise<string | undefined> {
  const r = await sql<{ status: string }>`select status from intake.comments where id = ${id}`.execute(h.infra.db.db);
  return r.rows[0]?.status;
}

/** Submits and approves one comment; returns its id and author token. */
export async function approvedComment(h: IntakeHarness, site: string, thread: string, overrides: Record<string, unknown> = {}) {
  const res = await submit(h, site, thread, buildComment(overrides));
  if (res.status !== 202) throw new Error(`submit failed: ${res.status} ${JSON.stringify(res.body)}`);
  await decide(h, site, res.body.id, 'pending', 'approved');
  return res.body as { id: string; authorToken: string };
}

/** Collects what reaches a stream, through a consumer group of the test's own. */
export function collectStream<T extends Envelope>(h: IntakeHarness, stream: string, schema: z.ZodType<T>) {
  const seen: T[] = [];
  const sub = h.infra.transport.subscribe<T>({
    stream,
    group: `test-${Math.random().toString(36).slice(2)}`,
    consumer: 'test',
    schema,
    handler: async (d) => {
      seen.push(d.envelope);
    },
    blockMs: 100,
  });
  return { seen, stop: () => sub.stop() };
}

/** A moderator's close (`closedAt`) or reopen (null), published as moderation-queue does: a `threads.changed` envelope. */
export async function publishThreadChange(h: IntakeHarness, site: string, thread: string, closedAt: string | null, at = new Date()): Promise<Envelope> {
  const envelope = makeEnvelope(Streams.threadsChanged, 1, site, { threadId: thread, closedAt }, at);
  await h.infra.transport.publish(Streams.threadsChanged, envelope);
  return envelope;
}

/** What the widget asks before showing the form. */
export async function formToken(h: IntakeHarness, site: string, thread: string) {
  const res = await request(h.url).get(`/v1/sites/${site}/threads/${thread}/form-token`).set('Origin', ORIGIN);
  if (res.status !== 200) throw new Error(`form token: ${res.status}`);
  return res.body as { token: string; closed: boolean };
}
