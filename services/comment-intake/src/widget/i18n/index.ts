import { de } from './de';
import { en, type Strings } from './en';
import { es } from './es';
import { fr } from './fr';
import { ru } from './ru';
import { uk } from './uk';

export type { Strings };

/**
 * Every language the widget speaks; one file per language, all shaped like `en`. English ships
 * inside embed.js; the others are served beside it as `/embed.i18n.<lang>.json` and fetched only
 * by pages that need them, which keeps the script within its size budget as languages are added.
 */
export const LANGUAGES: Record<string, Strings> = { en, fr, de, es, uk, ru };
