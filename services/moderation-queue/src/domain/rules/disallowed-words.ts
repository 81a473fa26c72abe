import type { CandidateComment, Rule } from './rule';
import type { WordMatcher } from '../text/normalise';

/** Where WordPress looks too: the text, the name, the email's domain and the website. */
export function findListedWord(matcher: WordMatcher, comment: CandidateComment): { word: string; field: string } | undefined {
  const fields: [string, string | null][] = [
    ['text', comment.text],
    ['name', comment.author.name],
    ['email domain', comment.author.emailDomain],
    ['website', comment.author.website],
  ];
  for (const [field, value] of fields) {
    const word = value ? matcher.find(value) : undefined;
    if (word) return { word, field };
  }
  return undefined;
}

export const disallowedWords: Rule = ({ comment, policy }) => {
  const hit = findListedWord(policy.disallowed, comment);
  return hit ? { code: 'DISALLOWED_WORD', outcome: 'spam', detail: `"${hit.word}" in ${hit.field}` } : undefined;
};
