import { randomBytes } from 'node:crypto';
import { commentsSubmittedV1, type CommentsSubmittedV1 } from '../../src/contracts/events';
import { fixtures } from '../../src/contracts/fixtures';
import { PoisonMessageError } from '../../src/errors';
import { uuidv7 } from '../../src/ids';
import { createMetrics, type Metrics } from '../../src/metrics';
import type { Delivery, StreamTransport, SubscribeOptions, Subscription } from '../../src/streams';

export interface TransportHarness {
  transport: StreamTransport;
  /** Appends text that is not an envelope, the way a foreign writer would. */
  publishRaw(stream: string, raw: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  maxLen?: number;
  metrics?: Metrics;
}

/**
 * The behaviour every StreamTransport must show. Each test uses its own stream names, so the
 * suite can share one Redis with every other test file.
 */
export function describeTransportContract(
  name: string,
  makeTransport: (options?: HarnessOptions) => Promise<TransportHarness>,
): void {
  describe(`${name} transport contract`, () => {
    let harness: TransportHarness;
    let transport: StreamTransport;
    let subs: Subscription[];

    beforeEach(async () => {
      harness = await makeTransport();
      transport = harness.transport;
      subs = [];
    });

    afterEach(async () => {
      await Promise.all(subs.map((s) => s.stop()));
      await harness.cleanup();
    });

    const stream = () => `contract.${randomBytes(4).toString('hex')}`;
    const group = 'g1';

    function subscribe(t: StreamTransport, options: Omit<SubscribeOptions<CommentsSubmittedV1>, 'schema'>): Subscription {
      const sub = t.subscribe({ schema: commentsSubmittedV1, retryDelayMs: 5, ...options });
      subs.push(sub);
      return sub;
    }

    test('when messages are published before and after a group subscribes, then it receives all of them in order', async () => {
      const s = stream();
      const early = [message(), message(), message()];
      await transport.publish(s, early[0]!);
      await transport.publishMany(s, early.slice(1));
      const seen: Delivery<CommentsSubmittedV1>[] = [];
      subscribe(transport, { stream: s, group, consumer: 'c1', batchSize: 4, handler: async (d) => void seen.push(d) });
      const late = Array.from({ length: 20 }, () => message());
      await transport.publishMany(s, late.slice(0, 10));
      for (const m of late.slice(10)) await transport.publish(s, m);

      await waitFor(() => seen.length === 23);
      expect(seen.map((d) => d.envelope.id)).toEqual([...early, ...late].map((m) => m.id));
      expect(seen.every((d) => d.deliveries === 1 && d.stream === s)).toBe(true);
      expect(seen[0]!.envelope).toEqual(early[0]);
      await waitFor(async () => (await transport.stats(s, group)).pending === 0);
    });

    test('when two groups subscribe to one stream, then each group handles every message', async () => {
      const s = stream();
      const a: string[] = [];
      const b: string[] = [];
      subscribe(transport, { stream: s, group: 'ga', consumer: 'c1', handler: async (d) => void a.push(d.envelope.id) });
      subscribe(transport, { stream: s, group: 'gb', consumer: 'c1', handler: async (d) => void b.push(d.envelope.id) });
      const sent = Array.from({ length: 10 }, () => message());
      await transport.publishMany(s, sent);

      await waitFor(() => a.length === 10 && b.length === 10);
      expect(a).toEqual(sent.map((m) => m.id));
      expect(b).toEqual(sent.map((m) => m.id));
    });

    test('when two consumers share a group, then each message is handled once across them', async () => {
      const s = stream();
      const handled: { consumer: string; id: string }[] = [];
      for (const consumer of ['c1', 'c2']) {
        subscribe(transport, {
          stream: s,
          group,
          consumer,
          batchSize: 5,
          handler: async (d) => {
            handled.push({ consumer, id: d.envelope.id });
            await new Promise((r) => setImmediate(r));
          },
        });
      }
      const sent = Array.from({ length: 60 }, () => message());
      for (let i = 0; i < sent.length; i += 10) await transport.publishMany(s, sent.slice(i, i + 10));

      await waitFor(async () => handled.length >= 60 && (await transport.stats(s, group)).pending === 0);
      await Promise.all(subs.map((sub) => sub.stop()));
      expect(handled).toHaveLength(60);
      expect(new Set(handled.map((h) => h.id))).toEqual(new Set(sent.map((m) => m.id)));
    });

    test('when a standby consumer\'s readNewWhen answers false, then the other consumer takes every new message, and while it answers true the standby reads too', async () => {
      const s = stream();
      let backlog = false;
      const hold = deferred();
      const handled: { consumer: string; id: string }[] = [];
      const take = (consumer: string) => async (ds: Delivery<CommentsSubmittedV1>[]) => {
        for (const d of ds) handled.push({ consumer, id: d.envelope.id });
        if (consumer === 'main' && backlog) await hold.promise;
      };
      subscribe(transport, { stream: s, group, consumer: 'main', batchSize: 5, batchHandler: take('main') });
      subscribe(transport, { stream: s, group, consumer: 'standby', batchSize: 5, readNewWhen: () => backlog, batchHandler: take('standby') });

      const steady = Array.from({ length: 20 }, () => message());
      for (const m of steady) await transport.publish(s, m);
      await waitFor(() => handled.length >= 20);
      await new Promise((r) => setTimeout(r, 100));
      expect(handled.map((h) => h.consumer)).toEqual(steady.map(() => 'main'));

      // A backlog: the main consumer is busy with its batch, and the standby one takes the rest.
      backlog = true;
      const burst = Array.from({ length: 20 }, () => message());
      await transport.publishMany(s, burst);
      await waitFor(() => handled.some((h) => h.consumer === 'standby'), 10_000, 'the standby consumer to read');
      hold.resolve();
      await waitFor(async () => handled.length >= 40 && (await transport.stats(s, group)).pending === 0);
      expect(new Set(handled.map((h) => h.id))).toEqual(new Set([...steady, ...burst].map((m) => m.id)));
      expect(handled).toHaveLength(40);
    });

    test('when a handler throws, then the message is redelivered with a growing delivery count', async () => {
      const s = stream();
      const deliveries: number[] = [];
      const sent = message();
      subscribe(transport, {
        stream: s,
        group,
        consumer: 'c1',
        maxDeliveries: 5,
        handler: async (d) => {
          deliveries.push(d.deliveries);
          if (d.deliveries < 3) throw new Error('transient failure');
        },
      });
      await transport.publish(s, sent);

      await waitFor(async () => deliveries.length === 3 && (await transport.stats(s, group)).pending === 0);
      expect(deliveries).toEqual([1, 2, 3]);
      expect(await transport.stats(s, group)).toMatchObject({ pending: 0, deadLetters: 0 });
    });

    test('when a handler keeps failing, then after maxDeliveries the message is dead-lettered with its error and acked', async () => {
      const metrics = createMetrics('contract');
      await harness.cleanup();
      harness = await makeTransport({ metrics });
      transport = harness.transport;
      const s = stream();
      const sent = message();
      let calls = 0;
      subscribe(transport, {
        stream: s,
        group,
        consumer: 'c1',
        maxDeliveries: 3,
        handler: async () => {
          calls += 1;
          throw new Error('database is on fire');
        },
      });
      const entryId = await transport.publish(s, sent);

      await waitFor(async () => (await transport.stats(s, group)).deadLetters === 1);
      await waitFor(async () => (await transport.stats(s, group)).pending === 0);
      expect(calls).toBe(3);
      const [dead] = await transport.readDeadLetters(s);
      expect(dead).toMatchObject({ stream: s, entryId, group, reason: 'max-deliveries', deliveries: 3 });
      expect(dead!.error).toContain('database is on fire');
      expect(JSON.parse(dead!.raw)).toEqual(sent);
      expect(Number.isNaN(Date.parse(dead!.deadAt))).toBe(false);
      expect(await transport.stats(s, group)).toMatchObject({ length: 1, pending: 0, lag: 0, deadLetters: 1 });
      const counted = (await metrics.deadLetters.get()).values;
      expect(counted).toEqual([expect.objectContaining({ value: 1, labels: { stream: s, group, reason: 'max-deliveries' } })]);
      const outcomes = (await metrics.messagesHandled.get()).values.map((v) => [v.labels.outcome, v.value]);
      expect(Object.fromEntries(outcomes)).toEqual({ retry: 2, dead: 1 });
    });

    test('when a message fails its schema, then it is dead-lettered at once and the handler never sees it', async () => {
      const s = stream();
      const seen: string[] = [];
      const bad = { ...message(), payload: { commentId: 'not-a-uuid' } };
      const good = message();
      const badId = await transport.publish(s, bad);
      await transport.publish(s, good);
      subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void seen.push(d.envelope.id) });

      await waitFor(async () => seen.length === 1 && (await transport.stats(s, group)).pending === 0);
      expect(seen).toEqual([good.id]);
      const dead = await transport.readDeadLetters(s);
      expect(dead).toEqual([expect.objectContaining({ entryId: badId, reason: 'schema', deliveries: 1, group })]);
      expect(JSON.parse(dead[0]!.raw)).toEqual(bad);
      expect(dead[0]!.error).toContain('payload');
    });

    test('when a message is not JSON, then it is dead-lettered at once and the handler never sees it', async () => {
      const s = stream();
      const seen: string[] = [];
      const good = message();
      await harness.publishRaw(s, '{"id": truncated');
      await transport.publish(s, good);
      subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void seen.push(d.envelope.id) });

      await waitFor(async () => seen.length === 1 && (await transport.stats(s, group)).pending === 0);
      expect(seen).toEqual([good.id]);
      const dead = await transport.readDeadLetters(s);
      expect(dead).toEqual([expect.objectContaining({ reason: 'schema', deliveries: 1, raw: '{"id": truncated' })]);
      expect(await transport.stats(s, group)).toMatchObject({ pending: 0, deadLetters: 1 });
    });

    test('when a handler throws PoisonMessageError, then the message is dead-lettered at once', async () => {
      const s = stream();
      let calls = 0;
      subscribe(transport, {
        stream: s,
        group,
        consumer: 'c1',
        maxDeliveries: 5,
        handler: async () => {
          calls += 1;
          throw new PoisonMessageError('refers to a site that never existed');
        },
      });
      await transport.publish(s, message());

      await waitFor(async () => (await transport.stats(s, group)).deadLetters === 1);
      await waitFor(async () => (await transport.stats(s, group)).pending === 0);
      expect(calls).toBe(1);
      const [dead] = await transport.readDeadLetters(s);
      expect(dead).toMatchObject({ reason: 'poison', deliveries: 1 });
      expect(dead!.error).toContain('refers to a site that never existed');
    });

    test('when a handler is still running, then its message stays pending until the handler resolves', async () => {
      const s = stream();
      const { gate, entered, handler } = holdingHandler();
      subscribe(transport, { stream: s, group, consumer: 'c1', handler });
      await transport.publish(s, message());
      await entered.promise;

      expect(await transport.stats(s, group)).toMatchObject({ pending: 1, lag: 0 });
      gate.resolve();
      await waitFor(async () => (await transport.stats(s, group)).pending === 0);
    });

    test('when a consumer dies mid-handler, then another consumer of the group reclaims the message after claimIdleMs', async () => {
      const s = stream();
      const stuck = deferred();
      const entered = deferred<Delivery>();
      subscribe(transport, {
        stream: s,
        group,
        consumer: 'victim',
        claimIdleMs: 300,
        handler: async (d) => {
          entered.resolve(d);
          await stuck.promise; // never returns while the test runs: as good as dead
        },
      });
      const entryId = await transport.publish(s, message());
      const first = await entered.promise;
      expect(first.deliveries).toBe(1);

      const rescued: Delivery[] = [];
      subscribe(transport, { stream: s, group, consumer: 'rescuer', claimIdleMs: 300, handler: async (d) => void rescued.push(d) });
      await waitFor(async () => rescued.length === 1 && (await transport.stats(s, group)).pending === 0);
      expect(rescued[0]).toMatchObject({ entryId, deliveries: 2 });
      expect(rescued[0]!.envelope.id).toBe(first.envelope.id);
      stuck.resolve();
    });

    test('when a consumer is stopped while its handler fails, then the message is handed to another consumer at once', async () => {
      const s = stream();
      const { gate, entered, handler } = holdingHandler(() => {
        throw new Error('interrupted by shutdown');
      });
      const victim = subscribe(transport, { stream: s, group, consumer: 'leaving', handler });
      const entryId = await transport.publish(s, message());
      await entered.promise;
      const stopped = victim.stop();
      gate.resolve();
      await stopped;
      expect(await transport.stats(s, group)).toMatchObject({ pending: 1 });

      // A claimIdleMs far beyond the test: only the hand-back makes the entry claimable now.
      const rescued: Delivery[] = [];
      subscribe(transport, { stream: s, group, consumer: 'staying', claimIdleMs: 600_000, handler: async (d) => void rescued.push(d) });
      await waitFor(async () => rescued.length === 1 && (await transport.stats(s, group)).pending === 0);
      expect(rescued[0]).toMatchObject({ entryId, deliveries: 2 });
    });

    test('when stop() is called mid-handler, then it resolves only after the handler finished and its message is acked', async () => {
      const s = stream();
      const events: string[] = [];
      const { gate, entered, handler } = holdingHandler(() => events.push('handler done'));
      const sub = subscribe(transport, { stream: s, group, consumer: 'c1', handler });
      await transport.publish(s, message());
      await entered.promise;
      const stopped = sub.stop().then(() => events.push('stopped'));
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      expect(events).toEqual([]);
      gate.resolve();
      await stopped;
      expect(events).toEqual(['handler done', 'stopped']);
      expect(await transport.stats(s, group)).toMatchObject({ pending: 0, lag: 0 });
    });

    /** The group reads and acknowledges `n` new messages, then stops reading. */
    async function consumedThenStopped(s: string, n: number): Promise<void> {
      const seen: string[] = [];
      const sub = subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void seen.push(d.envelope.id) });
      await transport.publishMany(s, Array.from({ length: n }, () => message()));
      await waitFor(async () => seen.length === n && (await transport.stats(s, group)).pending === 0);
      await sub.stop();
    }

    test('when messages arrive after a group stopped reading, then stats count them as lag', async () => {
      const s = stream();
      await consumedThenStopped(s, 2);
      await transport.publishMany(s, [message(), message(), message()]);

      expect(await transport.stats(s, group)).toEqual({ length: 5, pending: 0, lag: 3, deadLetters: 0 });
      expect(await transport.stats(s, 'never-subscribed')).toMatchObject({ length: 5, pending: 0, lag: 5 });
    });

    describe('trimBefore (age-based retention)', () => {
      const inAMinute = () => new Date(Date.now() + 60_000);

      test('when entries are past the cutoff, then those every group acknowledged go, and those a group has not read stay and are still delivered', async () => {
        const s = stream();
        await consumedThenStopped(s, 2);
        const unread = message();
        await transport.publish(s, unread);

        expect(await transport.trimBefore(s, inAMinute())).toBe(2);
        expect(await transport.stats(s, group)).toMatchObject({ length: 1, lag: 1 });
        const later: string[] = [];
        subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void later.push(d.envelope.id) });
        await waitFor(() => later.length === 1);
        expect(later).toEqual([unread.id]);
      });

      test('when another group has not read an entry yet, then it stays for that group', async () => {
        const s = stream();
        await transport.publish(s, message());
        subscribe(transport, { stream: s, group: 'slow', consumer: 'c1', handler: async () => undefined });
        await waitFor(async () => (await transport.stats(s, 'slow')).pending === 0 && (await transport.stats(s, 'slow')).lag === 0);
        const fast: string[] = [];
        const sub = subscribe(transport, { stream: s, group: 'fast', consumer: 'c1', handler: async (d) => void fast.push(d.envelope.id) });
        await waitFor(async () => fast.length === 1 && (await transport.stats(s, 'fast')).pending === 0);
        await sub.stop();
        await transport.publish(s, message()); // read by 'slow' (still running), not by 'fast'
        await waitFor(async () => (await transport.stats(s, 'slow')).lag === 0 && (await transport.stats(s, 'slow')).pending === 0);

        expect(await transport.trimBefore(s, inAMinute())).toBe(1);
        expect(await transport.stats(s, 'fast')).toMatchObject({ length: 1, lag: 1 });
      });

      test('when a handler is still running, then its entry stays until it is acknowledged', async () => {
        const s = stream();
        const { gate, entered, handler } = holdingHandler();
        subscribe(transport, { stream: s, group, consumer: 'c1', handler });
        await transport.publish(s, message());
        await entered.promise;

        try {
          expect(await transport.trimBefore(s, inAMinute())).toBe(0);
          expect((await transport.stats(s, group)).length).toBe(1);
        } finally {
          gate.resolve(); // a failed expectation must not leave the handler (and afterEach) waiting
        }
        await waitFor(async () => (await transport.stats(s, group)).pending === 0);
        expect(await transport.trimBefore(s, inAMinute())).toBe(1);
        expect((await transport.stats(s, group)).length).toBe(0);
      });

      test('when entries are younger than the cutoff, then nothing goes', async () => {
        const s = stream();
        await consumedThenStopped(s, 2);

        expect(await transport.trimBefore(s, new Date(Date.now() - 60_000))).toBe(0);
        expect((await transport.stats(s, group)).length).toBe(2);
      });

      test('when dead letters are past the cutoff, then they go too', async () => {
        const s = stream();
        const seen: string[] = [];
        subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void seen.push(d.envelope.id) });
        await harness.publishRaw(s, 'not json at all');
        await transport.publish(s, message());
        await waitFor(async () => seen.length === 1 && (await transport.stats(s, group)).pending === 0);
        expect(await transport.readDeadLetters(s)).toHaveLength(1);

        expect(await transport.trimBefore(s, inAMinute())).toBe(3);
        expect(await transport.readDeadLetters(s)).toEqual([]);
        expect(await transport.stats(s, group)).toMatchObject({ length: 0, deadLetters: 0 });
      });

      test('when the stream does not exist, then trimming it removes nothing', async () => {
        expect(await transport.trimBefore(stream(), inAMinute())).toBe(0);
      });
    });

    test('when many more messages than maxLen are published, then the stream is trimmed near maxLen', async () => {
      await harness.cleanup();
      harness = await makeTransport({ maxLen: 50 });
      transport = harness.transport;
      const s = stream();
      for (let i = 0; i < 10; i++) await transport.publishMany(s, Array.from({ length: 100 }, () => message()));
      await transport.publish(s, message());

      const { length } = await transport.stats(s, group);
      // Redis trims whole nodes of up to 100 entries (`MAXLEN ~`): never below maxLen, at most a node above.
      expect(length).toBeGreaterThanOrEqual(50);
      expect(length).toBeLessThanOrEqual(150);
    });

    describe('batch mode', () => {
      test('when messages wait and a batch handler subscribes, then it gets them in order in batches of at most batchSize, each once, all acked', async () => {
        const s = stream();
        const sent = Array.from({ length: 25 }, () => message());
        await transport.publishMany(s, sent);
        const batches: Delivery<CommentsSubmittedV1>[][] = [];
        subscribe(transport, { stream: s, group, consumer: 'c1', batchSize: 10, batchHandler: async (ds) => void batches.push(ds) });
        const late = Array.from({ length: 5 }, () => message());
        await transport.publishMany(s, late);

        await waitFor(async () => batches.flat().length === 30 && (await transport.stats(s, group)).pending === 0);
        expect(batches.flat().map((d) => d.envelope.id)).toEqual([...sent, ...late].map((m) => m.id));
        expect(Math.max(...batches.map((b) => b.length))).toBe(10);
        expect(batches.flat().every((d) => d.deliveries === 1 && d.stream === s)).toBe(true);
        expect(await transport.stats(s, group)).toMatchObject({ pending: 0, lag: 0, deadLetters: 0 });
      });

      test('when a batch holds a poison message, then the batch is split and only that message is dead-lettered', async () => {
        const s = stream();
        const sent = Array.from({ length: 6 }, () => message());
        const poison = sent[2]!.id;
        await transport.publishMany(s, sent);
        const calls: string[][] = [];
        const handled: string[] = [];
        subscribe(transport, {
          stream: s,
          group,
          consumer: 'c1',
          batchSize: 10,
          batchHandler: async (ds) => {
            calls.push(ds.map((d) => d.envelope.id));
            if (ds.some((d) => d.envelope.id === poison)) {
              // All or nothing, like a transaction: one bad message fails its whole batch.
              if (ds.length > 1) throw new Error('one of the batch is bad');
              throw new PoisonMessageError('can never be applied');
            }
            handled.push(...ds.map((d) => d.envelope.id));
          },
        });

        await waitFor(async () => (await transport.stats(s, group)).deadLetters === 1 && handled.length === 5);
        await waitFor(async () => (await transport.stats(s, group)).pending === 0);
        expect(handled).toEqual(sent.filter((m) => m.id !== poison).map((m) => m.id));
        expect(calls[0]).toEqual(sent.map((m) => m.id));
        // After the failed batch, batches of one, each message once more.
        expect(calls.slice(1)).toEqual(sent.map((m) => [m.id]));
        const [dead] = await transport.readDeadLetters(s);
        expect(dead).toMatchObject({ reason: 'poison', deliveries: 1, group });
        expect(JSON.parse(dead!.raw).id).toBe(poison);
      });

      test('when one message of a batch keeps failing, then it alone is retried with a growing count and dead-lettered after maxDeliveries', async () => {
        const s = stream();
        const sent = Array.from({ length: 4 }, () => message());
        const bad = sent[1]!.id;
        await transport.publishMany(s, sent);
        const badDeliveries: number[] = [];
        const handled: string[] = [];
        subscribe(transport, {
          stream: s,
          group,
          consumer: 'c1',
          maxDeliveries: 3,
          batchHandler: async (ds) => {
            const b = ds.find((d) => d.envelope.id === bad);
            if (b) {
              if (ds.length === 1) badDeliveries.push(b.deliveries);
              throw new Error('database is on fire');
            }
            handled.push(...ds.map((d) => d.envelope.id));
          },
        });

        await waitFor(async () => (await transport.stats(s, group)).deadLetters === 1 && handled.length === 3);
        await waitFor(async () => (await transport.stats(s, group)).pending === 0);
        expect(badDeliveries).toEqual([1, 2, 3]);
        expect(handled).toEqual(sent.filter((m) => m.id !== bad).map((m) => m.id));
        const [dead] = await transport.readDeadLetters(s);
        expect(dead).toMatchObject({ reason: 'max-deliveries', deliveries: 3 });
        expect(dead!.error).toContain('database is on fire');
      });

      test('when a batch holds a message failing its schema, then that one is dead-lettered and the others are handled together', async () => {
        const s = stream();
        const good = [message(), message()];
        await transport.publish(s, good[0]!);
        const badId = await transport.publish(s, { ...message(), payload: { commentId: 'not-a-uuid' } });
        await transport.publish(s, good[1]!);
        const batches: string[][] = [];
        subscribe(transport, { stream: s, group, consumer: 'c1', batchHandler: async (ds) => void batches.push(ds.map((d) => d.envelope.id)) });

        await waitFor(async () => batches.flat().length === 2 && (await transport.stats(s, group)).pending === 0);
        expect(batches).toEqual([good.map((m) => m.id)]);
        expect(await transport.readDeadLetters(s)).toEqual([expect.objectContaining({ entryId: badId, reason: 'schema' })]);
      });

      test('when stop() is called mid-batch, then it resolves only after the batch handler finished and every message of it is acked', async () => {
        const s = stream();
        await transport.publishMany(s, [message(), message(), message()]);
        const gate = deferred();
        const entered = deferred<number>();
        const events: string[] = [];
        const sub = subscribe(transport, {
          stream: s,
          group,
          consumer: 'c1',
          batchHandler: async (ds) => {
            entered.resolve(ds.length);
            await gate.promise;
            events.push('batch done');
          },
        });
        expect(await entered.promise).toBe(3);
        expect(await transport.stats(s, group)).toMatchObject({ pending: 3 });
        const stopped = sub.stop().then(() => events.push('stopped'));
        for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
        expect(events).toEqual([]);
        gate.resolve();
        await stopped;
        expect(events).toEqual(['batch done', 'stopped']);
        expect(await transport.stats(s, group)).toMatchObject({ pending: 0, lag: 0 });
      });

      test('when a consumer dies mid-batch, then another consumer reclaims the whole batch after claimIdleMs', async () => {
        const s = stream();
        const sent = [message(), message(), message()];
        await transport.publishMany(s, sent);
        const stuck = deferred();
        const entered = deferred();
        subscribe(transport, {
          stream: s,
          group,
          consumer: 'victim',
          claimIdleMs: 300,
          batchHandler: async () => {
            entered.resolve();
            await stuck.promise;
          },
        });
        await entered.promise;

        const rescued: Delivery[] = [];
        subscribe(transport, { stream: s, group, consumer: 'rescuer', claimIdleMs: 300, batchHandler: async (ds) => void rescued.push(...ds) });
        await waitFor(async () => rescued.length === 3 && (await transport.stats(s, group)).pending === 0);
        expect(rescued.map((d) => d.envelope.id)).toEqual(sent.map((m) => m.id));
        expect(rescued.every((d) => d.deliveries === 2)).toBe(true);
        stuck.resolve();
      });

      test('when both or neither of handler and batchHandler are given, then subscribe refuses', () => {
        const s = stream();
        expect(() => transport.subscribe({ stream: s, group, consumer: 'c1', schema: commentsSubmittedV1 })).toThrow(/exactly one/);
        expect(() =>
          transport.subscribe({ stream: s, group, consumer: 'c1', schema: commentsSubmittedV1, handler: async () => undefined, batchHandler: async () => undefined }),
        ).toThrow(/exactly one/);
      });
    });

    test('when the transport is closed, then ping answers false and subscriptions have stopped', async () => {
      const s = stream();
      const seen: string[] = [];
      subscribe(transport, { stream: s, group, consumer: 'c1', handler: async (d) => void seen.push(d.envelope.id) });
      expect(await transport.ping()).toBe(true);
      await transport.close();
      expect(await transport.ping()).toBe(false);
      await expect(transport.publish(s, message())).rejects.toThrow(/closed/);
    });
  });
}

/** A fresh commentsSubmitted event (the fixture with a new id). */
export function message(): CommentsSubmittedV1 {
  return { ...fixtures.commentsSubmitted, id: uuidv7() };
}

export function deferred<T = void>(): { promise: Promise<T>; resolve(value: T): void; reject(err: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A handler that says when it has started, then waits for `gate`; `after` runs once the gate opens. */
export function holdingHandler(after: () => void = () => undefined) {
  const gate = deferred();
  const entered = deferred();
  const handler = async () => {
    entered.resolve();
    await gate.promise;
    after();
  };
  return { gate, entered, handler };
}

/** Polls until the condition holds; fails the test with `what` after the timeout. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
