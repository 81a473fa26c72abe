/** The languages there are files for (kept in step with `LANGUAGES` by a test). */
export const LANGUAGE_CODES = ['en', 'fr', 'de', 'es', 'uk', 'ru'];

/** The first wanted language we have (exact tag, then its primary subtag), else English. */
export function pickLanguage(wanted: (string | null | undefined)[]): string {
  for (const tag of wanted) {
    const l = (tag ?? '').toLowerCase();
    if (!l) continue;
    if (LANGUAGE_CODES.includes(l)) return l;
    const primary = l.split('-')[0]!;
    if (LANGUAGE_CODES.includes(primary)) return primary;
  }
  return 'en';
}
