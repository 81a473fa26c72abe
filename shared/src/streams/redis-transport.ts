import type { Envelope } from '../contracts/envelope';
import { deadLetterStream } from '../contracts/streams';
import { silentLogger, type Logger } from '../logger';
import type { Metrics } from '../metrics';
import { resolveSettings } from './delivery';
import { connect, closeConnection } from './redis-connection';
import { RedisConsumer } from './redis-consumer';
import { compareStreamIds, nextStreamId, parseEntries, parseGroupsReply, parseOldestPending } from './redis-replies';
import type { DeadLetter, StreamStats, StreamTransport, SubscribeOptions, Subscription } from './transport';

export interface RedisTransportOptions {
  url: string;
  /** Prepended to every key by this module (ioredis's own `keyPrefix` is not used). */
  keyPrefix?: string;
  /** Approximate cap per stream (`XADD … MAXLEN ~`); default 1,000,000. */
  maxLen?: number;
  defaultMaxDeliveries?: number;
  defaultClaimIdleMs?: number;
  metrics?: Metrics;
  logger?: Logger;
}

const PING_TIMEOUT_MS = 1_000;
/** Bounds the fallback count when Redis cannot report a group's lag. */
const LAG_SCAN_LIMIT = 10_000;

/**
 * Redis Streams. One shared connection for publishing, stats and reads; one more per subscription,
 * because XREADGROUP BLOCK holds its connection. ioredis reconnects forever with backoff; a
 * consumer loop that meets an error logs it and retries, so an outage never crashes the process.
 */
export function createRedisTransport(opts: RedisTransportOptions): StreamTransport {
  const prefix = opts.keyPrefix ?? '';
  const maxLen = opts.maxLen ?? 1_000_000;
  const logger = opts.logger ?? silentLogger;
  const defaults = { maxDeliveries: opts.defaultMaxDeliveries ?? 5, claimIdleMs: opts.defaultClaimIdleMs ?? 30_000 };
  const conn = connect(opts.url, logger, 'commands');
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const keyOf = (stream: string) => prefix + stream;
  const assertOpen = () => {
    if (closed) throw new Error('stream transport is closed');
  };

  async function publish(stream: string, envelope: Envelope): Promise<string> {
    assertOpen();
    const id = await conn.xadd(keyOf(stream), 'MAXLEN', '~', maxLen, '*', 'e', JSON.stringify(envelope));
    if (!id) throw new Error('XADD returned no id');
    return id;
  }

  async function publishMany(stream: string, envelopes: readonly Envelope[]): Promise<string[]> {
    assertOpen();
    if (envelopes.length === 0) return [];
    const key = keyOf(stream);
    const pipeline = conn.pipeline();
    for (const envelope of envelopes) pipeline.xadd(key, 'MAXLEN', '~', maxLen, '*', 'e', JSON.stringify(envelope));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, id]) => {
      if (err) throw err;
      return String(id);
    });
  }

  function subscribe<E extends Envelope>(options: SubscribeOptions<E>): Subscription {
    assertOpen();
    const settings = resolveSettings(options, defaults);
    const consumer = new RedisConsumer<E>({
      conn: connect(opts.url, logger, `consumer ${options.stream}/${options.group}`),
      unblock: (clientId) => conn.client('UNBLOCK', clientId),
      settings,
      key: keyOf(options.stream),
      deadKey: keyOf(deadLetterStream(options.stream)),
      maxLen,
      logger,
      metrics: opts.metrics,
    }).start();
    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopping ??= consumer.close().finally(() => subscriptions.delete(subscription));
        return stopping;
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async function stats(stream: string, group: string): Promise<StreamStats> {
    const key = keyOf(stream);
    const results =
      (await conn.pipeline().xlen(key).xinfo('GROUPS', key).xlen(keyOf(deadLetterStream(stream))).exec()) ?? [];
    const [lenResult, groupsResult, deadResult] = results;
    if (lenResult?.[0]) throw lenResult[0];
    if (deadResult?.[0]) throw deadResult[0];
    const length = Number(lenResult?.[1] ?? 0);
    const deadLetters = Number(deadResult?.[1] ?? 0);
    // XINFO fails with "no such key" until the stream exists: no groups yet.
    const info = groupsResult?.[0] ? undefined : parseGroupsReply(groupsResult?.[1]).find((g) => g.name === group);
    if (!info) return { length, pending: 0, lag: length, deadLetters };
    const lag = info.lag ?? (await countAfter(key, info.lastDeliveredId));
    return { length, pending: info.pending, lag, deadLetters };
  }

  async function countAfter(key: string, lastDeliveredId: string): Promise<number> {
    const reply = await conn.xrange(key, `(${lastDeliveredId}`, '+', 'COUNT', LAG_SCAN_LIMIT);
    return reply.length;
  }

  async function trimBefore(stream: string, before: Date): Promise<number> {
    assertOpen();
    const key = keyOf(stream);
    const cutoff = `${before.getTime()}-0`;
    // Never past what a group still needs: its oldest pending entry, or the first it has not read.
    // Both only move forward, so a bound read now stays safe until the XTRIM below.
    let keepFrom = cutoff;
    // A missing stream has no groups; any other failure must stop the trim, not let it ignore the groups.
    const groups = await conn.xinfo('GROUPS', key).then(parseGroupsReply, (err: unknown) => {
      if (err instanceof Error && /no such key/i.test(err.message)) return [];
      throw err;
    });
    for (const g of groups) {
      const oldest = g.pending > 0 ? parseOldestPending(await conn.xpending(key, g.name)) : undefined;
      for (const id of [oldest, nextStreamId(g.lastDeliveredId)]) {
        if (id !== undefined && compareStreamIds(id, keepFrom) < 0) keepFrom = id;
      }
    }
    const [trimmed, dead] = await Promise.all([
      conn.xtrim(key, 'MINID', keepFrom),
      conn.xtrim(keyOf(deadLetterStream(stream)), 'MINID', cutoff),
    ]);
    return Number(trimmed) + Number(dead);
  }

  async function readDeadLetters(stream: string, count = 100): Promise<DeadLetter[]> {
    const reply = await conn.xrange(keyOf(deadLetterStream(stream)), '-', '+', 'COUNT', count);
    const letters: DeadLetter[] = [];
    for (const entry of parseEntries(reply)) {
      const json = entry.fields?.d;
      if (json === undefined) continue;
      try {
        letters.push(JSON.parse(json) as DeadLetter);
      } catch {
        logger.warn({ stream, messageId: entry.id }, 'unreadable dead letter skipped');
      }
    }
    return letters;
  }

  async function ping(): Promise<boolean> {
    if (closed) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const answer = conn.ping().then(
      (reply) => reply === 'PONG',
      () => false,
    );
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...subscriptions].map((s) => s.stop()));
    await closeConnection(conn);
  }

  return { kind: 'redis', publish, publishMany, subscribe, stats, trimBefore, readDeadLetters, ping, close };
}
