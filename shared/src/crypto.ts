import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';

/**
 * Random bytes from the CSPRNG, drawn 4 KiB at a time: a hot path needs several small draws (a
 * token, IVs), and one call per draw costs more than the draw. Every byte is handed out once; a
 * slice stays valid because a used-up pool is replaced, never refilled in place.
 */
let pool = Buffer.alloc(0);
let poolOffset = 0;
export function randomSlice(n: number): Buffer {
  if (poolOffset + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(4096));
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return slice;
}

/** AES-256-GCM for personal data and secrets at rest: version byte, IV, tag, ciphertext. */
export function sealText(key: KeyObject, plain: string): Buffer {
  const iv = randomSlice(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]); // 1 = format version
}

/** Opens what `sealText` sealed with the same key; throws if it was altered or sealed with another. */
export function openText(key: KeyObject, sealed: Buffer): string {
  if (sealed[0] !== 1) throw new Error('unknown encryption format');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
  decipher.setAuthTag(sealed.subarray(13, 29));
  return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
}
