import request from 'supertest';
import { uuidv7 } from '@parley/shared';
import { modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

/** Just what the test reads of the document. */
interface Operation {
  summary: string;
  security?: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
}
interface JsonSchema {
  properties: Record<string, { enum?: string[]; maxItems?: number }>;
  required: string[];
  additionalProperties?: boolean;
}
interface OpenApiDoc {
  openapi: string;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, Operation>>;
}

/** A layer of Express 5's router (router 2.x): a route, or a mounted router with its own stack. */
interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD /path` the app answers, with Express's `:param` written as OpenAPI's `{param}`. */
function registeredRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((m) => `${m.toUpperCase()} ${path}`);
    }
    if (!layer.handle.stack) return [];
    // Routers are mounted without a path today; a mounted one would add its prefix.
    return registeredRoutes(layer.handle.stack, layer.rawPath === '/' ? prefix : `${prefix}${String(layer.rawPath)}`);
  });
}

let h: ModerationHarness;
let doc: OpenApiDoc;
let moderatorKey: string;
let mod: ReturnType<typeof modClient>;

beforeAll(async () => {
  // Many deliberate 401s below: keep the auth-failure limit out of their way.
  h = await startModeration({ AUTH_FAILURES_PER_MINUTE: '10000' });
  moderatorKey = await h.siteWithModerator('docs');
  mod = modClient(h.svc.url, moderatorKey, 'docs');
  const res = await request(h.svc.url).get('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  doc = res.body as OpenApiDoc;
});

afterAll(async () => {
  await h.close();
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));

/** A documented path with its parameters filled in, for the site `docs`. */
const concrete = (path: string) =>
  path.replace('{site}', 'docs').replace('{id}', uuidv7()).replace('{author}', 'a'.repeat(64)).replace('{thread}', 'some-article');

describe('GET /openapi.json', () => {
  it('when fetched without a key, then it is OpenAPI 3.1 with a Bearer API-key scheme every /v1 route requires', () => {
    expect(doc.openapi).toBe('3.1.0');
    const schemes = Object.entries(doc.components.securitySchemes).filter(([, s]) => s.type === 'http' && s.scheme === 'bearer');
    expect(schemes).toHaveLength(1);
    const [name] = schemes[0]!;
    for (const { path, op } of operations().filter((o) => o.path.startsWith('/v1/'))) {
      expect({ path, security: op.security }).toEqual({ path, security: [{ [name]: [] }] });
      expect({ path, summary: op.summary }).toEqual({ path, summary: expect.stringMatching(/\((admin|moderator or admin)\)$/) });
    }
  });

  it("when the app's routes are walked, then every method and path is documented and nothing else is", () => {
    const app = h.svc.service.app as unknown as { router: { stack: Layer[] } };
    const routes = registeredRoutes(app.router.stack).filter((r) => r !== 'GET /openapi.json');
    expect(routes).toEqual(expect.arrayContaining(['GET /healthz', 'GET /v1/whoami', 'POST /v1/admin/keys', 'GET /v1/sites/{site}/queue/live']));
    const documented = operations().map((o) => `${o.method} ${o.path}`);
    expect(routes.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((d) => !routes.includes(d))).toEqual([]);
  });

  it('when the live queue is documented, then it answers text/event-stream', () => {
    const live = doc.paths['/v1/sites/{site}/queue/live']!.get!;
    expect(Object.keys(live.responses['200']!.content!)).toEqual(['text/event-stream']);
  });
});

describe('the document against the running API', () => {
  it('when a documented keyed route is called without a key, then 401, and the 401 is documented', async () => {
    for (const { method, path, op } of operations()) {
      const res = await request(h.svc.url)[method.toLowerCase() as 'get'](concrete(path));
      const keyed = Boolean(op.security?.length);
      expect({ method, path, status: res.status === 401 }).toEqual({ method, path, status: keyed });
      if (keyed) expect(op.responses).toHaveProperty('401');
    }
  });

  it('when a moderator key calls a route documented as admin-only, then 403, and the 403 is documented', async () => {
    const adminOnly = operations().filter((o) => o.op.summary.endsWith('(admin)'));
    expect(adminOnly.length).toBeGreaterThan(8);
    for (const { method, path, op } of adminOnly) {
      const res = await request(h.svc.url)[method.toLowerCase() as 'get'](concrete(path)).set('Authorization', `Bearer ${moderatorKey}`);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expect(op.responses).toHaveProperty('403');
    }
  });

  it('when a decision body breaks the documented schema, then the API answers 422 on that field', async () => {
    const op = doc.paths['/v1/sites/{site}/comments/{id}/decisions']!.post!;
    const schema = op.requestBody!.content['application/json']!.schema;
    expect(op.responses).toHaveProperty('422');

    expect(schema.properties.action!.enum).not.toContain('obliterate');
    const badAction = await mod.decide(uuidv7(), { action: 'obliterate', expectedState: 'held' });
    expect(badAction.status).toBe(422);
    expect(badAction.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.action']);

    expect(schema.required).toEqual(expect.arrayContaining(['action', 'expectedState']));
    const missing = await mod.decide(uuidv7(), { action: 'approve' });
    expect(missing.status).toBe(422);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.expectedState']);

    expect(schema.additionalProperties).toBe(false);
    const extra = await mod.decide(uuidv7(), { action: 'approve', expectedState: 'held', force: true });
    expect(extra.status).toBe(422);
  });

  it('when a bulk decision has more items than the documented maximum, then the API answers 422 on items', async () => {
    const schema = doc.paths['/v1/sites/{site}/decisions']!.post!.requestBody!.content['application/json']!.schema;
    const max = schema.properties.items!.maxItems!;
    expect(max).toBe(500);
    const items = Array.from({ length: max + 1 }, () => ({ commentId: uuidv7(), expectedState: 'held' }));
    const res = await mod.bulk({ action: 'approve', items });
    expect(res.status).toBe(422);
    expect(res.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.items']);
  });
});
