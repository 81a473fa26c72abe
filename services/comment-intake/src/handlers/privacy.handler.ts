import type { RequestHandler } from 'express';
import { parseOrThrow, principalOf, privacyRequestBodySchema, siteOf } from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { erasePersonalData, exportPersonalData } from '../domain/personal-data';
import { authorToken, commentId } from './comments.handler';

/** Export and erasure of one person's data (DESIGN §7): by an operator, and by a reader. */
export function privacyHandlers(ctx: IntakeContext) {
  /** An admin key of the site names the person by email. */
  const operatorRequest: RequestHandler = async (req, res) => {
    const body = parseOrThrow(privacyRequestBodySchema, req.body, 'body');
    const subject = { site: siteOf(res).id, email: body.email, requestedBy: { kind: 'operator' as const, keyId: principalOf(res).keyId } };
    const result = body.kind === 'export' ? await exportPersonalData(ctx, subject) : await erasePersonalData(ctx, subject);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(result);
  };

  /** A reader exports or erases a comment of theirs with its author token, whenever they like. */
  const readerRequest =
    (kind: 'export' | 'erase'): RequestHandler =>
    async (req, res) => {
      const subject = {
        site: siteOf(res).id,
        comment: { id: commentId(req), authorToken: authorToken(req) ?? '' },
        requestedBy: { kind: 'author' as const, keyId: null },
      };
      const result = kind === 'export' ? await exportPersonalData(ctx, subject) : await erasePersonalData(ctx, subject);
      res.setHeader('Cache-Control', 'private, no-store');
      res.json(result);
    };

  return { operatorRequest, readerExport: readerRequest('export'), readerErase: readerRequest('erase') };
}
