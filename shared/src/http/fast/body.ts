import { AppError, ErrorCode } from '../../errors';
import type { FastRequest } from './route';

const JSON_TYPE = /^application\/json\s*(;|$)/i;
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)/i;

/**
 * The body of a JSON write, with the same answers as the Express `jsonOnly` stack: 415 for another
 * type, charset or content encoding; 413 past `limitBytes`; 400 for malformed JSON or a bare
 * scalar (strict: objects and arrays only). An empty body is `undefined`, left to the schema.
 */
export async function readJsonBody(req: FastRequest, limitBytes: number): Promise<unknown> {
  const { headers, raw } = req;
  const length = headers['content-length'];
  const hasBody = length !== '0' && (length !== undefined || headers['transfer-encoding'] !== undefined);
  if (!hasBody) return undefined;
  const type = headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, 'Send the body as application/json.');
  const charset = CHARSET.exec(type)?.[1]?.toLowerCase();
  const encoding = headers['content-encoding']?.toLowerCase();
  if ((charset && charset !== 'utf-8' && charset !== 'utf8') || (encoding && encoding !== 'identity')) {
    throw new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, 'The request body encoding is not supported.');
  }
  if (length !== undefined && Number(length) > limitBytes) throw tooLarge(raw);
  const text = await collect(raw, limitBytes);
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return undefined;
  if (first !== '{' && first !== '[') throw malformed();
  try {
    return JSON.parse(text);
  } catch {
    throw malformed();
  }
}

function collect(raw: FastRequest['raw'], limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        reject(tooLarge(raw));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new AppError(ErrorCode.VALIDATION_FAILED, 400, 'The request body could not be read.', { cause: err }));
    };
    const cleanup = () => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
    };
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
  });
}

function tooLarge(raw: FastRequest['raw']): AppError {
  // Drain the rest without keeping it, so the 413 reaches the client instead of a reset.
  raw.resume();
  return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 413, 'The request body is too large.', { headers: { Connection: 'close' } });
}

function malformed(): AppError {
  return new AppError(ErrorCode.MALFORMED_JSON, 400, 'The request body is not valid JSON.');
}

/** `'16kb'` → 16384, as the Express body limits are written. */
export function parseByteLimit(limit: string | number): number {
  if (typeof limit === 'number') return limit;
  const m = /^(\d+)\s*(b|kb|mb)?$/i.exec(limit.trim());
  if (!m) throw new Error(`bad byte limit: ${limit}`);
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1_048_576 : unit === 'kb' ? 1024 : 1);
}
