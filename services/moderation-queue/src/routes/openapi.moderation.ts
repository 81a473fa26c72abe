import { z } from 'zod';
import {
  authorViewSchema,
  banBodySchema,
  bulkDecisionBodySchema,
  bulkDecisionResultSchema,
  decisionBodySchema,
  jsonContent as json,
  moderationCommentSchema,
  moderationSettingsBodySchema,
  queueCountsSchema,
  queueItemSchema,
  queuePageSchema,
  queueQuerySchema,
  siteIdSchema,
  siteStatsSchema,
  statsQuerySchema,
  webhookBodySchema,
  wordListsBodySchema,
} from '@parley/shared';
import { auditQuerySchema, threadParamsSchema } from '../handlers/threads.handler';
import type { DocumentRoute, RouteDoc } from './openapi.routes';

/**
 * The moderators' API of moderation.routes.ts. Every route is scoped to `{site}`: an unknown site
 * is 404, a key not holding it 403 (as is a moderator key on an admin route).
 */
export function documentModerationRoutes(doc: DocumentRoute): void {
  const base = '/v1/sites/{site}';
  const site = z.object({ site: siteIdSchema });
  const scoped = (role: RouteDoc['role'], route: Omit<RouteDoc, 'tag' | 'role'>) =>
    doc({ ...route, tag: 'moderators', role, params: route.params ?? site, problems: [403, 404, ...(route.problems ?? [])] });
  const any = (route: Omit<RouteDoc, 'tag' | 'role'>) => scoped('moderator or admin', route);
  const admin = (route: Omit<RouteDoc, 'tag' | 'role'>) => scoped('admin', route);
  // A malformed comment id, author key or webhook id is the same 404 as an unknown one.
  const comment = site.extend({ id: z.uuid() });
  const author = site.extend({ author: authorViewSchema.shape.key });
  const thread = site.extend(threadParamsSchema.shape);
  const webhook = site.extend({ id: z.uuid() });
  const etag = z.object({ ETag: z.string() });
  const done = { 204: { description: 'Done' } };

  any({ method: 'get', path: `${base}/queue`, summary: 'The queue: one state (or `reported`), filtered, newest or oldest first, keyset-paginated', query: queueQuerySchema, ok: { 200: { description: 'One page', ...json(queuePageSchema) } }, problems: [400] });
  any({ method: 'get', path: `${base}/queue/counts`, summary: 'How many comments are in each queue state', ok: { 200: { description: 'Counts', ...json(queueCountsSchema) } } });
  any({
    method: 'get',
    path: `${base}/queue/live`,
    summary: "Server-sent events of the site's queue",
    description:
      'One event per committed state change: `entered`, `left` or `changed`, each with data `{commentId, threadId, from, to, at}`. ' +
      'Heartbeat comments keep idle streams open; on shutdown the stream ends and the client reconnects (`retry: 5000`).',
    ok: { 200: { description: 'An event stream', content: { 'text/event-stream': { schema: z.string() } } } },
  });
  any({ method: 'get', path: `${base}/comments/{id}`, summary: 'One comment with its full history (verdicts, reports, decisions)', params: comment, ok: { 200: { description: 'The comment', ...json(moderationCommentSchema) } } });
  any({
    method: 'post',
    path: `${base}/comments/{id}/decisions`,
    summary: 'Decide one comment: approve, reject, spam, remove or restore',
    description: 'A current state other than `expectedState` is 409 with the current state; an action the state does not allow is 422.',
    params: comment,
    body: decisionBodySchema,
    ok: { 200: { description: 'The comment after the decision', ...json(queueItemSchema) } },
    problems: [409],
  });
  any({ method: 'post', path: `${base}/decisions`, summary: 'Decide up to 500 comments at once, with an outcome per item', body: bulkDecisionBodySchema, ok: { 200: { description: 'A result per item', ...json(bulkDecisionResultSchema) } } });
  any({ method: 'get', path: `${base}/authors/{author}`, summary: "An author's comments, trust and ban", params: author, ok: { 200: { description: 'The author', ...json(authorViewSchema) } } });
  any({ method: 'put', path: `${base}/authors/{author}/ban`, summary: 'Ban an author, optionally until a time and rejecting their waiting comments', params: author, body: banBodySchema, ok: { 201: { description: 'Banned; `{rejected}` counts the waiting comments rejected' } } });
  any({ method: 'delete', path: `${base}/authors/{author}/ban`, summary: 'Lift the ban (404 when there is none)', params: author, ok: done });
  any({ method: 'put', path: `${base}/authors/{author}/trust`, summary: 'Trust an author: later comments skip first-time moderation', params: author, ok: done });
  any({ method: 'delete', path: `${base}/authors/{author}/trust`, summary: 'Stop trusting an author', params: author, ok: done });
  any({ method: 'get', path: `${base}/word-lists`, summary: 'Disallowed and suspect words, with their version', ok: { 200: { description: 'The word lists', headers: etag, ...json(wordListsBodySchema) } } });
  any({
    method: 'put',
    path: `${base}/word-lists`,
    summary: 'Replace the word lists (body up to 1 MB); a version other than the current one is 409',
    body: wordListsBodySchema,
    ok: { 200: { description: 'The word lists, with the next version', ...json(wordListsBodySchema) } },
    problems: [409],
  });
  any({ method: 'get', path: `${base}/moderation-settings`, summary: 'Mode, limits and spam thresholds, with their version', ok: { 200: { description: 'The settings', ...json(moderationSettingsBodySchema) } } });
  admin({
    method: 'put',
    path: `${base}/moderation-settings`,
    summary: 'Replace the moderation settings; a version other than the current one is 409',
    body: moderationSettingsBodySchema,
    ok: { 200: { description: 'The settings, with the next version', ...json(moderationSettingsBodySchema) } },
    problems: [409],
  });
  admin({ method: 'get', path: `${base}/webhooks`, summary: "The site's webhooks (without secrets)", ok: { 200: { description: '`{items: [{id, url, events, active, createdAt}]}`' } } });
  admin({ method: 'post', path: `${base}/webhooks`, summary: 'Register a signed webhook; its signing secret is returned here only', body: webhookBodySchema, ok: { 201: { description: 'The webhook, with `secret`' } } });
  admin({ method: 'delete', path: `${base}/webhooks/{id}`, summary: 'Remove a webhook', params: webhook, ok: done });
  any({ method: 'get', path: `${base}/stats`, summary: 'Counts per state per day, median time to a human decision, automated vs human', query: statsQuerySchema, ok: { 200: { description: 'Statistics', ...json(siteStatsSchema) } }, problems: [400] });
  any({ method: 'put', path: `${base}/threads/{thread}/closed`, summary: 'Close a thread: new comments are rejected', params: thread, ok: { 200: { description: '`{threadId, closedAt}`' } }, problems: [400] });
  any({ method: 'delete', path: `${base}/threads/{thread}/closed`, summary: 'Reopen a thread', params: thread, ok: { 200: { description: '`{threadId, closedAt: null}`' } }, problems: [400] });
  admin({
    method: 'get',
    path: `${base}/audit`,
    summary: 'Every moderator and admin action: key, time, target, before and after; newest first, keyset-paginated',
    query: auditQuerySchema,
    ok: { 200: { description: '`{items: [{id, keyId, action, target, before, after, at}], nextCursor}`' } },
    problems: [400],
  });
}
