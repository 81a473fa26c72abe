import type { RequestHandler, Response } from 'express';
import { NotFoundError, banBodySchema, parseOrThrow, principalOf, siteOf } from '@parley/shared';
import { banAuthor, trustAuthor, unbanAuthor, viewAuthor } from '../domain/authors';
import type { UseCaseContext } from '../domain/context';

function authorKeyOf(param: unknown): string {
  const key = String(param);
  if (!/^[0-9a-f]{64}$/.test(key)) throw new NotFoundError('Unknown author.');
  return key;
}

const actorOf = (res: Response) => ({ keyId: principalOf(res).keyId });

export function authorsHandlers(ctx: UseCaseContext) {
  const get: RequestHandler = async (req, res) => {
    res.json(await viewAuthor(ctx, siteOf(res).id, authorKeyOf(req.params.author)));
  };
  const ban: RequestHandler = async (req, res) => {
    const key = authorKeyOf(req.params.author);
    const body = parseOrThrow(banBodySchema, req.body, 'body');
    res.status(201).json(await banAuthor(ctx, actorOf(res), siteOf(res).id, key, body));
  };
  const unban: RequestHandler = async (req, res) => {
    await unbanAuthor(ctx, actorOf(res), siteOf(res).id, authorKeyOf(req.params.author));
    res.status(204).end();
  };
  const trust: RequestHandler = async (req, res) => {
    await trustAuthor(ctx, actorOf(res), siteOf(res).id, authorKeyOf(req.params.author), true);
    res.status(204).end();
  };
  const distrust: RequestHandler = async (req, res) => {
    await trustAuthor(ctx, actorOf(res), siteOf(res).id, authorKeyOf(req.params.author), false);
    res.status(204).end();
  };
  return { get, ban, unban, trust, distrust };
}
