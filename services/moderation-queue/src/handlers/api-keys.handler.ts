import type { RequestHandler } from 'express';
import {
  ErrorCode,
  ForbiddenError,
  NotFoundError,
  createApiKeyBodySchema,
  parseOrThrow,
  principalOf,
  type Principal,
} from '@parley/shared';
import { createApiKey, revokeApiKey } from '../domain/api-keys';
import type { UseCaseContext } from '../domain/context';
import { apiKeyRowToView, findApiKeyById, listApiKeys } from '../repositories/api-key.repository';

/** A site-scoped admin manages only keys whose every site it holds itself. */
function covers(p: Principal, sites: string[]): boolean {
  return p.sites.includes('*') || (!sites.includes('*') && sites.every((s) => p.sites.includes(s)));
}

export function apiKeysHandlers(ctx: UseCaseContext) {
  const list: RequestHandler = async (_req, res) => {
    const p = principalOf(res);
    const rows = (await listApiKeys(ctx.db)).filter((r) => covers(p, r.sites));
    res.json({ items: rows.map(apiKeyRowToView) });
  };
  const create: RequestHandler = async (req, res) => {
    const p = principalOf(res);
    const body = parseOrThrow(createApiKeyBodySchema, req.body, 'body');
    if (!covers(p, body.sites)) throw new ForbiddenError('A key can only be made for sites this key may manage.');
    const { key, secret } = await createApiKey(ctx, { keyId: p.keyId }, body);
    res.status(201).setHeader('Cache-Control', 'no-store');
    res.json({ ...key, secret });
  };
  const revoke: RequestHandler = async (req, res) => {
    const p = principalOf(res);
    const id = String(req.params.id);
    const row = /^[0-9a-f-]{36}$/.test(id) ? await findApiKeyById(ctx.db, id) : undefined;
    // A key the caller may not manage is "not found": its existence is not theirs to learn.
    if (!row || !covers(p, row.sites)) throw new NotFoundError('Unknown API key.', ErrorCode.API_KEY_NOT_FOUND);
    res.json(await revokeApiKey(ctx, { keyId: p.keyId }, id));
  };
  return { list, create, revoke };
}
