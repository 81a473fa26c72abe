/**
 * `npm start` with nothing set: the three services and the demo page in one process on PGlite and
 * the in-process transport. Started as a real child process, stopped with SIGTERM, started again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { eventually } from '@parley/shared/testing';

const ROOT = join(__dirname, '..', '..');
const BOOTSTRAP = 'pk_embeddedBoot_0123456789abcdefghijklmnopqrstuv';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let ports: { demo: number; intake: number; moderation: number; consent: number };
let child: ChildProcess | undefined;
let output = '';

function start(): ChildProcess {
  output = '';
  const env = { ...process.env };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  const p = spawn(process.execPath, ['--import', 'tsx', 'services/embedded/src/start.ts'], {
    cwd: ROOT,
    env: {
      ...env,
      NODE_ENV: 'development',
      DATA_DIR: dataDir,
      DEMO_PORT: String(ports.demo),
      INTAKE_PORT: String(ports.intake),
      MODERATION_PORT: String(ports.moderation),
      CONSENT_PORT: String(ports.consent),
      BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  p.stdout?.on('data', (b: Buffer) => (output += b.toString()));
  p.stderr?.on('data', (b: Buffer) => (output += b.toString()));
  return p;
}

function stop(p: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (p.exitCode !== null) return resolve(p.exitCode);
    p.once('exit', (code) => resolve(code));
    p.kill('SIGTERM');
  });
}

const url = (port: number) => `http://127.0.0.1:${port}`;
const allUp = async () => {
  for (const port of Object.values(ports)) {
    const r = await request(url(port)).get('/healthz');
    if (r.status !== 200) return false;
  }
  return true;
};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'parley-embedded-'));
  ports = { demo: await freePort(), intake: await freePort(), moderation: await freePort(), consent: await freePort() };
});

afterAll(async () => {
  if (child) await stop(child);
  await rm(dataDir, { recursive: true, force: true });
});

describe('embedded mode', () => {
  it('when started with nothing set, then every service answers, the demo page is served and data survives a restart', async () => {
    child = start();
    await eventually(allUp, 60_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n--- output ---\n${output}`);
    });
    expect(output).toContain('embedded: PGlite');
    expect(output).toContain(`demo article page   http://localhost:${ports.demo}/`);

    const page = await request(url(ports.demo)).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<div id="parley-comments"></div>');
    expect(page.text).toContain(`http://localhost:${ports.intake}/embed.js`);

    // The demo site reaches intake through the in-process stream.
    await eventually(async () => (await request(url(ports.intake)).get('/v1/sites/demo/settings')).status === 200, 10_000);

    const auth = { Authorization: `Bearer ${BOOTSTRAP}` };
    const created = await request(url(ports.moderation))
      .post('/v1/admin/sites')
      .set(auth)
      .send({ id: 'survivor', name: 'Survivor', allowedOrigins: ['https://survivor.example'] });
    expect(created.status).toBe(201);
    await eventually(async () => (await request(url(ports.intake)).get('/v1/sites/survivor/settings')).status === 200, 10_000);

    expect(await stop(child)).toBe(0);
    child = start();
    await eventually(allUp, 60_000, 200);
    const again = await request(url(ports.moderation)).get('/v1/admin/sites/survivor').set(auth);
    expect(again.status).toBe(200);
    expect(again.body.name).toBe('Survivor');
    expect((await request(url(ports.intake)).get('/v1/sites/survivor/settings')).status).toBe(200);
    const ready = await request(url(ports.intake)).get('/readyz');
    expect(ready.body.checks).toEqual({ database: 'ok', streams: 'ok', migrations: 'ok' });
    // The bootstrap key came from the environment: no secret is printed.
    expect(output).not.toContain('First start');
  }, 180_000);

  it('when a second stack starts on the same data directory, then it refuses to share it', async () => {
    const second = spawn(process.execPath, ['--import', 'tsx', 'services/embedded/src/start.ts'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, DEMO_PORT: '0', INTAKE_PORT: '0', MODERATION_PORT: '0', CONSENT_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    second.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number | null>((r) => second.once('exit', r));
    expect(code).not.toBe(0);
    expect(err).toMatch(/is in use by process \d+/);
  }, 60_000);
});
