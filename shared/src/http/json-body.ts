import express, { type RequestHandler } from 'express';
import { AppError, ErrorCode } from '../errors';

/**
 * Writes accept JSON only: anything else is 415 before any parsing. `limit` bounds the body so an
 * oversized one is a 413 problem, not memory pressure.
 */
export function jsonOnly(limit = '64kb'): RequestHandler[] {
  const parse = express.json({ limit, strict: true, type: () => true });
  const requireJson: RequestHandler = (req, _res, next) => {
    const hasBody = req.headers['content-length'] !== '0' && (req.headers['content-length'] || req.headers['transfer-encoding']);
    if (hasBody && !req.is('application/json')) {
      return next(new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, 'Send the body as application/json.'));
    }
    next();
  };
  return [requireJson, parse];
}
