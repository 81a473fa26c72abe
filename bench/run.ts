/**
 * `npm run bench`: runs every benchmark against this machine's Postgres and Redis (loopback only),
 * each beside a baseline measured in the same run, and writes bench/RESULTS.md with the command,
 * the machine and the figures. `npm run bench -- transport` runs only the named sections.
 */
import { execSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { sections } from './sections';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const chosen = sections.filter((s) => only.length === 0 || only.includes(s.id));
  const started = new Date();
  const parts: string[] = [];
  for (const section of chosen) {
    process.stderr.write(`bench: ${section.id}…\n`);
    const body = await section.run();
    parts.push(`## ${section.title}\n\n${body}\n`);
  }
  const out = [
    '# Benchmark results',
    '',
    `Command: \`npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}\` (written by bench/run.ts; edit by running it again).`,
    '',
    machine(started),
    '',
    ...parts,
  ].join('\n');
  writeFileSync(join(__dirname, only.length ? `out-${only.join('-')}.md` : 'RESULTS.md'), out);
  process.stdout.write(out);
}

function machine(at: Date): string {
  const cpu = cpus();
  const pg = safe(() => execSync('psql --version').toString().trim());
  const redis = safe(() => execSync('redis-server --version').toString().split(' ').find((w) => w.startsWith('v='))?.slice(2) ?? '');
  return [
    '| machine | |',
    '| --- | --- |',
    `| run at | ${at.toISOString()} |`,
    `| CPU | ${cpu.length} × ${cpu[0]?.model ?? 'unknown'} |`,
    `| memory | ${(totalmem() / 2 ** 30).toFixed(0)} GiB |`,
    `| load average at start | ${loadavg().map((l) => l.toFixed(2)).join(' / ')} (shared machine: read ratios, not absolutes) |`,
    `| Node.js | ${process.version} |`,
    `| Postgres / Redis | ${pg} / ${redis} (127.0.0.1) |`,
  ].join('\n');
}

function safe(f: () => string): string {
  try {
    return f();
  } catch {
    return 'unknown';
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
