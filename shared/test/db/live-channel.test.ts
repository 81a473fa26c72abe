import { Client } from 'pg';
import { createLiveChannel, silentLogger, type LiveChannel } from '../../src';
import { createTestDatabase, eventually } from '../../src/testing';

describe('live channel over Postgres LISTEN/NOTIFY', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  const channels: LiveChannel[] = [];
  const open = async (channel = 'intake_live') => {
    const c = createLiveChannel({ databaseUrl: database.url, channel, logger: silentLogger });
    channels.push(c);
    await c.start();
    return c;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.close()));
  });
  afterAll(() => database.drop());

  it('reaches every instance, the publisher included, and no other channel', async () => {
    const [a, b, other] = [await open(), await open(), await open('moderation_live')];
    const seen: Record<string, unknown[]> = { a: [], b: [], other: [] };
    a.subscribe((p) => seen.a!.push(p));
    b.subscribe((p) => seen.b!.push(p));
    other.subscribe((p) => seen.other!.push(p));
    await a.publish({ thread: 't1', comment: 'c1' });
    await eventually(async () => seen.b!.length > 0);
    expect(seen.b).toEqual([{ thread: 't1', comment: 'c1' }]);
    expect(seen.a).toEqual([{ thread: 't1', comment: 'c1' }]);
    expect(seen.other).toEqual([]);
  });

  it('listens again after its connection is killed', async () => {
    const listener = await open();
    const publisher = await open();
    const seen: unknown[] = [];
    listener.subscribe((p) => seen.push(p));
    const admin = new Client({ connectionString: database.url });
    await admin.connect();
    try {
      await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'live:intake_live' and pid <> pg_backend_pid()`);
    } finally {
      await admin.end();
    }
    // Both connections were killed; each reconnects on its own and the next notices arrive.
    await eventually(async () => {
      await publisher.publish({ n: seen.length });
      return seen.length > 0;
    }, 10_000);
  });
});

describe('live channel in one process (embedded mode)', () => {
  it('hands every notice to every subscriber until it unsubscribes', async () => {
    const c = createLiveChannel({ channel: 'intake_live', logger: silentLogger });
    const seen: unknown[] = [];
    const off = c.subscribe((p) => seen.push(p));
    await c.publish({ n: 1 });
    off();
    await c.publish({ n: 2 });
    expect(seen).toEqual([{ n: 1 }]);
    await c.close();
  });
});
