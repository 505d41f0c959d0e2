import { en, type MessageKey } from "./en";
import { es } from "./es";

/** Locale is a language the app has a full catalog for. */
export type Locale = "en" | "es";

/** locales lists the supported languages with their own names, for the switcher. */
export const locales: ReadonlyArray<{ code: Locale; name: string }> = [
  { code: "en", name: "English" },
  { code: "es", name: "Español" },
];

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, es };

/** STORAGE_KEY is where an explicit choice of language is kept between visits. */
export const STORAGE_KEY = "cg.locale";

/**
 * resolveLocale picks the page's language: the account's setting first, then
 * a choice made on this device, then the browser's languages (which is what
 * the browser sends as Accept-Language), then English.
 */
export function resolveLocale(account: string | null | undefined, stored: string | null | undefined, browser: readonly string[]): Locale {
  for (const candidate of [account, stored, ...browser]) {
    const l = toLocale(candidate);
    if (l) return l;
  }
  return "en";
}

/** toLocale maps a BCP 47 tag ("es-MX", "en") to a supported locale or null. */
export function toLocale(tag: string | null | undefined): Locale | null {
  if (!tag) return null;
  const base = tag.toLowerCase().split(/[-_]/)[0];
  return base === "en" || base === "es" ? base : null;
}

/** Params fills {name} placeholders in a message. */
export type Params = Record<string, string | number>;

/** translate looks a key up in a locale's catalog and fills its placeholders. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const msg = catalogs[locale][key] ?? en[key] ?? key;
  if (!params) return msg;
  return msg.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** pluralKey picks "key.one" or "key.other" (the catalogs hold both) for a count. */
export function pluralKey(locale: Locale, base: string, count: number): MessageKey {
  const rule = new Intl.PluralRules(locale).select(count);
  const key = `${base}.${rule}`;
  return (key in en ? key : `${base}.other`) as MessageKey;
}

type Listener = (l: Locale) => void;
let current: Locale = "en";
const listeners = new Set<Listener>();

/** getLocale returns the page's current language. */
export function getLocale(): Locale {
  return current;
}

/** setLocale changes the page's language, remembers the choice and tells listeners. */
export function setLocale(l: Locale, remember = true): void {
  current = l;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      // Private browsing may refuse storage; the choice then lasts the visit.
    }
  }
  if (typeof document !== "undefined") document.documentElement.lang = l;
  listeners.forEach((f) => f(l));
}

/** onLocaleChange registers a listener and returns a function that removes it. */
export function onLocaleChange(f: Listener): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** storedLocale returns the language chosen earlier on this device, if any. */
export function storedLocale(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** t translates a key in the current language. */
export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** tn translates a counted message ("{count} households") in the current language. */
export function tn(base: string, count: number, params?: Params): string {
  return translate(current, pluralKey(current, base, count), { count: new Intl.NumberFormat(current).format(count), ...params });
}

export type { MessageKey };
