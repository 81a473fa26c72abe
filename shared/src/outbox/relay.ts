import { sql, type Kysely } from 'kysely';
import type { Envelope } from '../contracts/envelope';
import { silentLogger, type Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { StreamTransport } from '../streams/transport';
import { assertSchemaName } from '../db/schema-name';
import { pruneInbox } from './inbox';

export interface OutboxRelayOptions {
  db: Kysely<any>;
  /** The service's schema, holding `outbox`. */
  schema: string;
  transport: Pick<StreamTransport, 'publishMany'>;
  /** Rows per round (default 500); a full batch is followed at once by the next round. */
  batchSize?: number;
  /** Poll interval while idle (default 50 ms); kick() cuts it short. */
  idleMs?: number;
  /** Cap of the exponential back-off after failed rounds (default 5000 ms). */
  maxBackoffMs?: number;
  /**
   * A publish that has not answered by then fails the round (default 5000 ms), so an outage cannot
   * hold the round's transaction (and stop()) forever. The late publish may still land: a duplicate.
   */
  publishTimeoutMs?: number;
  /** Published rows older than this are deleted (default 1 h). */
  pruneOlderThanMs?: number;
  /** Inbox entries older than this are deleted (default 7 days); see pruneInbox. */
  pruneInboxOlderThanMs?: number;
  /** How often pruning runs (default 60 s). */
  pruneEveryMs?: number;
  /** How often the backlog gauge is refreshed (default 5 s). */
  backlogEveryMs?: number;
  metrics?: Pick<Metrics, 'outboxBacklog'>;
  logger?: Logger;
}

const FIRST_RETRY_MS = 100;
const PRUNE_BATCH = 10_000;

/**
 * Publishes outbox rows to the stream transport, at least once and in order per stream.
 * Each round locks a batch of pending rows (FOR UPDATE SKIP LOCKED, so several relays can share a
 * table without publishing a row twice), publishes them, marks them published and commits. A failed
 * publish rolls the round back and the rows wait for the next try; if the commit fails after a
 * publish, the rows go out again, which idempotent consumers absorb.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly batchSize: number;
  private running = false;
  private loop?: Promise<void>;
  private kicked = false;
  private sleeping?: { wake: () => void; byKick: boolean };
  private nextPruneAt = 0;
  private nextBacklogAt = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    assertSchemaName(options.schema);
    this.table = `${options.schema}.outbox`;
    this.batchSize = options.batchSize ?? 500;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the round in flight, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeping?.wake();
    await this.loop;
    this.loop = undefined;
  }

  /** Publish now rather than at the next poll (call after committing a transaction that enqueued). */
  kick(): void {
    this.kicked = true;
    if (this.sleeping?.byKick) this.sleeping.wake();
  }

  /** One round: returns how many rows it published. Throws when publishing or the database fails. */
  async flushOnce(): Promise<number> {
    return this.round(true);
  }

  /**
   * Locks and marks a batch in one statement, publishes it, commits: three round trips to Postgres
   * (begin, mark, commit) besides the publish. A failed publish rolls the marks back.
   * `probe`: look first whether anything is due, so an idle poll opens no transaction (skipped after
   * a kick, which says there is).
   */
  private async round(probe: boolean): Promise<number> {
    const { db, transport } = this.options;
    if (probe) {
      const due = await db.selectFrom(this.table).select('id').where('published_at', 'is', null).limit(1).executeTakeFirst();
      if (!due) return 0;
    }
    let ids: string[] = [];
    try {
      return await db.transaction().execute(async (trx) => {
        const table = sql.table(this.table);
        const { rows } = await sql<{ id: string; stream: string; envelope: Envelope }>`
          with due as (
            select id from ${table}
             where published_at is null
             order by created_at, id
             limit ${this.batchSize}
             for update skip locked
          ), marked as (
            update ${table} o set published_at = now() from due where o.id = due.id
            returning o.id, o.stream, o.envelope, o.created_at
          )
          select id, stream, envelope from marked order by created_at, id
        `.execute(trx);
        ids = rows.map((r) => r.id);
        if (ids.length === 0) return 0;
        for (const [stream, envelopes] of byStream(rows)) {
          await withTimeout(transport.publishMany(stream, envelopes), this.options.publishTimeoutMs ?? 5000);
        }
        return ids.length;
      });
    } catch (err) {
      if (ids.length > 0) await this.countAttempt(ids);
      throw err;
    }
  }

  /** Rows written and not yet published. */
  async pending(): Promise<number> {
    const row = await this.options.db
      .selectFrom(this.table)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Deletes up to 10 000 published outbox rows past the retention, and old inbox entries; returns how many outbox rows. */
  async prune(): Promise<number> {
    const { db } = this.options;
    const retentionMs = this.options.pruneOlderThanMs ?? 3_600_000;
    const expired = db
      .selectFrom(this.table)
      .select('id')
      .where('published_at', '<=', sql<Date>`now() - ${retentionMs}::float8 * interval '1 millisecond'`)
      .limit(PRUNE_BATCH);
    const result = await db.deleteFrom(this.table).where('id', 'in', expired).executeTakeFirst();
    const inboxRetentionMs = this.options.pruneInboxOlderThanMs ?? 7 * 24 * 3_600_000;
    await pruneInbox(db, this.options.schema, new Date(Date.now() - inboxRetentionMs));
    return Number(result.numDeletedRows);
  }

  private async run(): Promise<void> {
    const logger = this.options.logger ?? silentLogger;
    const schema = this.options.schema;
    let failures = 0;
    let probe = true;
    while (this.running) {
      this.kicked = false;
      let published: number;
      try {
        published = await this.round(probe);
        if (failures > 0) logger.info({ schema, failures }, 'outbox relay recovered');
        failures = 0;
      } catch (err) {
        failures += 1;
        const retryInMs = Math.min(this.options.maxBackoffMs ?? 5000, FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 16));
        // Only the error's own fields: envelopes carry personal data and are never logged.
        logger.warn({ schema, failures, retryInMs, err: describe(err) }, 'outbox relay round failed; retrying');
        await this.housekeeping();
        await this.sleep(retryInMs, false);
        continue;
      }
      await this.housekeeping();
      // More is due (a full batch, or a commit kicked us meanwhile): go again without probing.
      probe = !(published >= this.batchSize || this.kicked);
      if (!probe) continue;
      await this.sleep(this.options.idleMs ?? 50, true);
      probe = !this.kicked;
    }
  }

  /** Backlog gauge and pruning when due; failures here never stop the relay. */
  private async housekeeping(): Promise<void> {
    const now = Date.now();
    const { metrics, schema } = this.options;
    if (metrics && now >= this.nextBacklogAt) {
      this.nextBacklogAt = now + (this.options.backlogEveryMs ?? 5000);
      await this.pending().then(
        (n) => metrics.outboxBacklog.set({ schema }, n),
        () => undefined,
      );
    }
    if (now >= this.nextPruneAt) {
      this.nextPruneAt = now + (this.options.pruneEveryMs ?? 60_000);
      await this.prune().catch(() => undefined);
    }
  }

  private async countAttempt(ids: string[]): Promise<void> {
    await this.options.db
      .updateTable(this.table)
      .set({ attempts: sql`attempts + 1` })
      .where('id', 'in', ids)
      .execute()
      .catch(() => undefined); // the database may be what failed
  }

  private sleep(ms: number, byKick: boolean): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping = undefined;
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping = { wake, byKick };
    });
  }
}

/** Rows grouped by stream, each group in the rows' order. */
function byStream(rows: { stream: unknown; envelope: unknown }[]): Map<string, Envelope[]> {
  const groups = new Map<string, Envelope[]>();
  for (const row of rows) {
    const stream = row.stream as string;
    const group = groups.get(stream) ?? [];
    group.push(row.envelope as Envelope);
    groups.set(stream, group);
  }
  return groups;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish did not complete within ${ms} ms`)), ms);
  });
  promise.catch(() => undefined); // a late failure after the timeout must not go unhandled
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): { name?: string; code?: unknown; message: string } {
  if (err instanceof Error) return { name: err.name, code: (err as { code?: unknown }).code, message: err.message };
  return { message: String(err) };
}
