/**
 * The submit body's rules, as the browser can check them before sending (they mirror
 * `submitCommentBodySchemaFor` in @parley/shared). The server stays the authority: its email check
 * is stricter than this one, and whatever it refuses comes back as problem details per field.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;

export type FieldName = 'text' | 'name' | 'email' | 'website';
export type Problem = 'required' | 'tooLong' | 'badEmail' | 'badUrl' | 'control';
export interface FieldProblem {
  field: FieldName;
  problem: Problem;
  max?: number;
}
export type Values = Record<FieldName, string>;

/** What the server stores: CRLF → LF (comment text), NFC, trimmed. */
export function cleanValue(value: string, multiline: boolean): string {
  return (multiline ? value.replace(/\r\n?/g, '\n') : value).normalize('NFC').trim();
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
  } catch {
    return false;
  }
}

/** Problems in form order (comment, name, email, website); empty when the body may be sent. */
export function checkComment(v: Values, limits: { maxLength: number; requireEmail: boolean }): FieldProblem[] {
  const out: FieldProblem[] = [];
  const line = (field: FieldName, max: number, required: boolean, extra?: (s: string) => Problem | undefined) => {
    const s = v[field];
    if (!s) {
      if (required) out.push({ field, problem: 'required' });
      return;
    }
    if (CONTROL_IN_LINE.test(s)) out.push({ field, problem: 'control' });
    else if (s.length > max) out.push({ field, problem: 'tooLong', max });
    else {
      const p = extra?.(s);
      if (p) out.push({ field, problem: p });
    }
  };
  const max = Math.min(limits.maxLength, 20_000);
  if (!v.text) out.push({ field: 'text', problem: 'required' });
  else if (CONTROL_IN_TEXT.test(v.text)) out.push({ field: 'text', problem: 'control' });
  else if (v.text.length > max) out.push({ field: 'text', problem: 'tooLong', max });
  line('name', 100, true);
  line('email', 254, limits.requireEmail, (s) => (/^[^\s@]+@[^\s@]+$/.test(s) && s.length >= 3 ? undefined : 'badEmail'));
  line('website', 500, false, (s) => (isHttpUrl(s) ? undefined : 'badUrl'));
  return out;
}
