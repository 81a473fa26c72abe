import { commentIntake } from '@parley/comment-intake';
import { moderationQueue } from '@parley/moderation-queue';
import { startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';

export interface CommentStack {
  infra: TestInfraHandle;
  moderation: RunningTestService;
  intake: RunningTestService;
  /** Headers of moderation's bootstrap admin key. */
  bootstrap: { Authorization: string };
  stop(): Promise<void>;
}

/**
 * moderation-queue and comment-intake over real Redis and Postgres (a fresh database and key
 * prefix), talking through the streams as in production. `bootstrapKey` becomes moderation's first
 * admin key (`pk_<12>_<32>`); `intakeEnv` adds to intake's settings (e.g. `DATABASE_URL`, for live
 * notices over Postgres).
 */
export async function startCommentStack(bootstrapKey: string, intakeEnv: (infra: TestInfraHandle) => Record<string, string> = () => ({})): Promise<CommentStack> {
  const infra = await startTestInfra({ transport: 'redis' });
  const moderation = await startTestService(moderationQueue, infra, { BOOTSTRAP_ADMIN_KEY: bootstrapKey });
  const intake = await startTestService(commentIntake, infra, intakeEnv(infra));
  return {
    infra,
    moderation,
    intake,
    bootstrap: { Authorization: `Bearer ${bootstrapKey}` },
    async stop() {
      await Promise.all([moderation.stop(), intake.stop()]);
      await infra.close();
    },
  };
}
