import { EventEmitter } from 'node:events';
import { Client } from 'pg';
import type { Logger } from '../logger';
import { assertSchemaName } from './schema-name';

/**
 * Tells every instance of a service that something worth pushing to open pages happened (a comment
 * approved, a queue item decided). A stream consumer group hands each event to one instance only,
 * but every instance holds its own SSE clients; Postgres NOTIFY reaches all of them (ADR 0014).
 *
 * Best effort by design: a notice published after a commit is lost if the process dies in between,
 * and a listener that is reconnecting misses what was sent meanwhile. Pages recover on reload or
 * on their next EventSource reconnect, which refetches. Payloads stay small (ids, not bodies):
 * NOTIFY carries at most 8,000 bytes.
 */
export interface LiveChannel {
  /** The NOTIFY channel (for logs). */
  readonly name: string;
  publish(payload: object): Promise<void>;
  /** Calls `fn` for every notice, this instance's own included; returns the unsubscribe. */
  subscribe(fn: (payload: unknown) => void): () => void;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Over Postgres LISTEN/NOTIFY when `databaseUrl` is set; in this process only otherwise (embedded mode). */
export function createLiveChannel(options: { databaseUrl?: string; channel: string; logger: Logger }): LiveChannel {
  assertSchemaName(options.channel); // used as an SQL identifier
  return options.databaseUrl ? new PostgresLiveChannel(options.databaseUrl, options.channel, options.logger) : new LocalLiveChannel(options.channel);
}

class LocalLiveChannel implements LiveChannel {
  private readonly events = new EventEmitter().setMaxListeners(0);
  constructor(readonly name: string) {}

  async publish(payload: object): Promise<void> {
    this.events.emit('notice', payload);
  }

  subscribe(fn: (payload: unknown) => void): () => void {
    this.events.on('notice', fn);
    return () => this.events.off('notice', fn);
  }

  async start(): Promise<void> {}

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}

class PostgresLiveChannel implements LiveChannel {
  private readonly events = new EventEmitter().setMaxListeners(0);
  private client?: Client;
  private connecting?: Promise<Client>;
  private closed = false;
  private retryMs = 100;
  private retryTimer?: NodeJS.Timeout;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly logger: Logger,
  ) {}

  get name(): string {
    return this.channel;
  }

  async start(): Promise<void> {
    await this.connect().catch(() => undefined); // reconnects in the background
  }

  async publish(payload: object): Promise<void> {
    // One query at a time on the connection: pg would queue them, but warns that it will stop to.
    const turn = this.publishing.then(async () => {
      const client = await this.connect();
      await client.query('select pg_notify($1, $2)', [this.channel, JSON.stringify(payload)]);
    });
    this.publishing = turn.catch(() => undefined);
    return turn;
  }

  subscribe(fn: (payload: unknown) => void): () => void {
    this.events.on('notice', fn);
    return () => this.events.off('notice', fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.events.removeAllListeners();
    const client = this.client ?? (await this.connecting?.catch(() => undefined));
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    if (this.closed) throw new Error('live channel closed');
    const client = new Client({ connectionString: this.databaseUrl, application_name: `live:${this.channel}` });
    client.on('notification', (msg) => {
      if (msg.channel !== this.channel || !msg.payload) return;
      try {
        this.events.emit('notice', JSON.parse(msg.payload));
      } catch (err) {
        this.logger.warn({ err: { message: (err as Error).message } }, 'live notice could not be handled');
      }
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`listen "${this.channel}"`);
    } catch (err) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      this.scheduleRetry(err);
      throw err;
    }
    this.client = client;
    this.retryMs = 100;
    return client;
  }

  private lost(client: Client, err?: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    if (!this.closed) this.scheduleRetry(err);
  }

  private scheduleRetry(err: unknown): void {
    if (this.closed || this.retryTimer) return;
    this.logger.warn({ channel: this.channel, err: { message: err instanceof Error ? err.message : String(err) } }, 'live channel lost; reconnecting');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connect().catch(() => undefined);
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 5_000);
  }
}
