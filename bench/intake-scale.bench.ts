/**
 * Does submitting slow down as intake's tables grow? `npx tsx bench/intake-scale.bench.ts`
 * (Postgres via DATABASE_URL, default 127.0.0.1). Two intakes, each in a scratch database of its own:
 * one stays (nearly) empty, the other gets BENCH_SCALE_ROWS comments (default 5,000,000) over 100,000
 * threads, bulk-loaded with SQL. Then the two are measured in turn, BENCH_SCALE_ROUNDS times each
 * (default 3), so both see the same minutes of a shared machine, and the medians are compared.
 * Target from issue 3: p99 grows by no more than 20%.
 */
import { sql } from 'kysely';
import { CONNECTIONS, startBenchIntake } from './intake-setup';
import { DURATION, cannon, table, type Row } from './load';

const ROWS = Number(process.env.BENCH_SCALE_ROWS ?? 5_000_000);
const CHUNK = 500_000;

const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The section for `npm run bench` (bench/sections.ts): p99 on an empty table and on a full one. */
export async function benchIntakeScale(): Promise<string> {
  const empty = await startBenchIntake();
  const full = await startBenchIntake();
  const rows: Row[] = [];
  let loadSeconds: number | undefined;
  try {
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
        from (select g, gen_random_uuid() as u from generate_series(${from}::int, ${to}::int) g) s`.execute(full.db.db);
    }
    await sql`insert into intake.threads (site_id, id, approved_count) select 'bench', 'seed-' || g, 0 from generate_series(0, 99999) g on conflict do nothing`.execute(full.db.db);
    await sql`analyze intake.comments`.execute(full.db.db);
    // The load wrote gigabytes of WAL: let its checkpoint happen now, not during the measurement.
    await sql`checkpoint`.execute(full.db.db);
    loadSeconds = Math.round((Date.now() - started) / 1000);
    const load = (url: string) => ({ kind: 'submit' as const, url, threads: 200 });
    for (let round = 1; round <= ROUNDS; round++) {
      rows.push(await cannon(`POST comment, empty table (round ${round})`, load(empty.url), { connections: CONNECTIONS }));
      rows.push(await cannon(`POST comment, ${ROWS.toLocaleString('en')} rows (round ${round})`, load(full.url), { connections: CONNECTIONS }));
    }
  } finally {
    await empty.stop();
    await full.stop();
  }
  const of = (i: number) => rows.filter((_, n) => n % 2 === i);
  const [e99, f99] = [median(of(0).map((r) => r.p99)), median(of(1).map((r) => r.p99))];
  const [e50, f50] = [median(of(0).map((r) => r.p50)), median(of(1).map((r) => r.p50))];
  const growth = ((f99 - e99) / Math.max(1, e99)) * 100;
  const p50Growth = ((f50 - e50) / Math.max(1, e50)) * 100;
  return [
    `comment-intake scale bench — ${DURATION}s per scenario, ${CONNECTIONS} connections; ${ROWS} rows loaded in ${loadSeconds ?? '?'}s; the two tables measured in turn, ${ROUNDS} rounds`,
    '',
    ...table(rows),
    '',
    `Median p99: empty ${e99} ms, ${ROWS} rows ${f99} ms — growth ${growth.toFixed(0)}% (target ≤ 20%); median p50 ${e50} → ${f50} ms (${p50Growth.toFixed(0)}%).`,
    'The "empty" table holds what the rounds before added (tens of thousands of comments at most).',
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
