import { toBigInt, toDecimalString } from "./money";

// Formatting for the page's language. Each function takes the locale so that
// it is pure and testable; screens pass i18n's current locale.

// Building an Intl formatter costs far more than using one, and a list of
// 500 campaigns formats thousands of values: keep one per locale and options.
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function numberFormat(locale: string, opts: Intl.NumberFormatOptions = {}): Intl.NumberFormat {
  const key = locale + JSON.stringify(opts);
  let nf = numberFormats.get(key);
  if (!nf) numberFormats.set(key, (nf = new Intl.NumberFormat(locale, opts)));
  return nf;
}

function dateFormat(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = locale + JSON.stringify(opts);
  let df = dateFormats.get(key);
  if (!df) dateFormats.set(key, (df = new Intl.DateTimeFormat(locale, opts)));
  return df;
}

/** formatMoney shows minor units as money in the locale ("$1,234.05", "1234,05 US$"). */
export function formatMoney(minor: number | bigint, currency: string, locale: string): string {
  const decimal = toDecimalString(toBigInt(minor), currency);
  const nf = numberFormat(locale, { style: "currency", currency });
  // Intl.NumberFormat formats decimal strings exactly (no float conversion).
  return nf.format(decimal as unknown as number);
}

/** formatNumber shows an integer or decimal count in the locale. */
export function formatNumber(n: number | bigint, locale: string): string {
  return numberFormat(locale).format(n);
}

/** formatPercent shows basis points (hundredths of a percent) as a percentage. */
export function formatPercent(basisPoints: number, locale: string): string {
  // Floor, so that a campaign at 99.6 % never reads as fully funded.
  const nf = numberFormat(locale, { style: "percent", maximumFractionDigits: 0, roundingMode: "floor" } as Intl.NumberFormatOptions);
  return nf.format(basisPoints / 10000);
}

/** formatDate shows a date (ISO string or Date) in the locale, without time. */
export function formatDate(value: string | Date, locale: string): string {
  const d = typeof value === "string" ? parseDate(value) : value;
  if (Number.isNaN(d.getTime())) return "";
  return dateFormat(locale, { dateStyle: "medium", timeZone: isDateOnly(value) ? "UTC" : undefined }).format(d);
}

/** formatDateTime shows a moment in the locale with its time. */
export function formatDateTime(value: string | Date, locale: string): string {
  const d = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(d.getTime())) return "";
  return dateFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

function isDateOnly(value: string | Date): boolean {
  return typeof value === "string" && /^\d{4}-\d{2}-\d{2}$/.test(value);
}

function parseDate(value: string): Date {
  // A bare date is a calendar day: read it as UTC and show it in UTC so that
  // a deadline never moves to the previous day west of Greenwich.
  return isDateOnly(value) ? new Date(value + "T00:00:00Z") : new Date(value);
}

/** formatDistance shows metres as km or m in the locale. */
export function formatDistance(metres: number, locale: string): string {
  if (metres >= 1000) {
    return numberFormat(locale, { style: "unit", unit: "kilometer", maximumFractionDigits: 1 }).format(metres / 1000);
  }
  return numberFormat(locale, { style: "unit", unit: "meter", maximumFractionDigits: 0 }).format(metres);
}
