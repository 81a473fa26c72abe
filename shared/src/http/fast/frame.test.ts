import type { Server } from 'node:http';
import express from 'express';
import { AppError, ErrorCode } from '../../errors';
import { silentLogger } from '../../logger';
import { createMetrics } from '../../metrics';
import { createBaseApp, finishApp } from '../../service/base-app';
import { closeServer, listen } from '../server';
import { readJsonBody } from './body';
import { withFastRoutes } from './frame';
import type { FastRoute } from './route';

const routes: FastRoute[] = [
  { method: 'GET', path: '/v1/things/:id', handle: (req) => ({ status: 200, json: { id: req.params.id, ip: req.ip, q: req.query.q ?? null } }) },
  {
    method: 'POST',
    path: '/v1/things/:id/notes',
    handle: async (req) => {
      req.responseHeaders['access-control-allow-origin'] = 'https://news.example';
      const body = (await readJsonBody(req, 64)) as { fail?: boolean } | undefined;
      if (body?.fail) throw new AppError(ErrorCode.CONFLICT, 409, 'Already noted.', { details: { current: 'x' } });
      return { status: 202, json: { received: body ?? null } };
    },
  },
  {
    method: 'GET',
    path: '/boom',
    handle: () => {
      throw new Error('secret internals');
    },
  },
];

let server: Server;
let base: string;
const metrics = createMetrics('fast-frame-test');

beforeAll(async () => {
  const app = createBaseApp({ logger: silentLogger, metrics, readiness: {}, trustProxy: 'loopback' });
  app.get('/express-only', (_req, res) => void res.json({ via: 'express' }));
  finishApp(app, silentLogger);
  ({ server } = await listen(withFastRoutes(app, routes, { metrics, logger: silentLogger, trustProxy: 'loopback' }), 0, '127.0.0.1'));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => closeServer(server));

const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${base}/v1/things/a/notes`, { method: 'POST', headers, body });

describe('fast routes', () => {
  it('answers a matched route with decoded params, the query and the client address behind a trusted proxy', async () => {
    const res = await fetch(`${base}/v1/things/caf%C3%A9/?q=1`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'café', ip: '203.0.113.9', q: '1' });
  });

  it('sends the same security headers as the Express frame, and a request id', async () => {
    const fast = await fetch(`${base}/v1/things/a`);
    const slow = await fetch(`${base}/express-only`);
    const security = (r: Response) => {
      const out: [string, string][] = [];
      r.headers.forEach((v, k) => {
        if (/^(content-security|cross-origin|origin-agent|referrer|strict-transport|x-(content|dns|download|frame|permitted|xss))/.test(k)) out.push([k, v]);
      });
      return out.sort();
    };
    expect(security(fast).length).toBeGreaterThan(8);
    expect(security(fast)).toEqual(security(slow));
    expect(fast.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await fetch(`${base}/v1/things/a`, { headers: { 'x-request-id': 'trace-42' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-42');
  });

  it('leaves every other route to Express, including its 404 problem', async () => {
    expect(await (await fetch(`${base}/express-only`)).json()).toEqual({ via: 'express' });
    const missing = await fetch(`${base}/v1/things/a/b/c`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe('ROUTE_NOT_FOUND');
  });

  it('answers HEAD for a GET route without a body', async () => {
    const res = await fetch(`${base}/v1/things/a`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });

  it('turns a thrown AppError into problem details that keep the headers set before the failure', async () => {
    const res = await post('{"fail":true}');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(res.headers.get('access-control-allow-origin')).toBe('https://news.example');
    expect(await res.json()).toMatchObject({ code: 'CONFLICT', status: 409, current: 'x', requestId: expect.any(String) });
  });

  it('hides an unexpected error behind a 500 problem', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(JSON.parse(text).code).toBe('INTERNAL_ERROR');
  });

  it('a malformed escape in a path parameter is a 400 problem', async () => {
    const res = await fetch(`${base}/v1/things/%E0%A4%A`);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('VALIDATION_FAILED');
  });

  it('records each answer in the latency histogram under the route pattern', async () => {
    await fetch(`${base}/v1/things/zz`);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/v1\/things\/:id"[^}]*status="200"[^}]*\} [1-9]/);
  });
});

describe('readJsonBody', () => {
  it('reads a JSON object', async () => {
    expect(await (await post('{"a":1}')).json()).toEqual({ received: { a: 1 } });
  });

  it.each([
    ['another media type', 'a=1', { 'content-type': 'application/x-www-form-urlencoded' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['another charset', '{}', { 'content-type': 'application/json; charset=latin1' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['malformed JSON', '{"a":', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['a bare scalar (strict)', '"text"', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['a body past the limit', JSON.stringify({ text: 'x'.repeat(200) }), { 'content-type': 'application/json' }, 413, 'PAYLOAD_TOO_LARGE'],
  ])('refuses %s', async (_name, body, headers, status, code) => {
    const res = await post(body, headers);
    expect(res.status).toBe(status);
    expect((await res.json()).code).toBe(code);
  });

  it('refuses a chunked body that grows past the limit', async () => {
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 10; i++) c.enqueue(new TextEncoder().encode('{"a":"0123456789"}'.slice(0, 20)));
        c.close();
      },
    });
    const res = await fetch(`${base}/v1/things/a/notes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('Express stays usable as a sub-app', () => {
  it('passes unmatched requests on to the parent app', async () => {
    const fastOnly = withFastRoutes(express(), routes, { metrics, logger: silentLogger, trustProxy: false });
    const parent = express();
    parent.use(fastOnly as unknown as express.RequestHandler);
    parent.get('/parent', (_req, res) => void res.send('parent'));
    const { server: s, port } = await listen(parent, 0, '127.0.0.1');
    try {
      expect(await (await fetch(`http://127.0.0.1:${port}/parent`)).text()).toBe('parent');
      expect(await (await fetch(`http://127.0.0.1:${port}/v1/things/b`)).json()).toMatchObject({ id: 'b' });
    } finally {
      await closeServer(s);
    }
  });
});
