import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import request from 'supertest';
import {
  Streams,
  commentsStatusChangedV1,
  fixtures,
  uuidv7,
  type CommentsReportedV1,
  type CommentsStatusChangedV1,
  type CommentsSubmittedV1,
  type Subscription,
} from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import type { ModerationDb } from '../../src/db/tables';
import { moderationQueue } from '../../src/service';
import { BOOTSTRAP_KEY, adminClient } from './admin-client';

export const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

type Payload = CommentsSubmittedV1['payload'];
export interface SubmittedOverrides {
  commentId?: string;
  threadId?: string;
  text?: string;
  author?: Partial<Payload['author']>;
  signals?: Partial<Payload['signals']>;
  submittedAt?: string;
}

/** A `comments.submitted` envelope from the shared fixture, with fresh ids (and a fresh author unless given). */
export function buildSubmitted(site: string, o: SubmittedOverrides = {}): CommentsSubmittedV1 {
  const f = fixtures.commentsSubmitted;
  const who = randomBytes(8).toString('hex');
  return {
    ...f,
    id: uuidv7(),
    site,
    occurredAt: new Date().toISOString(),
    payload: {
      ...f.payload,
      commentId: o.commentId ?? uuidv7(),
      threadId: o.threadId ?? f.payload.threadId,
      text: o.text ?? `${f.payload.text} (${who})`,
      author: { ...f.payload.author, emailHash: hex(`email-${who}`), ipHash: hex(`ip-${who}`), fingerprint: hex(`fp-${who}`), ...o.author },
      signals: { ...f.payload.signals, ...o.signals },
      submittedAt: o.submittedAt ?? new Date().toISOString(),
    },
  };
}

export function buildReported(site: string, commentId: string, reader: string): CommentsReportedV1 {
  const f = fixtures.commentsReported;
  return { ...f, id: uuidv7(), site, payload: { ...f.payload, reportId: uuidv7(), commentId, reporterFingerprint: hex(`reader-${reader}`) } };
}

export interface ModerationHarness {
  infra: TestInfraHandle;
  svc: RunningTestService;
  db: Kysely<ModerationDb>;
  admin: ReturnType<typeof adminClient>;
  /** Every status change published, as the test's own consumer group saw it. */
  statusChanges: CommentsStatusChangedV1[];
  /** Creates a site and a moderator key for it; returns the key's secret. */
  siteWithModerator(id: string, settings?: object): Promise<string>;
  /** Publishes and waits until the worker stored the comment; returns its state. */
  submit(envelope: CommentsSubmittedV1): Promise<string>;
  /** One more instance of the service on the same database and Redis (stopped by close()). */
  startInstance(env?: Record<string, string>): Promise<RunningTestService>;
  close(): Promise<void>;
}

export async function startModeration(env: Record<string, string> = {}): Promise<ModerationHarness> {
  const infra = await startTestInfra();
  // DATABASE_URL as in production: the live queue's instances talk over Postgres LISTEN/NOTIFY.
  const baseEnv = { BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY, DATABASE_URL: infra.databaseUrl, ...env };
  const svc = await startTestService(moderationQueue, infra, baseEnv);
  const others: RunningTestService[] = [];
  const admin = adminClient(svc.url, BOOTSTRAP_KEY);
  const db = infra.db.db as Kysely<ModerationDb>;
  const statusChanges: CommentsStatusChangedV1[] = [];
  const observer: Subscription = infra.transport.subscribe({
    stream: Streams.commentsStatusChanged,
    group: 'test-observer',
    consumer: 'observer',
    schema: commentsStatusChangedV1,
    handler: async (d) => void statusChanges.push(d.envelope),
  });
  const stateOf = async (id: string) =>
    (await db.withSchema('moderation').selectFrom('comments').select('state').where('id', '=', id).executeTakeFirst())?.state;
  return {
    infra,
    svc,
    db,
    admin,
    statusChanges,
    async siteWithModerator(id, settings) {
      const created = await admin.createSite({ id, name: `Site ${id}`, allowedOrigins: [`https://${id}.example.org`], ...(settings ? { settings } : {}) });
      if (created.status !== 201) throw new Error(`site not created: ${JSON.stringify(created.body)}`);
      const key = await admin.createKey({ role: 'moderator', sites: [id] });
      return key.body.secret as string;
    },
    async submit(envelope) {
      await infra.transport.publish(Streams.commentsSubmitted, envelope);
      return eventually(() => stateOf(envelope.payload.commentId), 10_000);
    },
    async startInstance(more = {}) {
      const other = await startTestService(moderationQueue, infra, { ...baseEnv, ...more });
      others.push(other);
      return other;
    },
    async close() {
      await observer.stop();
      await Promise.all(others.map((o) => o.stop()));
      await svc.stop();
      await infra.close();
    },
  };
}

/** The moderators' API as a client would call it. */
export function modClient(url: string, key: string, site: string) {
  const auth = { Authorization: `Bearer ${key}` };
  const base = `/v1/sites/${site}`;
  return {
    queue: (query: Record<string, string | number> = {}) => request(url).get(`${base}/queue`).query(query).set(auth),
    counts: () => request(url).get(`${base}/queue/counts`).set(auth),
    comment: (id: string) => request(url).get(`${base}/comments/${id}`).set(auth),
    decide: (id: string, body: object) => request(url).post(`${base}/comments/${id}/decisions`).set(auth).send(body),
    bulk: (body: object) => request(url).post(`${base}/decisions`).set(auth).send(body),
    author: (key: string) => request(url).get(`${base}/authors/${key}`).set(auth),
    ban: (key: string, body: object = {}) => request(url).put(`${base}/authors/${key}/ban`).set(auth).send(body),
    unban: (key: string) => request(url).delete(`${base}/authors/${key}/ban`).set(auth),
    trust: (key: string) => request(url).put(`${base}/authors/${key}/trust`).set(auth),
    wordLists: () => request(url).get(`${base}/word-lists`).set(auth),
    putWordLists: (body: object) => request(url).put(`${base}/word-lists`).set(auth).send(body),
    settings: () => request(url).get(`${base}/moderation-settings`).set(auth),
    putSettings: (body: object) => request(url).put(`${base}/moderation-settings`).set(auth).send(body),
    webhooks: () => request(url).get(`${base}/webhooks`).set(auth),
    createWebhook: (body: object) => request(url).post(`${base}/webhooks`).set(auth).send(body),
    deleteWebhook: (id: string) => request(url).delete(`${base}/webhooks/${id}`).set(auth),
    stats: () => request(url).get(`${base}/stats`).set(auth),
    closeThread: (thread: string) => request(url).put(`${base}/threads/${thread}/closed`).set(auth),
    reopenThread: (thread: string) => request(url).delete(`${base}/threads/${thread}/closed`).set(auth),
    audit: (query: Record<string, string | number> = {}) => request(url).get(`${base}/audit`).query(query).set(auth),
  };
}
