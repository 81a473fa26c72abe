import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

interface LogContext {
  requestId?: string;
}
export const logContext = new AsyncLocalStorage<LogContext>();

/** Paths that may carry secrets or personal data: never written, whatever a caller passes. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  '*.authorization',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.token',
  '*.authorToken',
  '*.email',
  '*.ip',
];

export function createLogger(name: string, level: LoggerOptions['level'] = 'info'): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: name },
    // The request id of the current request (if any) is stamped on every line.
    mixin: () => {
      const ctx = logContext.getStore();
      return ctx?.requestId ? { requestId: ctx.requestId } : {};
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that writes nothing, for tests and tools. */
export const silentLogger: Logger = pino({ level: 'silent' });
