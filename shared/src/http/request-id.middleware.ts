import type { RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import { logContext } from '../logger';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Takes the caller's `x-request-id` when it is sane, else makes one; echoes it and logs with it. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  logContext.run({ requestId: id }, next);
};
