import type { Router } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { apiKeyRoleSchema, jsonContent, openApiRoute, problemResponses } from '@parley/shared';
import { documentAdminRoutes } from './openapi.admin';
import { documentModerationRoutes } from './openapi.moderation';

/** Who may call a route: an `admin` key, any key (`moderator or admin`), or anyone (`public`). */
export type Role = 'admin' | 'moderator or admin' | 'public';

/** One route as the document describes it; paths in OpenAPI form (`/v1/sites/{site}/queue`). */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: 'moderators' | 'operators' | 'service';
  role: Role;
  summary: string;
  description?: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  /** A JSON body behind `jsonOnly` and `parseOrThrow(…, 'body')`. */
  body?: z.ZodType;
  ok: Record<number, ResponseConfig>;
  /** Problems this route answers beyond those every route of its kind does (see `documentRoute`). */
  problems?: number[];
}

export type DocumentRoute = (route: RouteDoc) => void;

/** The moderation-queue OpenAPI 3.1 document (operators' and moderators' API), from the shared zod schemas. */
export function buildOpenApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description:
      'An API key (`pk_…`) as `Authorization: Bearer <key>`. Its role (admin or moderator) and its sites decide what it may do. ' +
      'After too many failed authentications (AUTH_FAILURES_PER_MINUTE) a client is answered 429 until the minute is over.',
  });

  // What every route of a kind answers: a keyed route 401 (no, unknown or revoked key) and 429
  // (auth-failure limit); a JSON body 400 (broken JSON), 413 (too large), 415 (not JSON), 422 (invalid).
  const documentRoute: DocumentRoute = (r) => {
    const keyed = r.role !== 'public';
    const codes = new Set([...(r.problems ?? []), ...(keyed ? [401, 429] : []), ...(r.body ? [400, 413, 415, 422] : [])]);
    registry.registerPath({
      method: r.method,
      path: r.path,
      tags: [r.tag],
      summary: keyed ? `${r.summary} (${r.role})` : r.summary,
      ...(r.description ? { description: r.description } : {}),
      ...(keyed ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(r.params ? { params: r.params } : {}),
        ...(r.query ? { query: r.query } : {}),
        ...(r.body ? { body: { required: true, ...jsonContent(r.body) } } : {}),
      },
      responses: { ...r.ok, ...problemResponses(...[...codes].sort((a, b) => a - b)) },
    });
  };

  documentServiceRoutes(documentRoute);
  documentAdminRoutes(documentRoute);
  documentModerationRoutes(documentRoute);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley moderation-queue',
      version: '1.0.0',
      description: "The operators' API (sites, API keys) and the moderators' API (queue, decisions, authors, policy, webhooks, audit).",
    },
  });
}

/** Health and metrics (`createBaseApp`) and `whoami`. */
function documentServiceRoutes(doc: DocumentRoute): void {
  const readiness = z.object({ status: z.enum(['ready', 'not ready']), checks: z.record(z.string(), z.string()) });
  doc({ method: 'get', path: '/healthz', tag: 'service', role: 'public', summary: 'The process is alive', ok: { 200: { description: 'Alive', ...jsonContent(z.object({ status: z.literal('ok') })) } } });
  doc({
    method: 'get',
    path: '/readyz',
    tag: 'service',
    role: 'public',
    summary: 'Every dependency answers (Postgres, Redis, migrations applied)',
    ok: { 200: { description: 'Ready', ...jsonContent(readiness) }, 503: { description: 'Not ready, with the failed checks', ...jsonContent(readiness) } },
  });
  doc({ method: 'get', path: '/metrics', tag: 'service', role: 'public', summary: 'Prometheus metrics', ok: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: z.string() } } } } });
  doc({
    method: 'get',
    path: '/v1/whoami',
    tag: 'service',
    role: 'moderator or admin',
    summary: 'The calling key: its id, role and sites',
    ok: { 200: { description: 'The key', ...jsonContent(z.object({ keyId: z.uuid(), role: apiKeyRoleSchema, sites: z.array(z.string()) })) } },
  });
}

export function openApiRoutes(): Router {
  return openApiRoute(buildOpenApiDocument);
}
