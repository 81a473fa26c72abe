import { findListedWord } from './disallowed-words';
import type { Rule } from './rule';

export const suspectWords: Rule = ({ comment, policy }) => {
  const hit = findListedWord(policy.suspect, comment);
  return hit ? { code: 'SUSPECT_WORD', outcome: 'held', detail: `"${hit.word}" in ${hit.field}` } : undefined;
};
