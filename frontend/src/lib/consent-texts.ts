// The consent wording shown to a household and recorded with its consent.

import type { Api } from "../api/client";
import type { ConsentText } from "../api/types";
import { t, type Locale, type MessageKey } from "../i18n/i18n";
import { PURPOSES, sha256Hex } from "./household-draft";

/**
 * consentTexts returns the consent wording to show and record: the server's
 * current texts, or else the catalog's, which carry the very same words (a
 * Go test in package frontend holds them equal to the community package's),
 * so their hash is a version the server knows.
 */
export async function consentTexts(api: Api, locale: Locale): Promise<ConsentText[]> {
  try {
    const texts = await api.consentTexts(locale);
    if (PURPOSES.every((p) => texts.some((x) => x.purpose === p))) return texts;
  } catch {
    // Fall through to the catalog wording.
  }
  return Promise.all(
    PURPOSES.map(async (purpose) => {
      const text = t(`consent.${purpose}.text` as MessageKey);
      return { purpose, language: locale, text, version: await sha256Hex(text) };
    }),
  );
}
