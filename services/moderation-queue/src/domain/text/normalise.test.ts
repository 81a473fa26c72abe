import { fold, hostOf, links, textHash, wordMatcher } from './normalise';

describe('text normalisation', () => {
  it('when text differs only in case, accents, spacing and punctuation, then its hash is the same', () => {
    expect(textHash('Café  au LAIT!')).toBe(textHash('cafe au lait'));
    expect(textHash('cafe au lait')).not.toBe(textHash('cafe au the'));
  });
  it('when folding, then accents and case go', () => {
    expect(fold('ÉCOLE Straße')).toBe('ecole straße');
  });
  it('when a text holds links, then each is found with its host', () => {
    const found = links('go to https://www.Example.org/a?b=1, or www.other.net.');
    expect(found).toHaveLength(2);
    expect(found.map(hostOf)).toEqual(['example.org', 'other.net']);
  });
  it('when the list is empty, then nothing matches', () => {
    expect(wordMatcher([]).find('anything')).toBeUndefined();
  });
});
