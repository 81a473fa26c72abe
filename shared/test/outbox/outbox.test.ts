import { sql } from 'kysely';
import type { Envelope } from '../../src/contracts/envelope';
import { eventSchema } from '../../src/contracts/envelope';
import { migrateSchema, type DatabaseHandle } from '../../src/db';
import { createMetrics } from '../../src/metrics';
import { OutboxRelay, enqueue, idempotent, pruneInbox, type OutboxRelayOptions } from '../../src/outbox';
import { createMemoryTransport, type Delivery, type StreamTransport } from '../../src/streams';
import { dialects, openTestDatabases, uniqueSchema, waitFor, type TestDatabases } from '../db/test-databases';
import { buildEnvelope, effectCounts, insertEffect, insertThing, outboxMigrations, type TestEnvelope } from './outbox-fixtures';
import { z } from 'zod';

/** Records what the relay publishes; can be told to fail, or to hold a publish until released. */
class RecordingTransport implements Pick<StreamTransport, 'publishMany'> {
  readonly published: { stream: string; id: string }[] = [];
  failing = false;
  gate?: Promise<void>;

  async publishMany(stream: string, envelopes: readonly Envelope[]): Promise<string[]> {
    if (this.failing) throw new Error('transport down');
    await this.gate;
    await new Promise((resolve) => setImmediate(resolve));
    for (const e of envelopes) this.published.push({ stream, id: e.id });
    return envelopes.map((_, i) => `0-${i}`);
  }
}

const delivery = (envelope: TestEnvelope, deliveries = 1): Delivery<TestEnvelope> => ({
  stream: 'test.stream',
  entryId: `0-${deliveries}`,
  envelope,
  deliveries,
});

describe.each(dialects)('outbox and inbox on %s', (kind) => {
  let databases: TestDatabases;
  let handle: DatabaseHandle<any>;
  let schema: string;
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    databases = await openTestDatabases(kind);
    handle = await databases.open();
  });
  beforeEach(async () => {
    schema = uniqueSchema('ob');
    await migrateSchema(handle.db, schema, outboxMigrations(schema));
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => {
    await databases.close();
  });

  const relayFor = (transport: OutboxRelayOptions['transport'], options: Partial<OutboxRelayOptions> = {}) => {
    const relay = new OutboxRelay({ db: handle.db, schema, transport, ...options });
    relays.push(relay);
    return relay;
  };
  const outboxRows = () =>
    handle.db.selectFrom(`${schema}.outbox`).select(['id', 'stream', 'published_at', 'attempts']).orderBy('created_at').orderBy('id').execute();
  const unpublished = async () => (await outboxRows()).filter((r) => r.published_at === null).length;

  /** A "use case": the business row and its event in one transaction. */
  const submitThing = (id: number, stream = 'things.created') =>
    handle.db.transaction().execute(async (trx) => {
      await insertThing(trx, schema, id);
      const envelope = buildEnvelope(id);
      await enqueue(trx, schema, stream, envelope);
      return envelope;
    });

  it('when a row and its event are written in one transaction, then both are committed', async () => {
    const envelope = await submitThing(1);

    const rows = await outboxRows();
    const stored = await handle.db.selectFrom(`${schema}.outbox`).select('envelope').executeTakeFirstOrThrow();
    expect(rows).toEqual([expect.objectContaining({ id: envelope.id, stream: 'things.created', published_at: null, attempts: 0 })]);
    expect(stored.envelope).toEqual(envelope);
  });

  it('when the transaction rolls back, then neither the row nor the outbox row remains', async () => {
    const attempt = handle.db.transaction().execute(async (trx) => {
      await insertThing(trx, schema, 2);
      await enqueue(trx, schema, 'things.created', [buildEnvelope(2), buildEnvelope(3)]);
      throw new Error('validation failed late');
    });

    await expect(attempt).rejects.toThrow('validation failed late');
    expect(await outboxRows()).toEqual([]);
    expect(await handle.db.selectFrom(`${schema}.things`).selectAll().execute()).toEqual([]);
  });

  it('when the relay flushes, then pending rows are published in order per stream and deleted', async () => {
    const transport = new RecordingTransport();
    const relay = relayFor(transport);
    const written: { stream: string; id: string }[] = [];
    for (let i = 0; i < 6; i++) {
      const stream = i % 2 ? 'odd' : 'even';
      written.push({ stream, id: (await submitThing(i, stream)).id });
    }
    await handle.db.transaction().execute(async (trx) => {
      const batch = [buildEnvelope(100), buildEnvelope(101)];
      await enqueue(trx, schema, 'even', batch);
      written.push(...batch.map((e) => ({ stream: 'even', id: e.id })));
    });

    const published = await relay.flushOnce();
    const again = await relay.flushOnce();

    expect(published).toBe(8);
    expect(again).toBe(0);
    for (const stream of ['even', 'odd']) {
      const inStream = (list: { stream: string; id: string }[]) => list.filter((p) => p.stream === stream).map((p) => p.id);
      expect(inStream(transport.published)).toEqual(inStream(written));
    }
    expect(await outboxRows()).toEqual([]);
    expect(await relay.pending()).toBe(0);
  });

  it('when publishing fails, then the rows stay pending with the attempt counted and go out on the next round', async () => {
    const transport = new RecordingTransport();
    const relay = relayFor(transport);
    const envelope = await submitThing(7);

    transport.failing = true;
    await expect(relay.flushOnce()).rejects.toThrow('transport down');
    const afterFailure = await outboxRows();
    transport.failing = false;
    const published = await relay.flushOnce();

    expect(afterFailure).toEqual([expect.objectContaining({ id: envelope.id, published_at: null, attempts: 1 })]);
    expect(published).toBe(1);
    expect(transport.published.map((p) => p.id)).toEqual([envelope.id]);
  });

  it('when more rows than one batch are pending, then the running relay drains them all', async () => {
    const transport = new RecordingTransport();
    await handle.db.transaction().execute((trx) =>
      enqueue(trx, schema, 'bulk', Array.from({ length: 35 }, (_, i) => buildEnvelope(i))),
    );
    const relay = relayFor(transport, { batchSize: 10 });

    relay.start();
    await waitFor(async () => (await relay.pending()) === 0);

    expect(transport.published).toHaveLength(35);
    expect(new Set(transport.published.map((p) => p.id)).size).toBe(35);
  });

  it('when kicked after a commit, then the idle relay publishes without waiting for its next poll', async () => {
    const transport = new RecordingTransport();
    const relay = relayFor(transport, { idleMs: 10 * 60_000 });
    const first = await submitThing(8);
    relay.start();
    // The first round publishes this one; after it the relay sleeps for ten minutes.
    await waitFor(() => transport.published.some((p) => p.id === first.id));

    const envelope = await submitThing(9);
    relay.kick();

    await waitFor(() => transport.published.some((p) => p.id === envelope.id));
  });

  /** A relay that has drained the table (hand-over is on) and then sleeps for ten minutes. */
  const drainedRelay = async (transport: RecordingTransport, options: Partial<OutboxRelayOptions> = {}) => {
    const relay = relayFor(transport, { idleMs: 10 * 60_000, orphanPollMs: 10 * 60_000, ...options });
    const first = await submitThing(100);
    relay.start();
    await waitFor(() => transport.published.some((p) => p.id === first.id));
    await waitFor(async () => (await unpublished()) === 0);
    return relay;
  };

  it('when committed events are handed over, then they are published at once, in hand-over order, and their rows deleted', async () => {
    const transport = new RecordingTransport();
    const relay = await drainedRelay(transport);
    const a = await submitThing(11);
    const b = await submitThing(12);
    relay.handOver([{ stream: 'things.created', envelope: a }]);
    relay.handOver([{ stream: 'things.created', envelope: b }]);

    await waitFor(async () => (await unpublished()) === 0);
    expect(transport.published.slice(-2).map((p) => p.id)).toEqual([a.id, b.id]);
    expect(transport.published.filter((p) => p.id === a.id)).toHaveLength(1);
    expect(await outboxRows()).toEqual([]);
  });

  it('when a hand-over fails (transport down), then its events stay in the outbox and go out in commit order once the transport is back', async () => {
    const transport = new RecordingTransport();
    const relay = await drainedRelay(transport, { maxBackoffMs: 20 });
    transport.failing = true;
    const a = await submitThing(21);
    const b = await submitThing(22);
    relay.handOver([{ stream: 'things.created', envelope: a }]);
    relay.handOver([{ stream: 'things.created', envelope: b }]);
    await waitFor(async () => (await outboxRows()).some((r) => (r.attempts as number) >= 1));
    expect(transport.published.map((p) => p.id)).not.toContain(a.id);

    transport.failing = false;
    await waitFor(async () => (await unpublished()) === 0);
    expect(transport.published.slice(-2).map((p) => p.id)).toEqual([a.id, b.id]);
  });

  it('when a committed row is never handed over (its writer died after the commit), then a poll publishes it once it is an orphan', async () => {
    const transport = new RecordingTransport();
    await drainedRelay(transport, { idleMs: 20, orphanPollMs: 20, orphanAfterMs: 200 });
    const orphan = await submitThing(31);

    await waitFor(() => transport.published.some((p) => p.id === orphan.id));
    // The round marks it in the transaction that commits after the publish.
    await waitFor(async () => (await unpublished()) === 0);
  });

  it('when the transport is down, then the running relay keeps retrying, reports the backlog and delivers once it is back', async () => {
    const transport = new RecordingTransport();
    transport.failing = true;
    const metrics = createMetrics('test');
    const relay = relayFor(transport, { metrics, maxBackoffMs: 20, backlogEveryMs: 0 });
    const backlog = async () => (await metrics.outboxBacklog.get()).values.find((v) => v.labels.schema === schema)?.value;
    for (let i = 0; i < 3; i++) await submitThing(i);

    relay.start();
    await waitFor(async () => (await outboxRows()).every((r) => (r.attempts as number) >= 2));
    await waitFor(async () => (await backlog()) === 3);
    transport.failing = false;

    await waitFor(async () => (await relay.pending()) === 0);
    await waitFor(async () => (await backlog()) === 0);
    expect(transport.published).toHaveLength(3);
  });

  it('when published rows are kept (keepPublishedMs), then they stay marked published until prune finds them past it, and pending ones stay', async () => {
    const transport = new RecordingTransport();
    const relay = relayFor(transport, { keepPublishedMs: 50 });
    const published = await submitThing(1);
    await relay.flushOnce();
    const pending = await submitThing(2);

    const kept = await outboxRows();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const pruned = await relay.prune();

    expect(kept).toEqual([expect.objectContaining({ id: published.id, published_at: expect.any(Date) }), expect.objectContaining({ id: pending.id, published_at: null })]);
    expect(pruned).toBe(1);
    expect((await outboxRows()).map((r) => r.id)).toEqual([pending.id]);
  });

  it('when the transport is the in-process one, then handed-over rows are kept marked published (the embedded replay needs them)', async () => {
    const transport = Object.assign(new RecordingTransport(), { kind: 'memory' as const });
    const relay = await drainedRelay(transport);
    const a = await submitThing(41);
    relay.handOver([{ stream: 'things.created', envelope: a }]);

    await waitFor(async () => (await unpublished()) === 0);
    expect((await outboxRows()).map((r) => [r.id, r.published_at instanceof Date])).toContainEqual([a.id, true]);
  });

  it('when the same event is delivered three times, then its effect is applied once', async () => {
    const handler = idempotent<TestEnvelope>(handle.db, schema, 'test-group', (trx, d) => insertEffect(trx, schema, d.envelope));
    const envelope = buildEnvelope(42);

    for (let i = 1; i <= 3; i++) await handler(delivery(envelope, i));

    expect([...(await effectCounts(handle.db, schema)).values()]).toEqual([1]);
  });

  it('when the same event is delivered three times at once, then its effect is applied once', async () => {
    const handler = idempotent<TestEnvelope>(handle.db, schema, 'test-group', (trx, d) => insertEffect(trx, schema, d.envelope));
    const envelope = buildEnvelope(43);

    await Promise.all([1, 2, 3].map((i) => handler(delivery(envelope, i))));

    expect([...(await effectCounts(handle.db, schema)).values()]).toEqual([1]);
  });

  it('when two groups handle one event, then each applies it once', async () => {
    const handlerFor = (group: string) =>
      idempotent<TestEnvelope>(handle.db, schema, group, (trx, d) => insertEffect(trx, schema, d.envelope));
    const envelope = buildEnvelope(44);

    await handlerFor('group-a')(delivery(envelope));
    await handlerFor('group-b')(delivery(envelope));
    await handlerFor('group-a')(delivery(envelope, 2));

    expect(await effectCounts(handle.db, schema)).toEqual(new Map([[envelope.id, 2]]));
  });

  it('when the effect throws, then the claim rolls back too and the redelivery applies it', async () => {
    let fail = true;
    const handler = idempotent<TestEnvelope>(handle.db, schema, 'test-group', async (trx, d) => {
      await insertEffect(trx, schema, d.envelope);
      if (fail) throw new Error('downstream hiccup');
    });
    const envelope = buildEnvelope(45);

    await expect(handler(delivery(envelope, 1))).rejects.toThrow('downstream hiccup');
    fail = false;
    await handler(delivery(envelope, 2));

    expect(await effectCounts(handle.db, schema)).toEqual(new Map([[envelope.id, 1]]));
  });

  it('when the inbox is pruned, then only entries older than the cut-off go', async () => {
    const handler = idempotent<TestEnvelope>(handle.db, schema, 'test-group', async () => {});
    await handler(delivery(buildEnvelope(1)));
    await sql`update ${sql.table(`${schema}.inbox`)} set processed_at = now() - interval '2 days'`.execute(handle.db);
    await handler(delivery(buildEnvelope(2)));

    const pruned = await pruneInbox(handle.db, schema, new Date(Date.now() - 24 * 3600 * 1000));

    expect(pruned).toBe(1);
  });

  it('when inbox entries are past their retention, then the relay prunes them along with the outbox', async () => {
    const handler = idempotent<TestEnvelope>(handle.db, schema, 'test-group', async () => {});
    const old = buildEnvelope(1);
    const recent = buildEnvelope(2);
    await handler(delivery(old));
    await sql`update ${sql.table(`${schema}.inbox`)} set processed_at = now() - interval '8 days'`.execute(handle.db);
    await handler(delivery(recent));

    await relayFor(new RecordingTransport()).prune();

    const left = await handle.db.selectFrom(`${schema}.inbox`).select('event_id').execute();
    expect(left.map((r) => r.event_id)).toEqual([recent.id]);
  });

  it('when relay and consumer share the database through the in-process transport, then every event is applied once', async () => {
    const transport = createMemoryTransport();
    const relay = relayFor(transport);
    const subscription = transport.subscribe({
      stream: 'things.created',
      group: 'test-group',
      consumer: 'c1',
      schema: eventSchema('test.happened', 1, z.object({ n: z.number() })),
      handler: idempotent<TestEnvelope>(handle.db, schema, 'test-group', (trx, d) => insertEffect(trx, schema, d.envelope)),
    });
    try {
      relay.start();
      const envelopes = [];
      for (let i = 0; i < 10; i++) {
        envelopes.push(await submitThing(i));
        relay.kick();
      }
      await waitFor(async () => (await effectCounts(handle.db, schema)).size === 10);

      // A forced duplicate of everything changes nothing.
      await transport.publishMany('things.created', envelopes);
      await waitFor(async () => {
        const stats = await transport.stats('things.created', 'test-group');
        return stats.lag === 0 && stats.pending === 0;
      });
      expect([...(await effectCounts(handle.db, schema)).values()]).toEqual(Array(10).fill(1));
    } finally {
      await subscription.stop();
      await transport.close();
    }
  });
});

describe('two relays on one Postgres outbox', () => {
  let databases: TestDatabases;

  beforeAll(async () => {
    databases = await openTestDatabases('postgres');
  });
  afterAll(async () => {
    await databases.close();
  });

  it('when two relays flush at once, then no row is published twice and none is missed (SKIP LOCKED)', async () => {
    const schema = uniqueSchema('ob');
    const [first, second] = [await databases.open(), await databases.open()];
    await migrateSchema(first.db, schema, outboxMigrations(schema));
    await first.db.transaction().execute((trx) =>
      enqueue(trx, schema, 'bulk', Array.from({ length: 200 }, (_, i) => buildEnvelope(i))),
    );
    // Relay A holds its first batch (rows locked, transaction open) until B has published a batch,
    // so B must take rows A has not locked rather than wait for them.
    let releaseA!: () => void;
    const transportA = new RecordingTransport();
    const transportB = new RecordingTransport();
    transportA.gate = new Promise<void>((resolve) => (releaseA = resolve));
    const originalB = transportB.publishMany.bind(transportB);
    transportB.publishMany = async (stream, envelopes) => {
      const ids = await originalB(stream, envelopes);
      releaseA();
      return ids;
    };
    const relayA = new OutboxRelay({ db: first.db, schema, transport: transportA, batchSize: 20 });
    const relayB = new OutboxRelay({ db: second.db, schema, transport: transportB, batchSize: 20 });
    const drain = async (relay: OutboxRelay) => {
      while ((await relay.flushOnce()) > 0);
    };

    await Promise.all([drain(relayA), drain(relayB)]);

    const all = [...transportA.published, ...transportB.published].map((p) => p.id);
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(transportA.published.length).toBeGreaterThan(0);
    expect(transportB.published.length).toBeGreaterThan(0);
    expect(await relayA.pending()).toBe(0);
  });
});
