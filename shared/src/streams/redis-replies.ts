/**
 * Reply parsing for the stream commands. ioredis 6 speaks RESP3, where XREADGROUP answers a map
 * and XINFO answers maps: depending on the command method (`xreadgroup` vs `call`) and the
 * `replyMapping` option those arrive as nested pairs, flat `[key, value, …]` arrays or objects.
 * Every parser here accepts all three, so a client option change cannot silently drop messages.
 */

export interface StreamEntry {
  id: string;
  /** Field → value; undefined when the entry was deleted (trimmed) while still pending. */
  fields: Record<string, string> | undefined;
}

/** The entries of the one stream an XREAD/XREADGROUP asked for. */
export function parseReadReply(reply: unknown): StreamEntry[] {
  if (reply == null) return [];
  if (Array.isArray(reply)) {
    if (reply.length === 0) return [];
    // Flattened map: [key, entries].
    if (!Array.isArray(reply[0])) return parseEntries(reply[1]);
    // RESP2 shape: [[key, entries], …].
    return parseEntries((reply[0] as unknown[])[1]);
  }
  if (typeof reply === 'object') return parseEntries(Object.values(reply)[0]);
  return [];
}

export function parseEntries(value: unknown): StreamEntry[] {
  if (!Array.isArray(value)) return [];
  const out: StreamEntry[] = [];
  for (const item of value) {
    if (!Array.isArray(item) || item.length < 1) continue;
    out.push({ id: String(item[0]), fields: item[1] == null ? undefined : toStringRecord(item[1]) });
  }
  return out;
}

/** XAUTOCLAIM: `[next cursor, entries, deleted ids]`. */
export function parseAutoClaimReply(reply: unknown): { cursor: string; entries: StreamEntry[]; deleted: string[] } {
  if (!Array.isArray(reply)) return { cursor: '0-0', entries: [], deleted: [] };
  const deleted = Array.isArray(reply[2]) ? reply[2].map(String) : [];
  return { cursor: String(reply[0] ?? '0-0'), entries: parseEntries(reply[1]), deleted };
}

/** XPENDING's extended form: `[[id, consumer, idle ms, times delivered], …]`, as id → times delivered. */
export function parsePendingCounts(reply: unknown): Map<string, number> {
  const counts = new Map<string, number>();
  if (!Array.isArray(reply)) return counts;
  for (const row of reply) {
    if (Array.isArray(row) && row.length >= 4) counts.set(String(row[0]), Number(row[3]));
  }
  return counts;
}

export interface GroupInfo {
  name: string;
  pending: number;
  lastDeliveredId: string;
  /** Redis 7+; null when Redis cannot tell (after deletions) or on older servers. */
  lag: number | null;
}

/** XINFO GROUPS: one map per group. */
export function parseGroupsReply(reply: unknown): GroupInfo[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((item) => {
    const r = toRecord(item);
    const lag = r.lag;
    return {
      name: String(r.name ?? ''),
      pending: Number(r.pending ?? 0),
      lastDeliveredId: String(r['last-delivered-id'] ?? '0-0'),
      lag: lag === null || lag === undefined ? null : Number(lag),
    };
  });
}

function toRecord(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) {
    const r: Record<string, unknown> = {};
    for (let i = 0; i + 1 < value.length; i += 2) r[String(value[i])] = value[i + 1];
    return r;
  }
  if (value instanceof Map) return Object.fromEntries(value);
  if (value && typeof value === 'object') return value as Record<string, unknown>;
  return {};
}

function toStringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(toRecord(value))) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
}

/** XPENDING's summary form: `[count, smallest id, greatest id, consumers]`; the smallest id, if any. */
export function parseOldestPending(reply: unknown): string | undefined {
  return Array.isArray(reply) && Number(reply[0]) > 0 && reply[1] != null ? String(reply[1]) : undefined;
}

/** Stream ids (`<ms>-<seq>`) in order; the parts are compared as integers. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as = '0'] = a.split('-');
  const [bm, bs = '0'] = b.split('-');
  const d = BigInt(am ?? '0') - BigInt(bm ?? '0') || BigInt(as) - BigInt(bs);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** The id right after `id`: what `XTRIM … MINID` keeps once a group has read `id`. */
export function nextStreamId(id: string): string {
  const [ms, seq = '0'] = id.split('-');
  return `${ms}-${BigInt(seq) + 1n}`;
}
