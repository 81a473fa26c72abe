import type { Router } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  chainVerificationSchema,
  consentConfigSchema,
  consentRangeQuerySchema,
  consentRecordSchema,
  consentRevisionSchema,
  recordConsentBodySchema,
  recordConsentResponseSchema,
  visitorConsentHistorySchema,
  jsonContent,
  openApiRoute,
  problemResponses,
} from '@parley/shared';


/** cookie-consent's OpenAPI 3.1 document (public and operators' API), generated from the shared zod schemas. */
export function buildOpenApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An admin API key (pk_…) scoped to the site' });
  const json = jsonContent;
  const problems = problemResponses;
  const site = z.object({ site: z.string() });
  const admin = { security: [{ [bearer.name]: [] }] };
  const range = consentRangeQuerySchema;

  registry.registerPath({
    method: 'get',
    path: '/banner.js',
    summary: 'The banner script (short cache); /banner/{version}.js is the immutable URL, see /banner.manifest.json for its SRI hash',
    responses: { 200: { description: 'JavaScript', content: { 'text/javascript': { schema: z.string() } } }, 304: { description: 'Not modified' } },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/consent/config',
    summary: "The site's current banner configuration (what banner.js fetches), with ETag",
    request: { params: site },
    responses: { 200: { description: 'The current revision', ...json(consentConfigSchema) }, 304: { description: 'Not modified' }, ...problems(404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/consents',
    summary: "Record a visitor's choice; the Origin must be on the site's allow-list",
    request: { headers: z.object({ 'idempotency-key': z.string().optional(), 'sec-gpc': z.literal('1').optional() }), body: { required: true, ...json(recordConsentBodySchema) } },
    responses: { 201: { description: 'Recorded, with a signed receipt (JWS)', ...json(recordConsentResponseSchema) }, ...problems(400, 403, 404, 413, 415, 422, 429, 503) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/consents/{consentId}',
    summary: "A visitor's own records: each choice, the text it was made under and its receipt; the consent id from their cookie is the key (no network data)",
    request: { params: z.object({ site: z.string(), consentId: z.uuid() }) },
    responses: { 200: { description: 'The consent id’s history, oldest first', ...json(visitorConsentHistorySchema) }, ...problems(400, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/.well-known/jwks.json',
    summary: 'Public keys that verify receipts',
    responses: { 200: { description: 'A JWK set', ...json(z.object({ keys: z.array(z.looseObject({ kid: z.string(), kty: z.string() })) })) } },
  });
  const base = '/v1/admin/sites/{site}/consent';
  registry.registerPath({ method: 'get', path: `${base}/config`, summary: 'The current revision', ...admin, request: { params: site }, responses: { 200: { description: 'Revision', ...json(consentRevisionSchema) }, ...problems(401, 403, 404) } });
  registry.registerPath({
    method: 'put',
    path: `${base}/config`,
    summary: 'Publish a configuration: changed content becomes a new revision (everyone is asked again)',
    ...admin,
    request: { params: site, headers: z.object({ 'if-match': z.string().optional() }), body: { required: true, ...json(consentConfigSchema) } },
    responses: { 200: { description: 'Unchanged', ...json(consentRevisionSchema) }, 201: { description: 'New revision', ...json(consentRevisionSchema) }, ...problems(400, 401, 403, 404, 409, 415, 422) },
  });
  registry.registerPath({ method: 'get', path: `${base}/config/revisions`, summary: 'Every revision, newest first', ...admin, request: { params: site }, responses: { 200: { description: 'Revisions' }, ...problems(401, 403, 404) } });
  registry.registerPath({
    method: 'get',
    path: `${base}/config/revisions/{revision}`,
    summary: 'One immutable revision',
    ...admin,
    request: { params: site.extend({ revision: z.number().int() }) },
    responses: { 200: { description: 'Revision', ...json(consentRevisionSchema) }, ...problems(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/chain/verify`,
    summary: "Verify the site's hash chain over a date range; reports the first break",
    ...admin,
    request: { params: site, query: range },
    responses: { 200: { description: 'Result', ...json(chainVerificationSchema) }, ...problems(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/records/export`,
    summary: 'Records of a date range as NDJSON (default) or CSV (format=csv), streamed',
    ...admin,
    request: { params: site, query: range },
    responses: {
      200: { description: 'Records', content: { 'application/x-ndjson': { schema: consentRecordSchema }, 'text/csv': { schema: z.string() } } },
      ...problems(400, 401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/records/by-consent/{consentId}`,
    summary: "One consent id's history: what was shown, what was chosen, when",
    ...admin,
    request: { params: site.extend({ consentId: z.uuid() }) },
    responses: { 200: { description: 'History' }, ...problems(400, 401, 403, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/stats/daily`,
    summary: 'Acceptance per category and records per action, per day',
    ...admin,
    request: { params: site, query: range },
    responses: { 200: { description: 'Statistics' }, ...problems(400, 401, 403, 404) },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Parley cookie-consent', version: '1.0.0', description: 'Consent banner configuration, consent records (the proof), receipts and exports.' },
  });
}

export function openApiRoutes(): Router {
  return openApiRoute(buildOpenApiDocument);
}
