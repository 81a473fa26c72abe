/**
 * How long `npm start` takes, from spawning the process on a fresh data directory (and again on
 * existing data) until every service answers /healthz. Baseline: a bare node:http process started
 * and answering in the same way, so the figure can be read on a busy machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
  } catch {
    return false;
  }
}

/** Spawns `args`, waits until every port answers /healthz, returns the elapsed ms, then stops it. */
async function timeToHealthy(args: string[], env: NodeJS.ProcessEnv, ports: number[]): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: 'ignore' });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode}`);
      const up = await Promise.all(ports.map(answers));
      if (up.every(Boolean)) return performance.now() - started;
      if (performance.now() - started > 120_000) throw new Error('not healthy within 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

export async function benchEmbeddedStart(runs = 3): Promise<string> {
  const rows: string[] = [];
  const basePort = await freePort();
  const baselineCode = `require('node:http').createServer((q,s)=>s.end('ok')).listen(${basePort})`;
  const baseline = await timeToHealthy(['-e', baselineCode], process.env, [basePort]);
  rows.push(`| baseline: bare node:http process | ${baseline.toFixed(0)} | 1.0 |`);
  for (let i = 0; i < runs; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'parley-bench-'));
    try {
      const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
      const env = { ...process.env, DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', BOOTSTRAP_ADMIN_KEY: 'pk_benchmarkBot_0123456789abcdefghijklmnopqrstuv' };
      Object.assign(env, { DEMO_PORT: String(ports[0]), INTAKE_PORT: String(ports[1]), MODERATION_PORT: String(ports[2]), CONSENT_PORT: String(ports[3]) });
      const args = ['--import', 'tsx', 'services/embedded/src/start.ts'];
      const fresh = await timeToHealthy(args, env, ports);
      const restart = await timeToHealthy(args, env, ports);
      rows.push(`| npm start, fresh data dir (run ${i + 1}) | ${fresh.toFixed(0)} | ${(fresh / baseline).toFixed(1)} |`);
      rows.push(`| npm start, existing data (run ${i + 1}) | ${restart.toFixed(0)} | ${(restart / baseline).toFixed(1)} |`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return ['| case | ms until every /healthz answers | × baseline |', '| --- | ---: | ---: |', ...rows].join('\n');
}

if (require.main === module) {
  benchEmbeddedStart().then(
    (t) => process.stdout.write(`${t}\n`),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
