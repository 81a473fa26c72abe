import { z } from 'zod';
import { apiKeyViewSchema, createApiKeyBodySchema, createSiteBodySchema, jsonContent as json, siteIdSchema, siteSchema, updateSiteBodySchema } from '@parley/shared';
import type { DocumentRoute } from './openapi.routes';

/** The operators' API of admin.routes.ts: sites and API keys, admin keys only. */
export function documentAdminRoutes(doc: DocumentRoute): void {
  const admin = { tag: 'operators', role: 'admin' } as const;
  const site = z.object({ site: siteIdSchema });
  const key = z.object({ id: z.uuid() });

  doc({ ...admin, method: 'get', path: '/v1/admin/sites', summary: 'The sites this key holds', ok: { 200: { description: 'Sites', ...json(z.object({ items: z.array(siteSchema) })) } }, problems: [403] });
  doc({
    ...admin,
    method: 'post',
    path: '/v1/admin/sites',
    summary: 'Create a site (installation-wide admin key only); announced on sites.changed',
    body: createSiteBodySchema,
    ok: { 201: { description: 'Created; Location names it', ...json(siteSchema) } },
    problems: [403, 409],
  });
  doc({ ...admin, method: 'get', path: '/v1/admin/sites/{site}', summary: 'One site', params: site, ok: { 200: { description: 'The site', ...json(siteSchema) } }, problems: [403, 404] });
  doc({
    ...admin,
    method: 'patch',
    path: '/v1/admin/sites/{site}',
    summary: 'Partial update: settings sections merge field by field; the version grows by one',
    params: site,
    body: updateSiteBodySchema,
    ok: { 200: { description: 'The site after the change', ...json(siteSchema) } },
    problems: [403, 404],
  });
  doc({
    ...admin,
    method: 'get',
    path: '/v1/admin/keys',
    summary: 'The API keys this key may manage (never their secrets)',
    ok: { 200: { description: 'Keys', ...json(z.object({ items: z.array(apiKeyViewSchema) })) } },
    problems: [403],
  });
  doc({
    ...admin,
    method: 'post',
    path: '/v1/admin/keys',
    summary: 'Create an API key for sites this key holds; the secret is shown once',
    body: createApiKeyBodySchema,
    ok: { 201: { description: 'Created, with its secret', ...json(apiKeyViewSchema.extend({ secret: z.string() })) } },
    problems: [403],
  });
  doc({
    ...admin,
    method: 'delete',
    path: '/v1/admin/keys/{id}',
    summary: 'Revoke an API key (a key this key may not manage is 404)',
    params: key,
    ok: { 200: { description: 'The revoked key', ...json(apiKeyViewSchema) } },
    problems: [403, 404],
  });
}
