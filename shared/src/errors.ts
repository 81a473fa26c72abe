/** Every machine-readable error code the stack answers with, in one list. */
export const ErrorCode = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  SITE_NOT_FOUND: 'SITE_NOT_FOUND',
  SITE_EXISTS: 'SITE_EXISTS',
  API_KEY_NOT_FOUND: 'API_KEY_NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  CONFLICT: 'CONFLICT',
  IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
  IDEMPOTENCY_KEY_IN_FLIGHT: 'IDEMPOTENCY_KEY_IN_FLIGHT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.author.name`. */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  details?: Record<string, unknown>;
  errors?: FieldError[];
  cause?: unknown;
  headers?: Record<string, string>;
}

export class AppError extends Error {
  readonly details?: Record<string, unknown>;
  readonly errors?: FieldError[];
  readonly headers?: Record<string, string>;

  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.details = options.details;
    this.errors = options.errors;
    this.headers = options.headers;
  }
}

export class ValidationError extends AppError {
  constructor(errors: FieldError[], status: 400 | 422 = 422, message = 'The request has invalid fields.') {
    super(ErrorCode.VALIDATION_FAILED, status, message, { errors });
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code: ErrorCode = ErrorCode.NOT_FOUND) {
    super(code, 404, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code: ErrorCode = ErrorCode.CONFLICT) {
    super(code, 409, message, { details });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'A valid API key is required.') {
    super(ErrorCode.UNAUTHENTICATED, 401, message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed.', code: ErrorCode = ErrorCode.FORBIDDEN) {
    super(code, 403, message);
  }
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(ErrorCode.RATE_LIMITED, 429, 'Too many requests; try again later.', {
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(message = 'The service is temporarily unavailable.', cause?: unknown) {
    super(ErrorCode.SERVICE_UNAVAILABLE, 503, message, { cause, headers: { 'Retry-After': '5' } });
  }
}

/**
 * Thrown by a stream handler for a message that can never succeed: the transport dead-letters it
 * at once instead of redelivering it.
 */
export class PoisonMessageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PoisonMessageError';
  }
}
