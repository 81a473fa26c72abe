import type { RequestHandler } from 'express';
import type { Kysely } from 'kysely';
import type { ConsentDb } from '../db/tables';
import type { ReceiptSigner } from '../domain/receipt-signer';
import { listSigningKeys } from '../repositories/signing-key.repository';

const REREAD_MS = 60_000;

/**
 * The public keys receipts are signed with, for anyone to verify them: the current key first, then
 * every earlier one (a rotated key stays published, so the receipts it signed keep verifying).
 */
export function jwksHandler(db: Kysely<ConsentDb>, signer: ReceiptSigner): RequestHandler {
  let cached: { at: number; body: string } | undefined;
  return async (_req, res) => {
    if (!cached || Date.now() - cached.at > REREAD_MS) {
      const earlier = (await listSigningKeys(db)).filter((k) => k.kid !== signer.kid);
      cached = { at: Date.now(), body: JSON.stringify({ keys: [signer.jwk, ...earlier] }) };
    }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.type('application/json').send(cached.body);
  };
}
