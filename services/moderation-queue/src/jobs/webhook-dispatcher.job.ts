import type { Kysely } from 'kysely';
import type { Logger } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { SIGNATURE_HEADER, signWebhook } from '../domain/webhooks';
import { lockDueDeliveries, markAttemptFailed, markDelivered, type DueDelivery } from '../repositories/webhook.repository';

export interface WebhookDispatcherOptions {
  db: Kysely<ModerationDb>;
  logger: Logger;
  /** Poll interval while idle (kick() cuts it short). */
  idleMs: number;
  /** First retry delay; doubled per attempt. */
  retryBaseMs: number;
  /** Attempts before a delivery is given up. */
  maxAttempts: number;
  timeoutMs: number;
}

const MAX_RETRY_MS = 3_600_000;

/**
 * Delivers queued webhook calls: POST of the JSON body, signed (HMAC-SHA256 over "<timestamp>.<body>")
 * with the hook's secret. Any 2xx counts; anything else retries with exponential backoff until
 * maxAttempts. Rows are locked with SKIP LOCKED, so every instance can run a dispatcher.
 */
export class WebhookDispatcher {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private kicked = false;

  constructor(private readonly o: WebhookDispatcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** One round; returns how many deliveries it attempted. */
  async flushOnce(): Promise<number> {
    return this.o.db.transaction().execute(async (trx) => {
      const due = await lockDueDeliveries(trx, new Date(), 20);
      await Promise.all(due.map((d) => this.attempt(trx, d)));
      return due.length;
    });
  }

  private async attempt(trx: Kysely<ModerationDb>, d: DueDelivery): Promise<void> {
    const ts = Math.floor(Date.now() / 1000);
    let error: string | undefined;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signWebhook(d.secret, d.body, ts), 'Parley-Event': d.event, 'Parley-Delivery': d.id },
        body: d.body,
        signal: AbortSignal.timeout(this.o.timeoutMs),
        redirect: 'manual',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const now = new Date();
    if (!error) return markDelivered(trx, d.id, now);
    const attempts = d.attempts + 1;
    const retryAt = attempts >= this.o.maxAttempts ? null : new Date(now.getTime() + Math.min(MAX_RETRY_MS, this.o.retryBaseMs * 2 ** (attempts - 1)));
    this.o.logger.warn({ delivery: d.id, event: d.event, attempts, err: error, giveUp: retryAt === null }, 'webhook delivery failed');
    await markAttemptFailed(trx, d.id, error, retryAt, now);
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.kicked = false;
      let n = 0;
      try {
        n = await this.flushOnce();
      } catch (err) {
        this.o.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'webhook dispatcher round failed');
      }
      if (n > 0 || this.kicked) continue;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, this.o.idleMs);
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.wake = done;
      });
      this.wake = undefined;
    }
  }
}
