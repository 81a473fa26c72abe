import { sql, type Kysely, type RawBuilder } from 'kysely';
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
  transport: Pick<StreamTransport, 'publishMany'> & { readonly kind?: StreamTransport['kind'] };
  /** Rows per round (default 500); a full batch is followed at once by the next round. */
  batchSize?: number;
  /** Poll interval while idle (default 50 ms); kick() cuts it short. */
  idleMs?: number;
  /**
   * While events are handed over (see `handOver`), the polls look only at rows at least this old
   * (default 5000 ms): a row that was committed and never handed over, because its process died
   * between the two, or because its writer only calls kick().
   */
  orphanAfterMs?: number;
  /** Poll interval while hand-over works and nothing is due (default 1000 ms): orphans are rare and old. */
  orphanPollMs?: number;
  /** Cap of the exponential back-off after failed rounds (default 5000 ms). */
  maxBackoffMs?: number;
  /**
   * A publish that has not answered by then fails the round (default 5000 ms), so an outage cannot
   * hold the round's transaction (and stop()) forever. The late publish may still land: a duplicate.
   */
  publishTimeoutMs?: number;
  /**
   * How long published rows stay before pruning deletes them. 0 deletes each row as it is published:
   * Postgres then writes no second version of the row and has nothing to prune later, which is most
   * of the relay's cost per event. The default is 0, except with the in-process transport (kind
   * `memory`), which forgets its queues on restart: its rows stay 1 h so the embedded stack can
   * replay them.
   */
  keepPublishedMs?: number;
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

/** An event a committed transaction wrote to the outbox (its row id is the envelope's id). */
export interface OutboxEvent {
  stream: string;
  envelope: Envelope;
}
const PRUNE_BATCH = 10_000;

/**
 * Publishes outbox rows to the stream transport, at least once and in order per stream.
 *
 * Hand-over (ADR 0015): a writer that has just committed passes its events to `handOver`; the
 * relay publishes them straight away, in hand-over order, and then marks their rows published, so
 * the way out costs a publish and one statement instead of reading the rows back in a transaction.
 * "Marking" deletes the rows unless `keepPublishedMs` keeps them (ADR 0018).
 *
 * Rounds: the table itself is read in rounds. Each round locks a batch of pending rows (FOR UPDATE
 * SKIP LOCKED, so several relays can share a table without publishing a row twice), publishes them,
 * marks them published and commits. A failed publish rolls the round back and the rows wait for the
 * next try; if the commit fails after a publish, the rows go out again, which idempotent consumers
 * absorb. While hand-over works, the idle polls look only at orphans (rows older than
 * `orphanAfterMs`), and a kick() reads everything. After a failed hand-over the relay reads the table
 * only (the failed events are still there, and go out in commit order before anything newer) until a
 * round has drained it; so does a relay that has just started.
 */
export class OutboxRelay {
  private readonly table: string;
  private readonly batchSize: number;
  private readonly keepPublishedMs: number;
  private running = false;
  private loop?: Promise<void>;
  private kicked = false;
  private sleeping?: { wake: () => void; byKick: boolean };
  private nextPruneAt = 0;
  private nextBacklogAt = 0;
  /** Events handed over and not yet published, in hand-over order. */
  private handedOver: OutboxEvent[] = [];
  /** Ids published by hand-over and not yet marked, and the update marking them, if one is running. */
  private toMark: string[] = [];
  private marking?: Promise<void>;
  /** False from start and from a failed hand-over until a round has drained the table. */
  private direct = false;

  constructor(private readonly options: OutboxRelayOptions) {
    assertSchemaName(options.schema);
    this.table = `${options.schema}.outbox`;
    this.batchSize = options.batchSize ?? 500;
    this.keepPublishedMs = options.keepPublishedMs ?? (options.transport.kind === 'memory' ? 3_600_000 : 0);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Whatever an earlier run left (in the table, and so in any leftover hand-over) goes out first;
    // hand-over starts once a round has drained the table.
    this.direct = false;
    this.handedOver = [];
    this.loop = this.run();
  }

  /** Finishes the round in flight, then resolves. */
  async stop(): Promise<void> {
    this.running = false;
    this.sleeping?.wake();
    await this.loop;
    this.loop = undefined;
    await this.marking;
  }

  /** Publish now rather than at the next poll (call after committing a transaction that enqueued). */
  kick(): void {
    this.kicked = true;
    if (this.sleeping?.byKick) this.sleeping.wake();
  }

  /**
   * Publish these events, which a transaction has just committed to the outbox, now and without
   * reading them back (see the class comment). Call it after the commit, in commit order.
   */
  handOver(events: readonly OutboxEvent[]): void {
    if (!this.running || !this.direct) return this.kick(); // the rows are in the table: a round takes them
    for (const e of events) this.handedOver.push(e);
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
  private async round(probe: boolean, orphansOnly = false): Promise<number> {
    const { db, transport } = this.options;
    const age = orphansOnly ? sql`and created_at < now() - ${this.options.orphanAfterMs ?? 5000}::float8 * interval '1 millisecond'` : sql``;
    if (probe) {
      const due = await sql<{ id: string }>`select id from ${sql.table(this.table)} where published_at is null ${age} limit 1`.execute(db);
      if (due.rows.length === 0) return 0;
    }
    let ids: string[] = [];
    try {
      return await db.transaction().execute(async (trx) => {
        const table = sql.table(this.table);
        const { rows } = await sql<{ id: string; stream: string; envelope: Envelope }>`
          with due as (
            select id from ${table}
             where published_at is null ${age}
             order by created_at, id
             limit ${this.batchSize}
             for update skip locked
          ), marked as (
            ${this.markSql(sql`due`)}
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
    const expired = db
      .selectFrom(this.table)
      .select('id')
      .where('published_at', '<=', sql<Date>`now() - ${this.keepPublishedMs}::float8 * interval '1 millisecond'`)
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
      if (this.direct && this.handedOver.length > 0) {
        const events = this.handedOver.splice(0, this.batchSize);
        try {
          await this.publishHandedOver(events);
        } catch (err) {
          // The events' rows are still unpublished: rounds take them, in commit order, with the rest.
          this.direct = false;
          this.handedOver = [];
          logger.warn({ schema, err: describe(err) }, 'outbox hand-over failed; reading the table until it is drained');
          probe = false;
          continue;
        }
        // Nothing else to do: sleep rather than probe the table after every hand-over.
        if (this.handedOver.length === 0 && !this.kicked) {
          await this.sleep(this.options.orphanPollMs ?? 1000, true);
          probe = !this.kicked;
        }
        continue;
      }
      this.kicked = false;
      let published: number;
      try {
        // A poll while hand-over works looks for orphans only; a kick (rows not handed over) for everything.
        published = await this.round(probe, this.direct && probe);
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
      // Drained: the round took every due row, and no commit kicked it meanwhile. Hand-over again.
      if (!this.direct && published < this.batchSize && !this.kicked) this.direct = true;
      // More is due (a full batch, or a commit kicked us meanwhile): go again without probing.
      probe = !(published >= this.batchSize || this.kicked);
      if (!probe) continue;
      if (this.handedOver.length > 0) continue;
      await this.sleep(this.direct ? (this.options.orphanPollMs ?? 1000) : (this.options.idleMs ?? 50), true);
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

  /** Publishes handed-over events, then has their rows marked (a failed mark only means a duplicate later). */
  private async publishHandedOver(events: OutboxEvent[]): Promise<void> {
    for (const [stream, envelopes] of byStream(events)) {
      await withTimeout(this.options.transport.publishMany(stream, envelopes), this.options.publishTimeoutMs ?? 5000);
    }
    for (const e of events) this.toMark.push(e.envelope.id);
    this.marking ??= this.markPublished();
  }

  /**
   * Marks published rows, off the publishing path: the ids published while an update is on its way
   * go into the next one, so a busy relay marks once per round trip rather than once per hand-over.
   */
  private async markPublished(): Promise<void> {
    while (this.toMark.length > 0) {
      const ids = this.toMark.splice(0);
      await this.markSql(sql`unnest(${ids}::uuid[]) as due(id)`)
        .execute(this.options.db)
        .catch((err: unknown) => (this.options.logger ?? silentLogger).warn({ schema: this.options.schema, err: describe(err) }, 'outbox rows published but not marked; they will go out again'));
    }
    this.marking = undefined;
  }

  /**
   * The statement that marks the rows of `due` (a relation named `due` with an `id` column) as
   * published, as `o`: it deletes them, or stamps them while `keepPublishedMs` keeps them.
   */
  private markSql(due: RawBuilder<unknown>): RawBuilder<unknown> {
    const table = sql.table(this.table);
    return this.keepPublishedMs > 0
      ? sql`update ${table} o set published_at = now() from ${due} where o.id = due.id and o.published_at is null`
      : sql`delete from ${table} o using ${due} where o.id = due.id`;
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
