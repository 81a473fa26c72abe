import { Redis } from 'ioredis';
import type { Logger } from '../logger';

const QUIT_TIMEOUT_MS = 1_000;

/**
 * A connection with ioredis's defaults (RESP3, reconnect forever with backoff) that logs its first
 * error after being healthy, not one line per reconnect attempt.
 */
export function connect(url: string, logger: Logger, role: string): Redis {
  // disconnectTimeout: ioredis keeps a timer that long after disconnecting a socket that never
  // connected (Redis down), which holds the process (and Jest) open; 2 s by default.
  const conn = new Redis(url, { disconnectTimeout: 200 });
  let healthy = true;
  conn.on('error', (err: Error) => {
    if (healthy) logger.warn({ role, err: err.message }, 'redis connection error; reconnecting');
    healthy = false;
  });
  conn.on('ready', () => {
    if (!healthy) logger.info({ role }, 'redis connection restored');
    healthy = true;
  });
  return conn;
}

/** QUIT when connected (lets replies in flight arrive), else drop the socket: QUIT would wait for a reconnect. */
export async function closeConnection(conn: Redis): Promise<void> {
  if (conn.status !== 'ready') {
    conn.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
  });
  try {
    await Promise.race([conn.quit().catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
    const status: string = conn.status; // QUIT may have ended it meanwhile
    if (status !== 'end') conn.disconnect();
  }
}
