import { randomBytes, randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids made in one process are
 * strictly increasing (a 12-bit counter in rand_a covers ids made within one millisecond), so they
 * sort by creation time, which keeps B-tree inserts and keyset pagination cheap.
 */
export function uuidv7(now: number = Date.now()): string {
  if (now > lastMs) {
    lastMs = now;
    seq = randomBytes(2).readUInt16BE(0) & 0x3ff; // start low so the counter rarely overflows
  } else {
    seq += 1;
    if (seq > 0xfff) {
      lastMs += 1; // borrow the next millisecond rather than repeat an id
      seq = 0;
    }
  }
  const b = Buffer.alloc(16);
  b.writeUIntBE(lastMs, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  takeRandom(b, 8);
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The largest Unix millisecond a UUIDv7 holds (48 bits). */
const MAX_MS = 2 ** 48 - 1;

/**
 * The smallest UUIDv7 of millisecond `ms`: its time, then version 7, the variant bits and zeros.
 * Every UUIDv7 made earlier sorts below it and every one made at `ms` or later at or above it, as
 * Postgres compares uuids (byte by byte) and as lowercase strings compare. So `id < uuidv7Floor(t)`
 * is "made before t" read off a primary key, with no index on a time column. (`uuidv7` never goes
 * back in time; when 4,096 ids fall in one millisecond it borrows the next, so an id may be a
 * millisecond younger than its record, never older.)
 */
export function uuidv7Floor(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_MS) throw new RangeError(`not a UUIDv7 time: ${ms}`);
  const h = ms.toString(16).padStart(12, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-7000-8000-000000000000`;
}

/** The lowest uuid: where a scan of a UUIDv7 key from the first row starts (`id > NIL_UUID`). */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';

/** Random bytes drawn 4 KiB at a time: one call to the CSPRNG per id cost more than the rest of uuidv7. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function takeRandom(target: Buffer, offset: number): void {
  if (poolAt + 8 > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(target, offset, poolAt, poolAt + 8);
  poolAt += 8;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
