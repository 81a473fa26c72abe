import type { Kysely } from 'kysely';
import { siteSettingsSchema, upsertSiteSnapshot, type TenancyReadTables } from '@parley/shared';
import { cookieConsent } from '@parley/cookie-consent';
import { ORIGIN, cannon } from './load';
import { startBenchService } from './scratch';
import { execSync } from 'node:child_process';
const cpu = (n: string) => Number(execSync(`/tmp/tools/cpu.sh ${n}`).toString());
import pg from 'pg';
const counts = new Map<string, number>();
let counting = false;
const orig = pg.Client.prototype.query as any;
(pg.Client.prototype as any).query = function (this: unknown, q: any, ...rest: any[]) {
  if (counting) { const t = (typeof q === 'string' ? q : q?.text ?? q?.name ?? '?').replace(/\s+/g, ' ').slice(0, 90); counts.set(t, (counts.get(t) ?? 0) + 1); }
  return orig.call(this, q, ...rest);
};
(async () => {
  const s = await startBenchService(cookieConsent, 'consent', { CONSENT_RATE_LIMIT_PER_MINUTE: 100_000_000 });
  const sites = Array.from({ length: 16 }, (_, i) => `bench-${i}`);
  for (const id of sites) {
    await upsertSiteSnapshot(s.db.db as Kysely<TenancyReadTables>, 'consent', { id, name: id, allowedOrigins: [ORIGIN], settings: siteSettingsSchema.parse({}), status: 'active', version: 1, updatedAt: new Date().toISOString() });
    await fetch(`${s.url}/v1/sites/${id}/consent/config`);
  }
  await cannon('warm', { kind: 'consent', url: s.url, sites }, { connections: 64, duration: 3 });
  const sitesUsed = process.env.ONE ? [sites[0]!] : sites;
  const [pg0, rd0] = [cpu('postgres'), cpu('redis-server')];
  counting = true;
  const r = await cannon('POST', { kind: 'consent', url: s.url, sites: sitesUsed }, { connections: 64, duration: 10 });
  counting = false;
  const [pg1, rd1] = [cpu('postgres'), cpu('redis-server')];
  const n = r.rps * 10;
  console.log(JSON.stringify(r), 'postgres µs/req', Math.round(((pg1 - pg0) * 1e4) / n), 'redis µs/req', Math.round(((rd1 - rd0) * 1e4) / n));
  for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(String(v).padStart(7), (v / (r.rps * 10)).toFixed(3), k);
  await s.stop();
  process.exit(0);
})();
