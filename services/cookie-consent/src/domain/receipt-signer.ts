import { createHash, createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';

export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

export interface ReceiptSigner {
  kid: string;
  jwk: PublicJwk;
  /**
   * A JWS in compact serialisation over the JSON of `claims` (EdDSA, Ed25519), signed on the calling
   * thread: on libuv's thread pool each signature cost a third more CPU (a job, two thread wake-ups)
   * and on a 2-core box that CPU is taken from Postgres or the event loop anyway (ADR 0019).
   */
  sign(claims: Record<string, unknown>): string;
}

// DER prefix of a PKCS#8 Ed25519 private key (RFC 8410): the 32-byte seed follows it.
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** Builds the signer from a 32-byte seed in hex; the key id is the RFC 7638 thumbprint of the public key. */
export function createReceiptSigner(seedHex: string): ReceiptSigner {
  const seed = Buffer.from(seedHex, 'hex');
  if (seed.length !== 32) throw new Error('the receipt signing key must be 32 bytes');
  const privateKey: KeyObject = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const x = (createPublicKey(privateKey).export({ format: 'jwk' }) as { x: string }).x;
  const kid = b64url(createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest());
  const header = b64url(JSON.stringify({ alg: 'EdDSA', kid, typ: 'consent-receipt+jwt' }));
  return {
    kid,
    jwk: { kty: 'OKP', crv: 'Ed25519', x, kid, use: 'sig', alg: 'EdDSA' },
    sign(claims) {
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      return `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`;
    },
  };
}
