import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, ErrorCode, type FieldError } from '../errors';
import type { Logger } from '../logger';

/** RFC 9457 problem details, with our extension members. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function zodIssuesToFieldErrors(error: ZodError, root = ''): FieldError[] {
  return error.issues.map((i) => ({
    path: [root, ...i.path.map(String)].filter(Boolean).join('.') || root || '(root)',
    message: i.message,
  }));
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return new AppError(ErrorCode.VALIDATION_FAILED, 422, 'The request has invalid fields.', {
      errors: zodIssuesToFieldErrors(err),
    });
  }
  // Errors raised by Express's own body parser carry a `type` and a status.
  const e = err as { type?: string; status?: number; statusCode?: number };
  const status = e?.status ?? e?.statusCode;
  if (e?.type === 'entity.parse.failed') {
    return new AppError(ErrorCode.MALFORMED_JSON, 400, 'The request body is not valid JSON.');
  }
  if (e?.type === 'entity.too.large') {
    return new AppError(ErrorCode.PAYLOAD_TOO_LARGE, 413, 'The request body is too large.');
  }
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') {
    return new AppError(ErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, 'The request body encoding is not supported.');
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new AppError(ErrorCode.VALIDATION_FAILED, 400, 'The request could not be read.');
  }
  return undefined;
}

export function problemFor(err: AppError, requestId?: string): Problem {
  return {
    type: `https://parley.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: TITLES[err.status] ?? 'Error',
    status: err.status,
    detail: err.message,
    code: err.code,
    ...(requestId ? { requestId } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
    ...(err.details ?? {}),
  };
}

/** Any failure as the problem response to send: known errors as they are, the rest as a logged 500. */
export function problemResponse(
  err: unknown,
  logger: Logger,
  where: { method?: string; route?: string; requestId?: string },
): { status: number; headers: Record<string, string>; body: string } {
  let appError = toAppError(err);
  if (!appError) {
    logger.error({ err, method: where.method, route: where.route }, 'unhandled error');
    appError = new AppError(ErrorCode.INTERNAL_ERROR, 500, 'Something went wrong on our side.');
  } else if (appError.status >= 500) {
    logger.warn({ code: appError.code, cause: appError.cause }, appError.message);
  }
  return { status: appError.status, headers: appError.headers ?? {}, body: JSON.stringify(problemFor(appError, where.requestId)) };
}

/** The one error middleware: every failure becomes `application/problem+json`; internals never leak. */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    const requestId = res.locals.requestId as string | undefined;
    const problem = problemResponse(err, logger, { method: req.method, route: req.route?.path as string | undefined, requestId });
    for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
    res.status(problem.status).type('application/problem+json').send(problem.body);
  };
}

/** 404 for any route the app does not have. */
export const routeNotFound: RequestHandler = (req, _res, next) => {
  next(new AppError(ErrorCode.ROUTE_NOT_FOUND, 404, `No route for ${req.method} ${req.path}.`));
};
