// Money is an integer count of minor units plus an ISO 4217 currency, as on
// the server. Arithmetic is done on bigint so that nothing is ever rounded by
// floating point; numbers only appear at the JSON boundary, where amounts
// (at most 10^15 minor units) are still exact.

/** minorDigits returns how many minor-unit digits a currency has (USD 2, JPY 0). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/** toBigInt converts an amount received as JSON into bigint, refusing anything but a safe integer. */
export function toBigInt(amount: number | bigint | string): bigint {
  if (typeof amount === "bigint") return amount;
  if (typeof amount === "number") {
    if (!Number.isSafeInteger(amount)) throw new RangeError("amount is not a safe integer");
    return BigInt(amount);
  }
  if (!/^-?\d+$/.test(amount)) throw new RangeError("amount is not an integer");
  return BigInt(amount);
}

/** toDecimalString renders minor units as an exact decimal string ("1234.05"). */
export function toDecimalString(minor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  if (digits === 0) return (negative ? "-" : "") + abs.toString();
  const s = abs.toString().padStart(digits + 1, "0");
  return (negative ? "-" : "") + s.slice(0, -digits) + "." + s.slice(-digits);
}

/**
 * parseAmount reads what a person typed ("1,250.50", "1.250,50", "$40") as
 * minor units for the given locale, or returns null when it is not a valid
 * non-negative amount with at most the currency's minor digits.
 */
export function parseAmount(input: string, currency: string, locale: string): bigint | null {
  const parts = new Intl.NumberFormat(locale).formatToParts(12345678.5);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  let s = input.trim().replace(/[\s\u00a0\u202f]/g, "").replace(/^[^\d.,-]+|[^\d.,]+$/g, "");
  if (s === "" || s.startsWith("-")) return null;
  const groupRe = new RegExp("\\" + group, "g");
  s = s.replace(groupRe, "");
  if (decimal !== ".") s = s.replace(decimal, ".");
  if (!/^\d+(\.\d*)?$/.test(s)) return null;
  const [whole, frac = ""] = s.split(".");
  const digits = minorDigits(currency);
  if (frac.length > digits) return null;
  return BigInt(whole + frac.padEnd(digits, "0"));
}

/** percentBasisPoints returns part/whole in hundredths of a percent, floored, 0 when whole is 0. */
export function percentBasisPoints(part: bigint, whole: bigint): number {
  if (whole <= 0n || part <= 0n) return 0;
  return Number((part * 10000n) / whole);
}

/** sum adds amounts exactly. */
export function sum(amounts: Array<number | bigint>): bigint {
  return amounts.reduce<bigint>((acc, a) => acc + toBigInt(a), 0n);
}
