import type { Kysely } from 'kysely';
import type { ConsentDb } from '../db/tables';
import type { ChainAppender } from './chain-appender';
import type { ReceiptSigner } from './receipt-signer';

/** What use cases need: the database, a nudge for the outbox relay, the receipt key and the IP key. */
export interface UseCaseContext {
  db: Kysely<ConsentDb>;
  /** Wakes the outbox relay so events leave at once instead of at the next poll. */
  afterCommit(): void;
  signer: ReceiptSigner;
  /** Appends records to the sites' hash chains (group commit). */
  chain: ChainAppender;
  ipHashKey: Buffer;
  /** `iss` of receipts. */
  issuer?: string;
  now?: () => Date;
}

/** Who acts on the admin API. */
export interface Actor {
  keyId: string | null;
}
