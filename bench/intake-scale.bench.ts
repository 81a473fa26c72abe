/**
 * Does submitting slow down as intake's tables grow? `npx tsx bench/intake-scale.bench.ts`
 * (Postgres via DATABASE_URL, default 127.0.0.1). Measures POST p99 on an empty table, bulk-loads BENCH_SCALE_ROWS
 * comments (default 5,000,000) over 100,000 threads with SQL, then measures again.
 * Target from issue 3: p99 grows by no more than 20%.
 */
import { sql } from 'kysely';
import { CONNECTIONS, startBenchIntake } from './intake-setup';
import { DURATION, cannon, table, type Row } from './load';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 5_000_000);
const CHUNK = 500_000;

/** The section for `npm run bench` (bench/sections.ts): p99 on an empty table and on a full one. */
export async function benchIntakeScale(): Promise<string> {
  const intake = await startBenchIntake();
  const rows: Row[] = [];
  let loadSeconds: number | undefined;
  try {
    await sql`checkpoint`.execute(intake.db.db); // both measurements start from a fresh checkpoint
    rows.push(await cannon('POST comment, empty table', { kind: 'submit', url: intake.url, threads: 200 }, { connections: CONNECTIONS }));
    const started = Date.now();
    for (let from = 0; from < ROWS; from += CHUNK) {
      const to = Math.min(ROWS, from + CHUNK) - 1;
      // Shaped like real rows (hash lengths, statuses, text) so the indexes grow as they would.
      await sql`
        insert into intake.comments (id, site_id, thread_id, parent_id, root_id, depth, status, author_name, author_website,
          email_encrypted, email_hash, email_domain, ip_hash, ip_prefix, fingerprint, author_token_hash, text, signals, created_at, status_changed_at)
        select u, 'bench', 'seed-' || (g % 100000), null, u, 0,
          case when g % 10 < 8 then 'approved' else 'pending' end,
          'Reader ' || g, null, null, md5(g::text) || md5((g + 1)::text), 'example.org',
          md5((g % 50000)::text) || md5('ip'), '203.0.113.0/24', md5(g::text) || md5('fp'), md5(g::text) || md5('tok'),
          'Seeded comment number ' || g || ' with a few words of text.', '{"honeypot":false,"elapsedMs":null,"formToken":"missing"}'::jsonb,
          now() - (${ROWS} - g) * interval '1 second', now()
        from (select g, gen_random_uuid() as u from generate_series(${from}::int, ${to}::int) g) s`.execute(intake.db.db);
    }
    await sql`insert into intake.threads (site_id, id, approved_count) select 'bench', 'seed-' || g, 0 from generate_series(0, 99999) g on conflict do nothing`.execute(intake.db.db);
    await sql`analyze intake.comments`.execute(intake.db.db);
    // The load wrote gigabytes of WAL: let its checkpoint happen now, not during the measurement.
    await sql`checkpoint`.execute(intake.db.db);
    loadSeconds = Math.round((Date.now() - started) / 1000);
    rows.push(await cannon(`POST comment, ${ROWS.toLocaleString('en')} rows`, { kind: 'submit', url: intake.url, threads: 200 }, { connections: CONNECTIONS }));
  } finally {
    await intake.stop();
  }
  const [empty, full] = rows as [Row, Row];
  const growth = ((full.p99 - empty.p99) / Math.max(1, empty.p99)) * 100;
  const p50Growth = ((full.p50 - empty.p50) / Math.max(1, empty.p50)) * 100;
  return [
    `comment-intake scale bench — ${DURATION}s per scenario, ${CONNECTIONS} connections; ${ROWS} rows loaded in ${loadSeconds ?? '?'}s`,
    '',
    ...table(rows),
    '',
    `p99 growth from an empty table to ${ROWS} rows: ${growth.toFixed(0)}% (target ≤ 20%); p50 ${p50Growth.toFixed(0)}%.`,
    'p99 over 10 s on a shared 2-core box swings with checkpoints and neighbours: read it with the p50 and across runs.',
  ].join('\n');
}

if (require.main === module) {
  benchIntakeScale().then(
    (md) => void process.stdout.write(`${md}\n`),
    (err: unknown) => {
      process.stderr.write(`intake scale bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
