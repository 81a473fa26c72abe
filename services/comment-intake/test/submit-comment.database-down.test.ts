import { sql } from 'kysely';
import request from 'supertest';
import {
  closeServer,
  createDatabase,
  createMemoryTransport,
  createMetrics,
  listen,
  migrateService,
  silentLogger,
  upsertSiteSnapshot,
  type DatabaseHandle,
} from '@parley/shared';
import { startTestInfra, type TestInfraHandle } from '@parley/shared/testing';
import type { Server } from 'node:http';
import { commentIntake } from '../src/service';
import { ORIGIN, buildComment, buildSite } from './support/intake';
import { startTcpProxy } from './support/tcp-proxy';

let infra: TestInfraHandle;
let proxied: DatabaseHandle<any>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let server: Server;
let url: string;
let stopService: () => Promise<void>;

beforeAll(async () => {
  infra = await startTestInfra();
  await migrateService(infra.db, commentIntake, silentLogger);
  await upsertSiteSnapshot(infra.db.db, 'intake', buildSite('daily'));
  // A second instance whose only way to Postgres runs through a relay the test can cut.
  const target = new URL(infra.databaseUrl);
  proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
  const viaProxy = new URL(infra.databaseUrl);
  viaProxy.port = String(proxy.port);
  proxied = await createDatabase({ databaseUrl: viaProxy.toString() });
  const transport = createMemoryTransport({});
  const service = await commentIntake.create({
    config: { NODE_ENV: 'test', LOG_LEVEL: 'silent' } as never,
    logger: silentLogger,
    metrics: createMetrics('intake-db-down'),
    db: proxied,
    transport,
    consumerName: 'db-down',
  });
  ({ server } = await listen(service.app, 0, '127.0.0.1'));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  await service.start();
  stopService = async () => {
    await closeServer(server);
    await service.stop();
    await transport.close();
  };
});

afterAll(async () => {
  await stopService();
  await proxied.close();
  await infra.close();
});

const stored = async () => Number((await sql<{ n: string }>`select count(*) as n from intake.comments`.execute(infra.db.db)).rows[0]!.n);

describe('submitting a comment while Postgres is unreachable', () => {
  it('when Postgres answers, then the comment is accepted', async () => {
    const res = await request(url).post('/v1/sites/daily/threads/t1/comments').set('Origin', ORIGIN).send(buildComment());
    expect(res.status).toBe(202);
    expect(await stored()).toBe(1);
  });

  it('when Postgres goes away, then the answer is 503 with Retry-After, never a 202, and nothing is stored', async () => {
    await proxy.cut();
    for (let i = 0; i < 3; i++) {
      const res = await request(url).post('/v1/sites/daily/threads/t1/comments').set('Origin', ORIGIN).send(buildComment({ text: `try ${i}` }));
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBeDefined();
    }
    expect(await stored()).toBe(1);
  });

  it('when Postgres is away, then thread reads are 503 too', async () => {
    const res = await request(url).get('/v1/sites/daily/threads/t2/comments');
    expect(res.status).toBe(503);
  });
});
