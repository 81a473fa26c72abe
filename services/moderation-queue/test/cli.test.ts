import type { Kysely } from 'kysely';
import { migrateService, silentLogger } from '@parley/shared';
import { startTestInfra, type TestInfraHandle } from '@parley/shared/testing';
import { CliError, runCli } from '../src/cli/main';
import type { ModerationDb } from '../src/db/tables';
import { moderationQueue } from '../src/service';

let infra: TestInfraHandle;
let db: Kysely<ModerationDb>;

beforeAll(async () => {
  infra = await startTestInfra({ transport: 'memory' });
  await migrateService(infra.db, moderationQueue, silentLogger);
  db = infra.db.db as Kysely<ModerationDb>;
});
afterAll(() => infra.close());

/** Runs one command line; a string is split on spaces, an array is taken as argv. */
async function cli(line: string | string[]): Promise<any> {
  let result: unknown;
  await runCli(typeof line === 'string' ? line.split(' ') : line, db, (v) => (result = v));
  return result;
}

describe('operator CLI', () => {
  it('when a site is created, listed and updated, then each step shows the stored site', async () => {
    const site = await cli('site create --id herald --name Herald --origin https://herald.example --origin https://www.herald.example');
    expect(site).toMatchObject({ id: 'herald', allowedOrigins: ['https://herald.example', 'https://www.herald.example'], version: 1 });
    expect((await cli('site list')).map((s: { id: string }) => s.id)).toContain('herald');
    const updated = await cli(['site', 'update', 'herald', '--settings', '{"moderation":{"mode":"pre"}}']);
    expect(updated).toMatchObject({ version: 2, settings: { moderation: { mode: 'pre', linkLimit: 2 } } });
  });

  it('when a key is created, then its secret is printed once; listed keys carry no secret; revoke marks it', async () => {
    await cli('site create --id gazette --name Gazette');
    const key = await cli('key create --role moderator --site gazette --label desk');
    expect(key.secret).toMatch(/^pk_/);
    const listed = await cli('key list');
    expect(JSON.stringify(listed)).not.toContain(key.secret);
    const revoked = await cli(`key revoke ${key.id}`);
    expect(revoked.revokedAt).not.toBeNull();
    // Every change went to the outbox for the running service's relay to publish.
    const outbox = await db.withSchema('moderation').selectFrom('outbox' as never).select('stream' as never).execute();
    expect(outbox.map((r) => (r as { stream: string }).stream)).toEqual(expect.arrayContaining(['sites.changed', 'api-keys.changed']));
  });

  it('when options are wrong, then the error names the option and nothing is written', async () => {
    await expect(cli('site create --id BAD --name x')).rejects.toThrow(/--id/);
    await expect(cli('key create --role owner --site gazette')).rejects.toThrow(/--role/);
    await expect(cli('frobnicate now')).rejects.toBeInstanceOf(CliError);
  });
});
