import type { RequestHandler } from 'express';
import type { ReceiptSigner } from '../domain/receipt-signer';

/** The public keys receipts are signed with, for anyone to verify them. */
export function jwksHandler(signer: ReceiptSigner): RequestHandler {
  return (_req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.json({ keys: [signer.jwk] });
  };
}
