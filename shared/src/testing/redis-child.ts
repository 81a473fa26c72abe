import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A throwaway redis-server child without persistence, that a fault test may freeze, kill or restart. */
export interface RedisChild {
  url: string;
  port: number;
  /** SIGSTOP: the server stops answering; connections stay open, data stays. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** Waits (up to `timeoutMs`) until no client but the probe is connected: teardown then leaves no reconnecting client behind. */
  waitForNoClients(timeoutMs?: number): Promise<number>;
  /** Ends the server (thawing it first); idempotent. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on `port` (a free one when omitted: pass the old one to "restart" it). */
export async function startRedisChild(port?: number): Promise<RedisChild> {
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${p}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    for (let i = 0; ; i++) {
      try {
        await probe.connect();
        await probe.ping();
        break;
      } catch (err) {
        if (i > 100) throw err;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    probe.disconnect();
  }
  let stopped: Promise<void> | undefined;
  return {
    url,
    port: p,
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    async waitForNoClients(timeoutMs = 5_000) {
      const watcher = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const others = String(await watcher.client('LIST')).trim().split('\n').length - 1;
          if (others === 0 || Date.now() > deadline) return others;
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        watcher.disconnect();
      }
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGCONT');
        child.kill('SIGKILL');
      });
      return stopped;
    },
  };
}
