/**
 * Spam classifier quality on the labelled corpus (`tests/fixtures/spam-corpus.tsv`):
 *   npx tsx bench/moderation-spam.bench.ts
 * Precision and recall at the default thresholds (held from 0.8, spam from 0.97), with the
 * built-in prior only (a new site) and after learning from moderators' labels (two-fold).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateClassifier, parseCorpus, type Scores } from '@parley/moderation-queue';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const row = (model: string, threshold: number, s: Scores) =>
  `| ${model} | ≥ ${threshold} | ${pct(s.precision)} | ${pct(s.recall)} | ${pct(s.falsePositiveRate)} | ${s.tp} / ${s.fp} / ${s.fn} / ${s.tn} |`;

/** The precision/recall table (markdown). */
export function benchSpamClassifier(): string {
  const corpus = parseCorpus(readFileSync(join(__dirname, '..', 'tests', 'fixtures', 'spam-corpus.tsv'), 'utf8'));
  const lines = [
    `Spam classifier on ${corpus.length} labelled comments (${corpus.filter((c) => c.label === 'spam').length} spam)`,
    '',
    '| model | score | precision | recall | ham flagged | tp / fp / fn / tn |',
    '|---|---|---|---|---|---|',
  ];
  for (const threshold of [0.8, 0.97]) {
    const r = evaluateClassifier(corpus, threshold);
    lines.push(row('built-in prior (new site)', threshold, r.prior), row('prior + site labels (2-fold)', threshold, r.trained));
  }
  return lines.join('\n');
}

if (require.main === module) process.stdout.write(`${benchSpamClassifier()}\n`);
