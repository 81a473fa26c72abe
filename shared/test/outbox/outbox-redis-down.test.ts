import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { eventSchema } from '../../src/contracts/envelope';
import { createDatabase, migrateSchema, type DatabaseHandle } from '../../src/db';
import { createMetrics } from '../../src/metrics';
import { OutboxRelay, enqueue, idempotent } from '../../src/outbox';
import { createRedisTransport, type StreamTransport, type Subscription } from '../../src/streams';
import { createTestDatabase } from '../../src/testing';
import { uniqueSchema, waitFor } from '../db/test-databases';
import { buildEnvelope, effectCounts, insertEffect, insertThing, outboxMigrations, type TestEnvelope } from './outbox-fixtures';
import { RedisChild } from './redis-child';

const STREAM = 'things.created';
const GROUP = 'test-group';
const N = 40;

// Real Postgres, the real Redis transport, and a redis-server of our own that the test kills.
describe('outbox relay while Redis is down', () => {
  let redis: RedisChild;
  let database: { drop(): Promise<void> };
  let handle: DatabaseHandle<any>;
  let transport: StreamTransport;
  let relay: OutboxRelay;
  let subscription: Subscription | undefined;
  const schema = uniqueSchema('ob');
  const metrics = createMetrics('test');
  let handled = 0;

  beforeAll(async () => {
    redis = await RedisChild.onFreePort();
    await redis.start();
    const created = await createTestDatabase();
    database = created;
    handle = await createDatabase({ databaseUrl: created.url });
    await migrateSchema(handle.db, schema, outboxMigrations(schema));
    transport = createRedisTransport({ url: redis.url, keyPrefix: `t:${randomBytes(4).toString('hex')}:` });
    // Short publish timeout and back-off keep the test quick; production keeps the defaults.
    relay = new OutboxRelay({ db: handle.db, schema, transport, publishTimeoutMs: 500, maxBackoffMs: 500, metrics, backlogEveryMs: 0 });
    const apply = idempotent<TestEnvelope>(handle.db, schema, GROUP, (trx, d) => insertEffect(trx, schema, d.envelope));
    subscription = transport.subscribe({
      stream: STREAM,
      group: GROUP,
      consumer: 'c1',
      schema: eventSchema('test.happened', 1, z.object({ n: z.number() })),
      blockMs: 200,
      handler: async (delivery) => {
        await apply(delivery);
        handled += 1;
      },
    });
    relay.start();
  });

  afterAll(async () => {
    await relay?.stop();
    // Should the test have stopped half-way, bring Redis back so the transport can say goodbye.
    await redis?.start().catch(() => undefined);
    await subscription?.stop();
    await transport?.close();
    await handle?.close();
    await database?.drop();
    await redis?.kill();
  });

  const submitThing = async (id: number) => {
    const envelope = buildEnvelope(id);
    await handle.db.transaction().execute(async (trx) => {
      await insertThing(trx, schema, id);
      await enqueue(trx, schema, STREAM, envelope);
    });
    relay.kick();
    return envelope;
  };
  const backlog = async () => (await metrics.outboxBacklog.get()).values.find((v) => v.labels.schema === schema)?.value;
  const attempts = async () =>
    (await handle.db.selectFrom(`${schema}.outbox`).select('attempts').where('published_at', 'is', null).execute()).map(
      (r) => r.attempts as number,
    );

  it('when events are written while Redis is down, then they wait, and once it is back each is applied exactly once', async () => {
    // Up: an event goes through end to end.
    await submitThing(0);
    await waitFor(async () => (await effectCounts(handle.db, schema)).size === 1);

    // Down: writes keep succeeding and pile up; the relay keeps trying without crashing anything.
    await redis.kill();
    await waitFor(async () => !(await transport.ping()));
    for (let i = 1; i <= N; i++) await submitThing(i);
    await waitFor(async () => {
      const tries = await attempts();
      return tries.length === N && tries.every((t) => t >= 2);
    }, 30_000);
    await waitFor(async () => (await backlog()) === N);
    expect(await relay.pending()).toBe(N);
    expect((await effectCounts(handle.db, schema)).size).toBe(1);

    // Back (empty: nothing was saved): the backlog drains and every event is applied.
    await redis.start();
    await waitFor(async () => (await relay.pending()) === 0, 30_000);
    await waitFor(async () => (await effectCounts(handle.db, schema)).size === N + 1, 30_000);

    // A forced duplicate of every event (the relay may have sent some twice already) changes nothing.
    const published = await handle.db.selectFrom(`${schema}.outbox`).select('envelope').orderBy('created_at').orderBy('id').execute();
    await transport.publishMany(STREAM, published.map((r) => r.envelope as TestEnvelope));
    await waitFor(async () => {
      const stats = await transport.stats(STREAM, GROUP);
      return handled >= 2 * N + 1 && stats.lag === 0 && stats.pending === 0;
    }, 30_000);

    const counts = await effectCounts(handle.db, schema);
    expect(counts.size).toBe(N + 1);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    await waitFor(async () => (await backlog()) === 0);
  }, 120_000);
});
