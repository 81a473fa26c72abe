import type { RequestHandler } from 'express';
import { moderationSettingsBodySchema, parseOrThrow, principalOf, siteOf, wordListsBodySchema } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { getModerationSettings, getWordLists, replaceModerationSettings, replaceWordLists } from '../domain/policy';

export function policyHandlers(ctx: UseCaseContext) {
  const getWords: RequestHandler = async (_req, res) => {
    const lists = await getWordLists(ctx, siteOf(res).id);
    res.setHeader('ETag', `"${lists.version}"`).json(lists);
  };
  const putWords: RequestHandler = async (req, res) => {
    const body = parseOrThrow(wordListsBodySchema, req.body, 'body');
    res.json(await replaceWordLists(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, body));
  };
  const getSettings: RequestHandler = async (_req, res) => {
    res.json(await getModerationSettings(ctx, siteOf(res).id));
  };
  const putSettings: RequestHandler = async (req, res) => {
    const body = parseOrThrow(moderationSettingsBodySchema, req.body, 'body');
    res.json(await replaceModerationSettings(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, body));
  };
  return { getWords, putWords, getSettings, putSettings };
}
