// The household registration in progress: kept in localStorage after every
// change so that a dropped connection or a closed tab loses nothing, checked
// step by step, and turned into the POST /households body at the end.

import type { AgeBand, ConsentPurpose, ConsentText, CurrentSituation, HouseholdRequest, Member, Tenure } from "../api/types";
import type { Locale, MessageKey } from "../i18n/i18n";
import { validLonLat, roundCoord } from "./geo";

/** STEPS are the wizard's steps in order. */
export const STEPS = ["household", "before", "now", "needs", "consent", "review"] as const;
export type Step = (typeof STEPS)[number];

export const AGE_BANDS: AgeBand[] = ["0-4", "5-17", "18-24", "25-44", "45-64", "65+"];
export const SITUATIONS: CurrentSituation[] = ["shelter", "hotel", "family_friends", "vehicle", "rental", "other"];
export const TENURES: Tenure[] = ["owner", "renter", "owner_rented_lot"];
export const PURPOSES: ConsentPurpose[] = ["contact", "matching", "partners", "statistics"];
export const ACCESSIBILITY = ["wheelchair", "no_stairs", "hearing", "vision", "medical_equipment"] as const;
export const RELATIONSHIPS: Member["relationship"][] = ["head", "spouse", "child", "parent", "relative", "other"];

/** Draft is everything the wizard collects. */
export interface Draft {
  step: Step;
  members: Member[];
  pets: number;
  preferred_language: Locale;
  phone: string;
  email: string;
  former_location: { lon: number; lat: number } | null;
  former_address: string;
  current_situation: CurrentSituation | "";
  current_zip: string;
  tenure: Tenure | "";
  bedrooms: number;
  accessibility: string[];
  coop: boolean;
  land_trust: boolean;
  fema_disaster_number: string;
  consents: Partial<Record<ConsentPurpose, boolean>>;
}

/** STORAGE_KEY is where the draft is kept on this device. */
export const DRAFT_KEY = "cg.householdDraft.v1";

/** newDraft starts an empty registration in the page's language. */
export function newDraft(locale: Locale): Draft {
  return {
    step: "household",
    members: [{ name: "", relationship: "head", age_band: "" }],
    pets: 0,
    preferred_language: locale,
    phone: "",
    email: "",
    former_location: null,
    former_address: "",
    current_situation: "",
    current_zip: "",
    tenure: "",
    bedrooms: 1,
    accessibility: [],
    coop: false,
    land_trust: false,
    fema_disaster_number: "",
    consents: {},
  };
}

/** Storage is the part of localStorage the draft uses. */
export type Storage = Pick<globalThis.Storage, "getItem" | "setItem" | "removeItem">;

/** loadDraft returns the saved draft, or a new one if none is saved or it cannot be read. */
export function loadDraft(store: Storage, locale: Locale): Draft {
  try {
    const raw = store.getItem(DRAFT_KEY);
    if (!raw) return newDraft(locale);
    const d = { ...newDraft(locale), ...(JSON.parse(raw) as Partial<Draft>) };
    if (!STEPS.includes(d.step) || !Array.isArray(d.members) || d.members.length === 0) return newDraft(locale);
    return d;
  } catch {
    return newDraft(locale);
  }
}

/** saveDraft keeps the draft on this device. */
export function saveDraft(store: Storage, d: Draft): void {
  try {
    store.setItem(DRAFT_KEY, JSON.stringify(d));
  } catch {
    // Storage full or refused: the registration still works, it only is not resumable.
  }
}

/** clearDraft forgets the draft once the household is registered. */
export function clearDraft(store: Storage): void {
  try {
    store.removeItem(DRAFT_KEY);
  } catch {
    // Nothing to forget.
  }
}

/** Errors maps a field name ("members.0.name") to the message key explaining what is wrong. */
export type Errors = Record<string, MessageKey>;

const PHONE = /^\+?[0-9 ().-]{7,20}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ZIP = /^\d{5}(-\d{4})?$/;
const FEMA_DR = /^DR-\d{4}-[A-Z]{2}$/;

/** MAX_MEMBERS bounds the household list; the server refuses absurd sizes too. */
export const MAX_MEMBERS = 30;

/** validateStep checks one step; an empty result means the person may go on. */
export function validateStep(step: Step, d: Draft): Errors {
  const e: Errors = {};
  switch (step) {
    case "household":
      d.members.forEach((m, i) => {
        if (!m.name.trim()) e[`members.${i}.name`] = "form.required";
        else if (m.name.length > 200) e[`members.${i}.name`] = "form.tooLong";
      });
      if (d.members.length > MAX_MEMBERS) e.members = "household.tooMany";
      if (!Number.isInteger(d.pets) || d.pets < 0 || d.pets > 50) e.pets = "form.number";
      if (d.phone.trim() && !PHONE.test(d.phone.trim())) e.phone = "form.phone";
      if (d.email.trim() && !EMAIL.test(d.email.trim())) e.email = "form.email";
      break;
    case "before":
      if (d.former_location && !validLonLat(d.former_location.lon, d.former_location.lat)) e.former_location = "before.invalidPoint";
      if (d.former_address.length > 500) e.former_address = "form.tooLong";
      break;
    case "now":
      if (!d.current_situation) e.current_situation = "form.choose";
      if (d.current_zip.trim() && !ZIP.test(d.current_zip.trim())) e.current_zip = "now.zipInvalid";
      break;
    case "needs":
      if (!Number.isInteger(d.bedrooms) || d.bedrooms < 0 || d.bedrooms > 10) e.bedrooms = "form.number";
      if (d.fema_disaster_number.trim() && !FEMA_DR.test(d.fema_disaster_number.trim().toUpperCase())) e.fema_disaster_number = "needs.femaInvalid";
      break;
    case "consent":
    case "review":
      // No consent is required: registration is never conditional on sharing.
      break;
  }
  return e;
}

/** firstInvalidStep returns the first step with errors, or null when all pass. */
export function firstInvalidStep(d: Draft): Step | null {
  for (const s of STEPS) if (Object.keys(validateStep(s, d)).length) return s;
  return null;
}

/**
 * toRequest builds the POST /households body. Each consent names the exact
 * wording (version) the person saw; a purpose left unticked is simply absent.
 */
export function toRequest(d: Draft, texts: ConsentText[], locale: Locale): HouseholdRequest {
  const consents = PURPOSES.filter((p) => d.consents[p]).map((purpose) => {
    const text = texts.find((x) => x.purpose === purpose && x.locale === locale) ?? texts.find((x) => x.purpose === purpose);
    if (!text) throw new Error(`no consent text for ${purpose}`);
    return { purpose, text_version: text.version, locale: text.locale, method: "self_online" as const };
  });
  return {
    members: d.members.map((m, i) => ({
      name: m.name.trim(),
      preferred_name: m.preferred_name?.trim() || undefined,
      relationship: i === 0 ? "head" : m.relationship,
      age_band: m.age_band,
      accessibility_needs: m.accessibility_needs?.trim() || undefined,
    })),
    pets: d.pets,
    preferred_language: d.preferred_language,
    contact: { phone: d.phone.trim() || undefined, email: d.email.trim() || undefined },
    former_location: d.former_location ? { lon: roundCoord(d.former_location.lon), lat: roundCoord(d.former_location.lat) } : null,
    former_address: d.former_address.trim() || undefined,
    current_situation: d.current_situation,
    current_zip: d.current_zip.trim() || undefined,
    tenure: d.tenure,
    needs: { bedrooms: d.bedrooms, accessibility: [...d.accessibility] },
    interest: { coop: d.coop, land_trust: d.land_trust },
    fema_disaster_number: d.fema_disaster_number.trim().toUpperCase() || undefined,
    consents,
  };
}

/** sha256Hex hashes a consent text, the version the server records when it has no text list to offer. */
export async function sha256Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}
