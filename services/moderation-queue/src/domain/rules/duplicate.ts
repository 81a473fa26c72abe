import type { Rule } from './rule';

export const duplicate: Rule = ({ duplicateOf }) =>
  duplicateOf ? { code: 'DUPLICATE', outcome: 'rejected', detail: `same text as the author's recent comment ${duplicateOf}` } : undefined;
