import { SPAM_DOCS_TOKEN } from '../../db/tables';
import { PRIOR_DOCS, PRIOR_TOKENS } from './prior';

export interface TokenCounts {
  spam: number;
  ham: number;
}

/** A site's learnt counts over the built-in prior: documents per class and, per token, documents holding it. */
export interface SpamModel {
  spamDocs: number;
  hamDocs: number;
  counts: Pick<ReadonlyMap<string, TokenCounts>, 'get'>;
}

/** The key under which a site's per-class document totals are stored beside its tokens. */
export const DOCS_TOKEN = SPAM_DOCS_TOKEN;
const PRIOR: ReadonlyMap<string, TokenCounts> = new Map(Object.entries(PRIOR_TOKENS).map(([t, [spam, ham]]) => [t, { spam, ham }]));
/** Laplace smoothing. */
const ALPHA = 1;
/** Only the most telling tokens vote (as in Graham's filter): long comments do not drown in neutral words. */
const TOP_TOKENS = 24;
/** No single token may swing the odds by more than e^3. */
const MAX_WEIGHT = 3;

/** The model from a site's rows (token → counts, with DOCS_TOKEN holding the totals) plus the prior. */
export function modelFrom(siteCounts: ReadonlyMap<string, TokenCounts>): SpamModel {
  const docs = siteCounts.get(DOCS_TOKEN) ?? { spam: 0, ham: 0 };
  // The prior is shared; only the site's tokens are added (a copy of the whole prior per model cost more than scoring).
  const counts = {
    get(t: string): TokenCounts | undefined {
      const p = PRIOR.get(t);
      const c = t === DOCS_TOKEN ? undefined : siteCounts.get(t);
      return p && c ? { spam: p.spam + c.spam, ham: p.ham + c.ham } : (p ?? c);
    },
  };
  return { spamDocs: PRIOR_DOCS.spam + docs.spam, hamDocs: PRIOR_DOCS.ham + docs.ham, counts };
}

/**
 * Naive Bayes over token presence: P(spam | tokens) from per-class token frequencies, with
 * Laplace smoothing, equal class priors (a site's spam share says little about one comment), and
 * the strongest TOP_TOKENS tokens only. Tokens never seen are neutral.
 */
export function spamProbability(model: SpamModel, tokens: readonly string[]): number {
  const weights: number[] = [];
  const s = model.spamDocs + 2 * ALPHA;
  const h = model.hamDocs + 2 * ALPHA;
  for (const t of tokens) {
    const c = model.counts.get(t);
    if (!c || c.spam + c.ham === 0) continue;
    const w = Math.log((c.spam + ALPHA) / s) - Math.log((c.ham + ALPHA) / h);
    weights.push(Math.max(-MAX_WEIGHT, Math.min(MAX_WEIGHT, w)));
  }
  weights.sort((a, b) => Math.abs(b) - Math.abs(a));
  const logit = weights.slice(0, TOP_TOKENS).reduce((a, b) => a + b, 0);
  return 1 / (1 + Math.exp(-logit));
}
