import { hash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal content always hashes equally whatever
 * order a client or jsonb gave the keys in. Keys whose value is undefined are left out, as
 * JSON.stringify does. (Written as loops: it runs twice per consent record.)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += canonicalJson(value[i]) ?? '';
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** SHA-256 in hex (the one-shot `crypto.hash`: half the cost of a Hash object for short inputs). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}
