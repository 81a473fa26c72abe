/**
 * The built-in prior: what a new site knows before its moderators have labelled anything.
 * Pseudo-counts out of PRIOR_DOCS documents per class, written by hand from general knowledge of
 * comment spam (sales pitches, money, links, bots' form behaviour) and of ordinary discussion.
 * A site's own labels add to these and soon outweigh them.
 */
export const PRIOR_DOCS = { spam: 40, ham: 40 } as const;

const spammy = (n: number, words: string) => Object.fromEntries(words.split(/\s+/).filter(Boolean).map((w) => [w, [n, 0] as const]));
const hammy = (n: number, words: string) => Object.fromEntries(words.split(/\s+/).filter(Boolean).map((w) => [w, [0, n] as const]));

export const PRIOR_TOKENS: Record<string, readonly [spam: number, ham: number]> = {
  ...spammy(
    12,
    `viagra cialis casino casinos poker betting jackpot slots loan loans payday crypto bitcoin forex
     replica rolex pills pharmacy prescription weight diet supplement seo backlinks backlink
     followers porn xxx dating hookup escort escorts`,
  ),
  ...spammy(
    7,
    `cheap discount free buy sale offer deal deals earn income cash money profit invest investment
     click visit subscribe guaranteed winner win bonus promo code limited hurry unlimited
     whatsapp telegram dm inbox ranking traffic marketing business opportunity work home online
     website websites blog nice great awesome informative thanks post sharing keep`,
  ),
  ...hammy(
    7,
    `article author argument point agree disagree however although because evidence source
     government policy minister election vote parliament economy history war peace treaty talks
     report reporting journalist journalism piece analysis question answer think believe
     understand wonder seems likely perhaps actually indeed fact facts data study research
     people country city council local community school children women men family years decade`,
  ),
  ...hammy(4, 'the and of to in is that it was for on with as but not this be are have they we their'),
  'links:0': [6, 30],
  'links:1': [14, 8],
  'links:3+': [18, 1],
  'website:yes': [24, 6],
  'website:no': [16, 34],
  'name:long': [8, 1],
  'sig:fast': [20, 2],
  'sig:quick': [12, 10],
  'sig:slow': [8, 28],
  'sig:token-missing': [20, 1],
  'sig:token-invalid': [16, 0],
  'sig:token-foreign': [16, 0],
  'sig:token-expired': [6, 3],
  'sig:honeypot': [30, 0],
  'shape:caps': [14, 2],
  'shape:money': [16, 2],
  'shape:repeat': [10, 3],
  'shape:short': [10, 8],
  'tld:xyz': [14, 0],
  'tld:top': [14, 0],
  'tld:click': [14, 0],
  'tld:ru': [8, 1],
  'tld:biz': [10, 0],
  'tld:info': [8, 1],
  'host:bit.ly': [14, 1],
  'host:tinyurl.com': [14, 1],
  'tld:org': [3, 8],
  'tld:gov': [1, 10],
  'tld:edu': [1, 8],
};
