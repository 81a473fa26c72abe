import type { Kysely } from 'kysely';
import type { Logger } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { SIGNATURE_HEADER, signWebhook } from '../domain/webhooks';
import type { SecretBox } from '../domain/webhook-secrets';
import { claimDueDeliveries, markAttemptFailed, markDelivered, type DueDelivery } from '../repositories/webhook.repository';

export interface WebhookDispatcherOptions {
  db: Kysely<ModerationDb>;
  /** Opens the stored secrets to sign with. */
  secrets: SecretBox;
  logger: Logger;
  /** Poll interval while idle (kick() cuts it short). */
  idleMs: number;
  /** First retry delay; doubled per attempt. */
  retryBaseMs: number;
  /** Attempts before a delivery is given up. */
  maxAttempts: number;
  timeoutMs: number;
  /**
   * How long a claimed delivery stays with this dispatcher before another may try it (default: the
   * timeout plus 30 s). Longer than any call can take, so a live dispatcher is never overtaken.
   */
  leaseMs?: number;
  /** Deliveries claimed per round (default 20). */
  batchSize?: number;
}

const MAX_RETRY_MS = 3_600_000;

/**
 * Delivers queued webhook calls: POST of the JSON body, signed (HMAC-SHA256 over "<timestamp>.<body>")
 * with the hook's secret. Any 2xx counts; anything else retries with exponential backoff until
 * maxAttempts. Every instance can run a dispatcher: a round claims due rows in one short statement
 * (SKIP LOCKED, leased until the call must be over), calls the receivers with no transaction open,
 * then records each result in a statement of its own, fenced by the attempt number so a result that
 * comes back after its lease was taken over changes nothing.
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
    const due = await claimDueDeliveries(this.o.db, new Date(), this.o.batchSize ?? 20, this.o.leaseMs ?? this.o.timeoutMs + 30_000);
    // Every call runs to its end before the round does (stop() waits for them), even if one result cannot be recorded.
    const failed = (await Promise.allSettled(due.map((d) => this.attempt(d)))).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return due.length;
  }

  private async attempt(d: DueDelivery): Promise<void> {
    const ts = Math.floor(Date.now() / 1000);
    let error: string | undefined;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signWebhook(this.o.secrets.open(d.secret), d.body, ts), 'Parley-Event': d.event, 'Parley-Delivery': d.id },
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
    const attempts = d.attempts;
    let recorded: boolean;
    if (!error) recorded = await markDelivered(this.o.db, d.id, attempts, now);
    else {
      const retryAt = attempts >= this.o.maxAttempts ? null : new Date(now.getTime() + Math.min(MAX_RETRY_MS, this.o.retryBaseMs * 2 ** (attempts - 1)));
      this.o.logger.warn({ delivery: d.id, event: d.event, attempts, err: error, giveUp: retryAt === null }, 'webhook delivery failed');
      recorded = await markAttemptFailed(this.o.db, d.id, attempts, error, retryAt, now);
    }
    if (!recorded) this.o.logger.warn({ delivery: d.id, event: d.event, attempts }, 'webhook result not recorded: its lease ran out and another attempt began');
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
