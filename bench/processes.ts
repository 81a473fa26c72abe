/**
 * Services as production runs them, for the benches: each in its own process from its entry point
 * (`services/<name>/src/main.ts`, NODE_ENV=production), and what they and the machine use, read
 * from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { onAbortStopChild } from './abort';

const ROOT = join(__dirname, '..');

export type ServiceName = 'comment-intake' | 'moderation-queue' | 'cookie-consent';

export interface ServiceProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** BENCH_PROFILE_DIR=dir writes each service's CPU profile there (node --cpu-prof). */
const profile = (name: string) =>
  process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_PROFILE_DIR, name)}`] : [];

/** Starts one service's production entry point; resolves once it logs that it listens. */
export function startProcess(name: ServiceName, env: Record<string, string>): Promise<ServiceProcess> {
  return startNodeProcess(name, join(ROOT, 'services', name, 'src/main.ts'), env);
}

/** Runs `entry` (TypeScript, through tsx) in a process of its own; resolves once it logs a JSON line with `<name> listening` and its port. */
export function startNodeProcess(name: string, entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const child: ChildProcess = spawn(process.execPath, [...profile(name), '--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A bench that ends early (a signal, an uncaught error) takes its children with it.
  const forget = onAbortStopChild(() => child.kill('SIGTERM'));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(forget);
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes(`${name} listening`)) continue;
        const { port } = JSON.parse(line) as { port: number };
        resolve({
          url: `http://127.0.0.1:${port}`,
          pid: child.pid!,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
}

/** CPU seconds a process has used so far (user + system), from /proc. */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0; // a process that ended meanwhile (a Postgres backend)
  }
}

/** CPU seconds of every process whose command starts with `name` (Postgres backends, Redis). */
export function cpuSecondsOf(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith(name)) total += cpuSeconds(Number(pid));
    } catch {
      // gone
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine, all cores. */
export function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3]! - f[4]!) / 100;
}


/** Resident memory of a process now, in MB. */
export function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}
