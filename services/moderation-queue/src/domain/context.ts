import type { Kysely } from 'kysely';
import type { ModerationDb } from '../db/tables';
import type { QueueLivePublisher } from './queue-live-hub';
import type { SecretBox } from './webhook-secrets';

/** What use cases need: the database, and a nudge for the outbox relay once they have committed. */
export interface UseCaseContext {
  db: Kysely<ModerationDb>;
  /** Wakes the outbox relay (and the webhook dispatcher) so events leave at once instead of at the next poll. */
  afterCommit(): void;
  now?: () => Date;
  /** Moderators' live queue streams (on every instance); told after a commit. */
  live?: QueueLivePublisher;
  /** Seals webhook signing secrets before they are stored. */
  secrets?: SecretBox;
}

/** Who acts: an API key, or the operator's command line. */
export interface Actor {
  keyId: string | null;
}
