import { DOCS_TOKEN, modelFrom, spamProbability, type TokenCounts } from './classifier';
import { features } from './features';

export interface LabelledComment {
  label: 'spam' | 'ham';
  website: string | null;
  text: string;
}

export interface Scores {
  precision: number;
  recall: number;
  /** Ham wrongly caught, as a share of all ham. */
  falsePositiveRate: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** `label<TAB>website<TAB>text` lines; `#` lines are comments; website `-` means none. */
export function parseCorpus(tsv: string): LabelledComment[] {
  return tsv
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [label, website, ...text] = l.split('\t');
      if (label !== 'spam' && label !== 'ham') throw new Error(`bad corpus line: ${l.slice(0, 60)}`);
      return { label, website: website && website !== '-' ? website : null, text: text.join('\t') };
    });
}

/** Form signals held neutral, so the figures measure the text and links only. */
function tokensOf(c: LabelledComment): string[] {
  return features({
    text: c.text,
    author: { key: '', name: 'Reader', website: c.website, emailDomain: null, emailHash: null, ipHash: '', fingerprint: '' },
    signals: { honeypot: false, elapsedMs: 30_000, formToken: 'valid' },
  });
}

function train(docs: readonly LabelledComment[]): Map<string, TokenCounts> {
  const counts = new Map<string, TokenCounts>();
  const add = (t: string, label: 'spam' | 'ham') => {
    const c = counts.get(t) ?? { spam: 0, ham: 0 };
    c[label] += 1;
    counts.set(t, c);
  };
  for (const d of docs) {
    add(DOCS_TOKEN, d.label);
    for (const t of new Set(tokensOf(d))) add(t, d.label);
  }
  return counts;
}

function score(docs: readonly LabelledComment[], probabilities: readonly number[], threshold: number): Scores {
  let tp = 0, fp = 0, fn = 0, tn = 0;
  docs.forEach((d, i) => {
    const flagged = probabilities[i]! >= threshold;
    if (flagged && d.label === 'spam') tp++;
    else if (flagged) fp++;
    else if (d.label === 'spam') fn++;
    else tn++;
  });
  return { precision: tp + fp ? tp / (tp + fp) : 1, recall: tp + fn ? tp / (tp + fn) : 1, falsePositiveRate: fp + tn ? fp / (fp + tn) : 0, tp, fp, fn, tn };
}

/**
 * Precision and recall at a threshold: with the built-in prior only (a new site), and after
 * learning from moderators' labels (two-fold: train on one half, test on the other, both ways).
 */
export function evaluateClassifier(docs: readonly LabelledComment[], threshold: number): { prior: Scores; trained: Scores } {
  const prior = modelFrom(new Map());
  const priorP = docs.map((d) => spamProbability(prior, tokensOf(d)));
  const halves = [docs.filter((_, i) => i % 2 === 0), docs.filter((_, i) => i % 2 === 1)];
  const ordered: LabelledComment[] = [];
  const trainedP: number[] = [];
  for (const [k, test] of halves.entries()) {
    const model = modelFrom(train(halves[1 - k]!));
    for (const d of test) {
      ordered.push(d);
      trainedP.push(spamProbability(model, tokensOf(d)));
    }
  }
  return { prior: score(docs, priorP, threshold), trained: score(ordered, trainedP, threshold) };
}
