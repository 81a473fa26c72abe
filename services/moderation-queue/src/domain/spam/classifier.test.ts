import { DOCS_TOKEN, modelFrom, spamProbability } from './classifier';
import { features } from './features';

const comment = (text: string, website: string | null = null) => ({
  text,
  author: { key: '', name: 'Reader', website, emailDomain: null, emailHash: null, ipHash: '', fingerprint: '' },
  signals: { honeypot: false, elapsedMs: 30_000, formToken: 'valid' as const },
});

describe('the spam classifier', () => {
  it('when a new site scores ordinary discussion and a sales pitch, then the pitch scores far higher', () => {
    const model = modelFrom(new Map());
    const ham = spamProbability(model, features(comment('I disagree with the minister; the evidence in the report points the other way.')));
    const spam = spamProbability(model, features(comment('Cheap viagra, casino bonus, earn money fast http://win.xyz http://deal.top http://bit.ly/x', 'http://win.xyz')));
    expect(ham).toBeLessThan(0.2);
    expect(spam).toBeGreaterThan(0.97);
  });

  it('when a site has labelled a word as spam many times, then comments with it score higher than before', () => {
    const tokens = features(comment('Premium tulip bulbs for your garden'));
    const before = spamProbability(modelFrom(new Map()), tokens);
    const learnt = new Map([[DOCS_TOKEN, { spam: 20, ham: 0 }], ['tulip', { spam: 20, ham: 0 }], ['bulbs', { spam: 20, ham: 0 }]]);
    expect(spamProbability(modelFrom(learnt), tokens)).toBeGreaterThan(before + 0.3);
  });

  it('when only unknown tokens are present, then the score is neutral', () => {
    expect(spamProbability(modelFrom(new Map()), ['zzqx', 'qqvv'])).toBe(0.5);
  });

  it('when features are taken, then words, link hosts and form signals become tokens and nothing personal does', () => {
    const f = features({ ...comment('See https://www.Example.org/page now'), author: { ...comment('').author, emailHash: 'a'.repeat(64) } });
    expect(f).toEqual(expect.arrayContaining(['see', 'now', 'host:example.org', 'tld:org', 'links:1', 'website:no', 'sig:quick']));
    expect(f.join(' ')).not.toContain('a'.repeat(64));
  });
});
