import { buildCandidate, buildRuleInput } from '../../../test/support/rule-input';
import { disallowedWords } from './disallowed-words';

describe('disallowedWords', () => {
  const withText = (text: string, disallowed = ['viagra', 'cheap pills']) => buildRuleInput({ disallowed, comment: { text } });

  it('when no listed word appears, then it does not fire', () => {
    expect(disallowedWords(withText('A calm and reasoned reply.'))).toBeUndefined();
  });
  it('when a listed word appears in any case or with accents, then DISALLOWED_WORD marks spam', () => {
    expect(disallowedWords(withText('Buy VIÁGRA now'))).toMatchObject({ code: 'DISALLOWED_WORD', outcome: 'spam', detail: '"viagra" in text' });
  });
  it('when a listed word is only part of a longer word, then it does not fire (whole words only)', () => {
    expect(disallowedWords(withText('The class assessed it', ['ass']))).toBeUndefined();
  });
  it('when a listed phrase appears across punctuation, then it fires', () => {
    expect(disallowedWords(withText('so... cheap -- pills!'))?.detail).toBe('"cheap pills" in text');
  });
  it('when a listed word is in the name, email domain or website, then it fires and names the field', () => {
    const author = buildCandidate().author;
    const name = buildRuleInput({ disallowed: ['casino'], comment: { author: { ...author, name: 'Best Casino' } } });
    expect(disallowedWords(name)?.detail).toBe('"casino" in name');
    const domain = buildRuleInput({ disallowed: ['casino'], comment: { author: { ...author, emailDomain: 'casino.example' } } });
    expect(disallowedWords(domain)?.detail).toBe('"casino" in email domain');
    const url = buildRuleInput({ disallowed: ['casino'], comment: { author: { ...author, website: 'https://win.casino.example/x' } } });
    expect(disallowedWords(url)?.detail).toBe('"casino" in website');
  });
});
