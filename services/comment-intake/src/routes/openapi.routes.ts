import type { Router } from 'express';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  authorCommentViewSchema,
  countsResponseSchema,
  formTokenResponseSchema,
  privacyErasureSchema,
  privacyExportSchema,
  privacyRequestBodySchema,
  reportCommentBodySchema,
  reportCommentResponseSchema,
  submitCommentBodySchema,
  submitCommentResponseSchema,
  threadIdSchema,
  threadPageSchema,
  jsonContent,
  openApiRoute,
  problemResponses,
} from '@parley/shared';

// The generator cannot follow the recursive comment schema: one level is spelled out, deeper
// levels are described (they have the same shape).
const publicCommentDoc = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  author: z.object({ name: z.string(), website: z.string().nullable() }),
  text: z.string(),
  html: z.string().describe('The text escaped; bare http(s) URLs become rel="nofollow ugc noopener" links'),
  createdAt: z.iso.datetime(),
  replies: z.array(z.looseObject({})).describe('Replies, each shaped like this comment'),
});
const threadPageDoc = threadPageSchema.extend({ items: z.array(publicCommentDoc) });


/** The public API's OpenAPI 3.1 document, generated from the shared zod schemas. */
export function buildOpenApiDocument(): object {
  const registry = new OpenAPIRegistry();
  const json = jsonContent;
  const problems = problemResponses;
  const threadParams = z.object({ site: z.string(), thread: threadIdSchema });
  const commentParams = z.object({ id: z.uuid() });
  const authorHeader = z.object({ 'x-author-token': z.string() });

  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/threads/{thread}/form-token',
    summary: 'A signed token to send with the comment form; `closed` tells whether to show the form at all',
    request: { params: threadParams },
    responses: { 200: { description: 'The token, and whether the thread is closed to new comments', ...json(formTokenResponseSchema) }, ...problems(404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/sites/{site}/threads/{thread}/comments',
    summary: 'Submit a comment (held as pending until moderation decides); 409 when the thread or site is closed',
    request: {
      params: threadParams,
      headers: z.object({ 'idempotency-key': z.string().optional() }),
      body: { required: true, ...json(submitCommentBodySchema) },
    },
    responses: { 202: { description: 'Accepted', ...json(submitCommentResponseSchema) }, ...problems(400, 403, 404, 409, 413, 415, 422, 429, 503) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/threads/{thread}/comments',
    summary: 'Approved comments of a thread, threaded, keyset-paginated, with ETag; `closed` when it takes no new comments',
    request: {
      params: threadParams,
      query: z.object({ order: z.enum(['oldest', 'newest']).optional(), cursor: z.string().optional(), limit: z.number().int().optional() }),
    },
    responses: { 200: { description: 'One page', ...json(threadPageDoc) }, 304: { description: 'Not modified' }, ...problems(400, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/counts',
    summary: 'Approved comment counts of many threads',
    request: { params: z.object({ site: z.string() }), query: z.object({ threads: z.string() }) },
    responses: { 200: { description: 'Counts by thread', ...json(countsResponseSchema) }, ...problems(400, 404) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/sites/{site}/threads/{thread}/events',
    summary: 'Server-sent events: `comment` (newly approved), `removed`, and `closed` (`{closed}` when the thread is closed or reopened)',
    request: { params: threadParams },
    responses: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/comments/{id}',
    summary: "The author's own view of their comment",
    request: { params: commentParams, headers: authorHeader },
    responses: { 200: { description: 'The comment', ...json(authorCommentViewSchema) }, ...problems(404) },
  });
  registry.registerPath({
    method: 'delete',
    path: '/v1/comments/{id}',
    summary: 'The author deletes their comment within the edit window',
    request: { params: commentParams, headers: authorHeader },
    responses: { 204: { description: 'Deleted' }, ...problems(403, 404, 503) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/comments/{id}/reports',
    summary: 'Report an approved comment (once per reader)',
    request: { params: commentParams, body: { required: true, ...json(reportCommentBodySchema) } },
    responses: { 202: { description: 'Reported', ...json(reportCommentResponseSchema) }, ...problems(403, 404, 409, 415, 422, 429) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/comments/{id}/export',
    summary: 'The author exports their comment as they wrote it: name, email, website, text, network prefix, status and times',
    request: { params: commentParams, headers: authorHeader },
    responses: { 200: { description: 'The export (no comments once it was erased)', ...json(privacyExportSchema) }, ...problems(404) },
  });
  registry.registerPath({
    method: 'post',
    path: '/v1/comments/{id}/erase',
    summary: "The author erases their comment's personal data (name, email, website, text, network) at any time; moderation erases its copy",
    request: { params: commentParams, headers: authorHeader },
    responses: { 200: { description: 'Erased (`erased: 0` when it already was)', ...json(privacyErasureSchema) }, ...problems(403, 404, 503) },
  });
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', { type: 'http', scheme: 'bearer', description: 'An admin API key (pk_…) scoped to the site' });
  registry.registerPath({
    method: 'post',
    path: '/v1/admin/sites/{site}/privacy-requests',
    summary: 'Export, or erase, everything one email address wrote on the site (admin keys); erasure reaches moderation through `privacy.requests`',
    security: [{ [bearer.name]: [] }],
    request: { params: z.object({ site: z.string() }), body: { required: true, ...json(privacyRequestBodySchema) } },
    responses: {
      200: { description: 'The export, or how many comments were erased', ...json(z.union([privacyExportSchema, privacyErasureSchema])) },
      ...problems(400, 401, 403, 404, 415, 422, 503),
    },
  });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Parley comment-intake', version: '1.0.0', description: 'The public comment API behind the embedded widget.' },
  });
}

export function openApiRoutes(): Router {
  return openApiRoute(buildOpenApiDocument);
}
