import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { ParsedUrlQuery } from 'node:querystring';
import { AppError, ErrorCode } from '../../errors';

export type FastMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** What a fast handler sees of a request: parsed path params, lazy query, client address. */
export interface FastRequest {
  method: string;
  /** The path pattern that matched (the metrics label), e.g. `/v1/sites/:site/threads/:thread/comments`. */
  route: string;
  params: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** The query string parsed like Express's simple parser (`node:querystring`). */
  readonly query: ParsedUrlQuery;
  /** The client address after the `trust proxy` setting. */
  ip: string;
  requestId: string;
  /**
   * Headers for the response whatever its outcome: a handler sets CORS headers here before it can
   * fail, so a browser can read the problem details of a refused write too.
   */
  responseHeaders: OutgoingHttpHeaders;
  raw: IncomingMessage;
}

/** A handler's answer; the frame adds the security headers and the request id. */
export interface FastResult {
  status: number;
  headers?: OutgoingHttpHeaders;
  /** Serialised as JSON (`application/json`). */
  json?: unknown;
  /** Sent as is; set `content-type` in `headers`. */
  body?: Buffer | string;
}

export interface FastRoute {
  method: FastMethod;
  /** `/literal/:param/literal`; a GET route answers HEAD as well. */
  path: string;
  handle(req: FastRequest): Promise<FastResult> | FastResult;
}

interface CompiledRoute {
  route: FastRoute;
  /** Literal segment, or `null` where a parameter goes (its name is in `names`). */
  segments: (string | null)[];
  names: string[];
}

/** A table of routes matched segment by segment: no regular expressions on the hot path. */
export class FastRouteTable {
  private readonly byMethod = new Map<string, CompiledRoute[]>();

  constructor(routes: FastRoute[]) {
    for (const route of routes) {
      const parts = route.path.split('/').slice(1);
      const compiled: CompiledRoute = {
        route,
        segments: parts.map((p) => (p.startsWith(':') ? null : p)),
        names: parts.filter((p) => p.startsWith(':')).map((p) => p.slice(1)),
      };
      const list = this.byMethod.get(route.method) ?? [];
      list.push(compiled);
      this.byMethod.set(route.method, list);
    }
  }

  /**
   * The route and its raw param values, or undefined (the request then goes to Express). Decode
   * with `decodeParams` where a failure becomes a problem (a malformed escape is a 400).
   */
  match(method: string, pathname: string): RouteMatch | undefined {
    const candidates = this.byMethod.get(method === 'HEAD' ? 'GET' : method);
    if (!candidates) return undefined;
    const trimmed = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
    const parts = trimmed.split('/');
    for (const c of candidates) {
      if (parts.length - 1 !== c.segments.length) continue;
      const values: string[] = [];
      let ok = true;
      for (let i = 0; i < c.segments.length; i++) {
        const want = c.segments[i];
        const got = parts[i + 1] as string;
        if (want === null) {
          if (got === '') {
            ok = false;
            break;
          }
          values.push(got);
        } else if (want !== got) {
          ok = false;
          break;
        }
      }
      if (ok) return { route: c.route, names: c.names, values };
    }
    return undefined;
  }
}

export interface RouteMatch {
  route: FastRoute;
  names: string[];
  values: string[];
}

export function decodeParams(match: RouteMatch): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < match.names.length; i++) out[match.names[i] as string] = decodeParam(match.values[i] as string);
  return out;
}

function decodeParam(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    throw new AppError(ErrorCode.VALIDATION_FAILED, 400, 'The request could not be read.');
  }
}
