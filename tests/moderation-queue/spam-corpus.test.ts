import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateClassifier, parseCorpus } from '@parley/moderation-queue';

const corpus = parseCorpus(readFileSync(join(__dirname, '..', 'fixtures', 'spam-corpus.tsv'), 'utf8'));

/** Thresholds of a new site's defaults (policy): held from 0.8, spam from 0.97. */
const HOLD = 0.8;
const SPAM = 0.97;

describe('the spam classifier on the labelled corpus', () => {
  it('when the corpus is read, then it holds a few hundred labelled comments of both kinds', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(250);
    expect(corpus.filter((c) => c.label === 'spam').length).toBeGreaterThanOrEqual(100);
    expect(corpus.filter((c) => c.label === 'ham').length).toBeGreaterThanOrEqual(100);
  });

  it('when a new site has only the built-in prior, then it flags no ordinary comment and catches most spam', () => {
    const held = evaluateClassifier(corpus, HOLD).prior;
    expect(held.precision).toBeGreaterThanOrEqual(0.97);
    expect(held.recall).toBeGreaterThanOrEqual(0.6);
    expect(evaluateClassifier(corpus, SPAM).prior.falsePositiveRate).toBeLessThanOrEqual(0.01);
  });

  it('when it has learnt from moderators’ labels, then precision and recall both rise above 0.9', () => {
    const spam = evaluateClassifier(corpus, SPAM).trained;
    expect(spam.precision).toBeGreaterThanOrEqual(0.95);
    expect(spam.recall).toBeGreaterThanOrEqual(0.9);
  });
});
