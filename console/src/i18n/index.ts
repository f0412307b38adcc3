import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Every string a user reads is in a catalogue (C4): Japanese first, English by
 * the switch in the header. One JSON file per namespace and language under
 * `ja/` and `en/` (a page owns its namespace); `npm test` checks that both
 * languages have the same keys.
 */
export const LANGUAGES = ['ja', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const LANGUAGE_SLOT = 'mamoru.lang';

type Catalogue = Record<string, unknown>;
const ja = import.meta.glob<Catalogue>('./ja/*.json', { eager: true, import: 'default' });
const en = import.meta.glob<Catalogue>('./en/*.json', { eager: true, import: 'default' });

function byNamespace(files: Record<string, Catalogue>): Record<string, Catalogue> {
  const out: Record<string, Catalogue> = {};
  for (const [path, catalogue] of Object.entries(files)) {
    const ns = /\/([^/]+)\.json$/.exec(path)?.[1];
    if (ns) out[ns] = catalogue;
  }
  return out;
}

export function savedLanguage(): Language {
  try {
    const saved = localStorage.getItem(LANGUAGE_SLOT);
    if (saved === 'en' || saved === 'ja') return saved;
  } catch {
    // No storage: Japanese.
  }
  return 'ja';
}

/** Switch the language (kept across visits: it is a preference, not a secret). */
export async function setLanguage(language: Language): Promise<void> {
  try {
    localStorage.setItem(LANGUAGE_SLOT, language);
  } catch {
    // Kept for this page only.
  }
  document.documentElement.lang = language;
  await i18next.changeLanguage(language);
}

export async function initI18n(language: Language = savedLanguage()): Promise<typeof i18next> {
  const jaNs = byNamespace(ja);
  const enNs = byNamespace(en);
  document.documentElement.lang = language;
  await i18next.use(initReactI18next).init({
    resources: { ja: jaNs, en: enNs },
    lng: language,
    fallbackLng: 'ja',
    ns: Object.keys(jaNs),
    defaultNS: 'common',
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return i18next;
}

/** The language to pick from a `{ja, en}` text the API sends. */
export function pick(
  text: { readonly ja: string; readonly en: string } | undefined | null,
  language: string,
): string {
  if (!text) return '';
  return language.startsWith('en') ? text.en : text.ja;
}
