import { sql } from 'kysely';
import { bareContext, buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';
import { pruneExpired } from '../src/domain/prune-expired';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

describe('pruning expired idempotency keys', () => {
  it('when a stored answer is older than a day, then it is deleted and a fresh one stays', async () => {
    await submit(h, 'daily', 't1', buildComment({ text: 'old' }), { 'Idempotency-Key': 'prune-old-0001' });
    await submit(h, 'daily', 't1', buildComment({ text: 'new' }), { 'Idempotency-Key': 'prune-new-0001' });
    await sql`update intake.idempotency_keys set created_at = now() - interval '25 hours' where key = 'prune-old-0001'`.execute(h.infra.db.db);
    const pruned = await pruneExpired(bareContext(h));
    expect(pruned.idempotencyKeys).toBe(1);
    const left = await sql<{ key: string }>`select key from intake.idempotency_keys`.execute(h.infra.db.db);
    expect(left.rows.map((r) => r.key)).toEqual(['prune-new-0001']);
  });
});
