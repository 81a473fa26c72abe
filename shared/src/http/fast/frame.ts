import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { parse as parseQueryString, type ParsedUrlQuery } from 'node:querystring';
import helmet from 'helmet';
import proxyaddr from 'proxy-addr';
import type { Express } from 'express';
import type { Logger } from '../../logger';
import type { Metrics } from '../../metrics';
import { problemResponse } from '../problem.middleware';
import { FastRouteTable, decodeParams, type FastRequest, type FastResult, type FastRoute, type RouteMatch } from './route';

/** What a server listens with: Express alone, or Express behind the fast routes. */
export type HttpApp = (req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) => void;

export interface FastFrameOptions {
  metrics: Metrics;
  logger: Logger;
  /** Express's `trust proxy` value, applied the same way to `FastRequest.ip`. */
  trustProxy: boolean | number | string;
  /** Turns service-specific failures into AppErrors (e.g. Postgres unreachable → 503). */
  mapError?: (err: unknown) => unknown;
}

const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Serves the hot routes straight on node:http and hands everything else to Express. Express's
 * middleware stack costs more CPU per request than a comment write's own work (ADR 0013), so the
 * few routes that take the traffic (submit, thread read, consent write, banner.js) skip it while
 * keeping what it gave them: helmet's headers, request ids, metrics and problem details.
 *
 * Written to allocate little per request: no closures (tsx's keep-names wrapper makes each one a
 * property definition), headers merged once per prepared result.
 */
export function withFastRoutes(app: Express, routes: FastRoute[], options: FastFrameOptions): HttpApp {
  const frame: Frame = {
    table: new FastRouteTable(routes),
    merged: new MergedHeaders(securityHeaders()),
    clientIp: clientAddress(options.trustProxy),
    options,
  };
  const express = app as unknown as HttpApp;
  return (req, res, next) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const match = frame.table.match(req.method ?? 'GET', q === -1 ? url : url.slice(0, q));
    if (match) serve(frame, match, req, res, url, q);
    else express(req, res, next);
  };
}

interface Frame {
  table: FastRouteTable;
  merged: MergedHeaders;
  clientIp: (req: IncomingMessage) => string;
  options: FastFrameOptions;
}

class Request implements FastRequest {
  private parsedQuery?: ParsedUrlQuery;
  params: Record<string, string> = {};
  readonly responseHeaders: OutgoingHttpHeaders = {};

  constructor(
    readonly raw: IncomingMessage,
    readonly route: string,
    readonly ip: string,
    readonly requestId: string,
    private readonly search: string,
    readonly startedAt: bigint,
  ) {}

  get method(): string {
    return this.raw.method ?? 'GET';
  }

  get headers() {
    return this.raw.headers;
  }

  get query(): ParsedUrlQuery {
    return (this.parsedQuery ??= parseQueryString(this.search));
  }
}

function serve(frame: Frame, match: RouteMatch, raw: IncomingMessage, res: ServerResponse, url: string, q: number): void {
  const given = raw.headers['x-request-id'];
  const requestId = typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
  const req = new Request(raw, match.route.path, frame.clientIp(raw), requestId, q === -1 ? '' : url.slice(q + 1), process.hrtime.bigint());
  let out: Promise<FastResult> | FastResult;
  try {
    req.params = decodeParams(match);
    out = match.route.handle(req);
  } catch (err) {
    fail(frame, req, res, err);
    return;
  }
  if (out instanceof Promise) void settle(frame, req, res, out);
  else respond(frame, req, res, out);
}

async function settle(frame: Frame, req: Request, res: ServerResponse, pending: Promise<FastResult>): Promise<void> {
  let result: FastResult;
  try {
    result = await pending;
  } catch (err) {
    fail(frame, req, res, err);
    return;
  }
  respond(frame, req, res, result);
}

function fail(frame: Frame, req: Request, res: ServerResponse, err: unknown): void {
  const { mapError, logger } = frame.options;
  const problem = problemResponse(mapError ? mapError(err) : err, logger, { method: req.method, route: req.route, requestId: req.requestId });
  respond(frame, req, res, {
    status: problem.status,
    headers: { ...lower(problem.headers), 'content-type': 'application/problem+json; charset=utf-8' },
    body: problem.body,
  });
}

function respond(frame: Frame, req: Request, res: ServerResponse, result: FastResult): void {
  let body = result.body;
  if (result.json !== undefined) body = JSON.stringify(result.json);
  if (body === undefined || result.status === 304 || result.status === 204) body = undefined;
  const merged = frame.merged.of(result.headers);
  // A flat [name, value, …] list: Node writes it without building another header object.
  const headers: string[] = merged.flat.slice();
  headers.push('x-request-id', req.requestId);
  const extra = req.responseHeaders;
  // The route's own headers win, except Vary, which adds up (a repeated field is a list).
  for (const k in extra) if (k === 'vary' || !(k in merged.byName)) pushHeader(headers, k, extra[k]);
  if (result.json !== undefined && !('content-type' in merged.byName)) headers.push('content-type', 'application/json; charset=utf-8');
  if (body !== undefined) headers.push('content-length', String(Buffer.byteLength(body)));
  if (!res.headersSent && !res.destroyed) {
    res.writeHead(result.status, headers);
    res.end(body);
  }
  const seconds = Number(process.hrtime.bigint() - req.startedAt) / 1e9;
  frame.options.metrics.httpDuration.observe({ method: req.method, route: req.route, status: String(result.status) }, seconds);
}

function pushHeader(out: string[], name: string, value: OutgoingHttpHeaders[string]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) for (const v of value) out.push(name, v);
  else out.push(name, String(value));
}

/**
 * helmet's headers under a result's own (lower-cased), merged once per headers object: routes that
 * answer from prepared results (banner.js) pay for the merge once, not per request.
 */
class MergedHeaders {
  private readonly cache = new WeakMap<OutgoingHttpHeaders, Merged>();
  private readonly bare: Merged;
  constructor(security: OutgoingHttpHeaders) {
    this.bare = flatten(security);
  }

  of(own: OutgoingHttpHeaders | undefined): Merged {
    if (!own) return this.bare;
    let merged = this.cache.get(own);
    if (!merged) {
      merged = flatten({ ...this.bare.byName, ...lower(own) });
      this.cache.set(own, merged);
    }
    return merged;
  }
}

interface Merged {
  byName: OutgoingHttpHeaders;
  flat: string[];
}

function flatten(byName: OutgoingHttpHeaders): Merged {
  const flat: string[] = [];
  for (const k in byName) pushHeader(flat, k, byName[k]);
  return { byName, flat };
}

function lower(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const k in headers) out[k.toLowerCase()] = headers[k];
  return out;
}

/** helmet's headers, taken once from helmet itself so both paths send the same set. */
function securityHeaders(): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  const recorder = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let called = false;
  (helmet() as unknown as (req: unknown, res: unknown, next: () => void) => void)({}, recorder, () => (called = true));
  if (!called) throw new Error('helmet did not finish synchronously; the fast frame cannot take its headers');
  return headers;
}

/** The client address as Express computes `req.ip` for the same `trust proxy` value. */
function clientAddress(trustProxy: boolean | number | string): (req: IncomingMessage) => string {
  if (trustProxy === false) return (req) => req.socket.remoteAddress ?? 'unknown';
  let trust: (addr: string, i: number) => boolean;
  if (trustProxy === true) trust = () => true;
  else if (typeof trustProxy === 'number') trust = (_addr, i) => i < trustProxy;
  else trust = proxyaddr.compile(trustProxy.split(',').map((s) => s.trim()));
  return (req) => proxyaddr(req, trust) ?? 'unknown';
}
