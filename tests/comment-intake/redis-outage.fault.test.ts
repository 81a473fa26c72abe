import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { Streams, commentsSubmittedV1, createRedisTransport, upsertSiteSnapshot, type StreamTransport } from '@parley/shared';
import { eventually, startRedisChild, startTestInfra, startTestService, type RedisChild, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { commentIntake } from '@parley/comment-intake';

/**
 * Intake under steady load while Redis stops answering for OUTAGE_MS (SIGSTOP on a redis-server
 * of the test's own): intake must keep answering 202, and after Redis returns every accepted
 * comment must reach `comments.submitted`. Counts sent, accepted, lost and duplicated.
 */
const OUTAGE_MS = Number(process.env.INTAKE_FAULT_OUTAGE_MS ?? 20_000);
const WORKERS = 16;
const ORIGIN = 'https://fault.example.org';

jest.setTimeout(OUTAGE_MS + 90_000);

// Our own keep-alive pool, destroyed at the end, so no client socket outlives the test.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: object): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', origin: ORIGIN } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

let infra: TestInfraHandle;
let redis: RedisChild;
let transport: StreamTransport;
let svc: RunningTestService;

beforeAll(async () => {
  infra = await startTestInfra({ transport: 'memory' }); // Postgres from the harness; Redis is ours
  redis = await startRedisChild();
  transport = createRedisTransport({ url: redis.url, keyPrefix: 'fault:' });
  svc = await startTestService(commentIntake, { db: infra.db, transport }, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'fault:',
    RATE_LIMIT_IP_PER_MINUTE: '1000000',
    RATE_LIMIT_EMAIL_PER_MINUTE: '1000000',
    RATE_LIMIT_SITE_PER_MINUTE: '1000000',
  });
  await upsertSiteSnapshot(infra.db.db, 'intake', {
    id: 'fault',
    name: 'Fault',
    allowedOrigins: [ORIGIN],
    settings: {
      comments: { maxLength: 5000, maxDepth: 3, pageSize: 50, editWindowMinutes: 15, closeAfterDays: 0, requireEmail: false, minSubmitSeconds: 0, language: 'en' },
      moderation: { mode: 'post', linkLimit: 2, reportThreshold: 3 },
    },
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });
});

afterAll(async () => {
  agent.destroy();
  redis?.thaw();
  await svc?.stop();
  await transport?.close();
  // Connections closed by quit() go away asynchronously; stopping the server first would leave
  // a client reconnecting and keep the Jest worker alive.
  await redis?.waitForNoClients();
  await redis?.stop();
  await infra?.close();
});

describe('Redis outage during intake load', () => {
  it('when Redis stops answering mid-load, then intake keeps answering 202 and every accepted comment reaches comments.submitted afterwards (lost = 0)', async () => {
    const seen = new Map<string, number>();
    const collector = transport.subscribe({
      stream: Streams.commentsSubmitted,
      group: 'fault-collector',
      consumer: 'c1',
      schema: commentsSubmittedV1,
      blockMs: 200,
      handler: async (d) => {
        seen.set(d.envelope.payload.commentId, (seen.get(d.envelope.payload.commentId) ?? 0) + 1);
      },
    });
    const accepted: string[] = [];
    const failures = new Map<number, number>();
    let sent = 0;
    let acceptedDuringOutage = 0;
    let outage = false;
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        sent += 1;
        const res = await post(`${svc.url}/v1/sites/fault/threads/t${w}/comments`, {
          name: `Worker ${w}`,
          email: `w${w}@example.org`,
          text: `comment ${w}-${i}`,
        });
        if (res.status === 202) {
          accepted.push((JSON.parse(res.body) as { id: string }).id);
          if (outage) acceptedDuringOutage += 1;
        } else {
          failures.set(res.status, (failures.get(res.status) ?? 0) + 1);
        }
      }
    };
    const load = Array.from({ length: WORKERS }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 2_000));
    redis.freeze();
    outage = true;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    outage = false;
    redis.thaw();
    await new Promise((r) => setTimeout(r, 2_000));
    running = false;
    await Promise.all(load);

    await eventually(async () => accepted.every((id) => seen.has(id)), 60_000, 200).catch(() => undefined);
    await collector.stop();
    const lost = accepted.filter((id) => !seen.has(id)).length;
    const duplicated = [...seen.values()].filter((n) => n > 1).length;
    const summary = { outageMs: OUTAGE_MS, sent, accepted: accepted.length, acceptedDuringOutage, failures: Object.fromEntries(failures), lost, duplicated };
    if (process.env.INTAKE_FAULT_REPORT) await writeFile(process.env.INTAKE_FAULT_REPORT, JSON.stringify(summary, null, 2));
    expect(summary).toMatchObject({ lost: 0, failures: {} });
    expect(acceptedDuringOutage).toBeGreaterThan(0);
    expect(sent).toBe(accepted.length);
  });
});
