import { describe, expect, it } from "vitest";
import { minorDigits, parseAmount, percentBasisPoints, sum, toBigInt, toDecimalString } from "./money";
import { formatDate, formatMoney, formatPercent, formatNumber, formatDistance } from "./format";

describe("money", () => {
  it("knows minor digits", () => {
    expect(minorDigits("USD")).toBe(2);
    expect(minorDigits("JPY")).toBe(0);
    expect(minorDigits("KWD")).toBe(3);
  });

  it.each([
    [123456n, "USD", "1234.56"],
    [5n, "USD", "0.05"],
    [-5n, "USD", "-0.05"],
    [0n, "USD", "0.00"],
    [999_999_999_999_999n, "USD", "9999999999999.99"],
    [1234n, "JPY", "1234"],
    [1234n, "KWD", "1.234"],
  ])("renders %s %s as %s exactly", (minor, cur, want) => {
    expect(toDecimalString(minor, cur)).toBe(want);
  });

  it.each([
    ["1,250.50", "USD", "en", 125050n],
    ["1250.5", "USD", "en", 125050n],
    ["$40", "USD", "en", 4000n],
    ["  40 ", "USD", "en", 4000n],
    ["1.250,50", "USD", "es", 125050n],
    ["1250,5", "USD", "es", 125050n],
    ["10.005", "USD", "en", null],
    ["-5", "USD", "en", null],
    ["abc", "USD", "en", null],
    ["", "USD", "en", null],
    ["1e3", "USD", "en", null],
    ["12.5", "JPY", "en", null],
    ["1,000", "JPY", "en", 1000n],
    ["9999999999999.99", "USD", "en", 999_999_999_999_999n],
  ])("parses %j (%s, %s) as %s", (input, cur, locale, want) => {
    expect(parseAmount(input, cur, locale)).toBe(want);
  });

  it("refuses non-integer amounts from JSON", () => {
    expect(() => toBigInt(1.5)).toThrow();
    expect(() => toBigInt(2 ** 60)).toThrow();
    expect(() => toBigInt("12.3")).toThrow();
    expect(toBigInt("-42")).toBe(-42n);
  });

  it("sums exactly beyond float precision", () => {
    // 0.1 + 0.2 style errors cannot happen on integers; check a sum past 2^53 too.
    expect(sum([2 ** 52, 2 ** 52, 1])).toBe(2n ** 53n + 1n);
  });

  it("computes progress in floored basis points", () => {
    expect(percentBasisPoints(1n, 3n)).toBe(3333);
    expect(percentBasisPoints(9996n, 10000n)).toBe(9996);
    expect(percentBasisPoints(5n, 0n)).toBe(0);
    expect(percentBasisPoints(15000n, 10000n)).toBe(15000);
  });
});

describe("format", () => {
  it("formats money from minor units per locale", () => {
    expect(formatMoney(123456, "USD", "en")).toBe("$1,234.56");
    expect(formatMoney(123456, "USD", "es")).toMatch(/^1234,56\s?US\$$/);
    expect(formatMoney(999_999_999_999_999n, "USD", "en")).toBe("$9,999,999,999,999.99");
    expect(formatMoney(500, "JPY", "en")).toBe("¥500");
  });

  it("never shows 100 % before the goal is reached", () => {
    expect(formatPercent(9996, "en")).toBe("99%");
    expect(formatPercent(10000, "en")).toBe("100%");
    expect(formatPercent(4250, "es")).toMatch(/^42\s?%$/);
  });

  it("formats a calendar date without moving it across time zones", () => {
    expect(formatDate("2026-03-01", "en")).toBe("Mar 1, 2026");
    expect(formatDate("2026-03-01", "es")).toBe("1 mar 2026");
    expect(formatDate("not a date", "en")).toBe("");
  });

  it("formats numbers and distances", () => {
    expect(formatNumber(12345, "en")).toBe("12,345");
    expect(formatNumber(12345, "es")).toBe("12.345");
    expect(formatDistance(1530, "en")).toBe("1.5 km");
    expect(formatDistance(320, "es")).toBe("320 m");
  });
});
