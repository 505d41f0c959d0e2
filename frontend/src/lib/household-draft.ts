// The household registration in progress: kept in localStorage after every
// change so that a dropped connection or a closed tab loses nothing, checked
// step by step, and turned into the POST /households body at the end.

import type {
  AccessibilityNeed,
  AgeBand,
  ConsentPurpose,
  ConsentText,
  CurrentSituation,
  HouseholdRequest,
  IncomeBand,
  Insurance,
  Member,
  Relationship,
  Tenure,
} from "../api/types";
import type { Locale, MessageKey } from "../i18n/i18n";
import { validLonLat, roundCoord } from "./geo";

/** STEPS are the wizard's steps in order. */
export const STEPS = ["household", "before", "now", "needs", "consent", "review"] as const;
export type Step = (typeof STEPS)[number];

export const AGE_BANDS: AgeBand[] = ["under_5", "5_12", "13_17", "18_24", "25_34", "35_44", "45_54", "55_61", "62_plus"];
export const SITUATIONS: CurrentSituation[] = ["shelter", "hotel", "family_or_friends", "vehicle", "rental", "other"];
export const TENURES: Tenure[] = ["owner", "renter", "owner_on_rented_lot"];
export const INCOME_BANDS: IncomeBand[] = ["below_30", "30_50", "50_80", "80_120", "above_120"];
export const INSURANCE: Insurance[] = ["insured", "underinsured", "uninsured", "unknown"];
export const PURPOSES: ConsentPurpose[] = ["contact", "matching", "partner_sharing", "aggregate_statistics"];
export const ACCESSIBILITY: AccessibilityNeed[] = ["wheelchair", "mobility", "vision", "hearing", "cognitive", "medical_equipment", "other"];
export const RELATIONSHIPS: Relationship[] = ["head", "spouse_or_partner", "child", "other_relative", "unrelated"];

/** Draft is everything the wizard collects. */
export interface Draft {
  step: Step;
  members: Member[];
  pets: number;
  service_animal: boolean;
  language: Locale;
  phone: string;
  email: string;
  lost_location: { lon: number; lat: number } | null;
  lost_address: string;
  situation: CurrentSituation | "";
  zip_code: string;
  tenure: Tenure | "";
  income_band: IncomeBand | "";
  insurance: Insurance | "";
  bedrooms: number;
  accessibility: AccessibilityNeed[];
  coop: boolean;
  land_trust: boolean;
  fema_disaster_number: string;
  consents: Partial<Record<ConsentPurpose, boolean>>;
  /** partners is what the household typed for partner_sharing, one organisation per line. */
  partners: string;
}

/** DRAFT_KEY is where the draft is kept on this device. */
export const DRAFT_KEY = "cg.householdDraft.v2";

/** newDraft starts an empty registration in the page's language. */
export function newDraft(locale: Locale): Draft {
  return {
    step: "household",
    members: [{ name: "", relationship: "head", age_band: "" }],
    pets: 0,
    service_animal: false,
    language: locale,
    phone: "",
    email: "",
    lost_location: null,
    lost_address: "",
    situation: "",
    zip_code: "",
    tenure: "",
    income_band: "",
    insurance: "",
    bedrooms: 1,
    accessibility: [],
    coop: false,
    land_trust: false,
    fema_disaster_number: "",
    consents: {},
    partners: "",
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

/** partnerList reads the partner organisations typed one per line. */
export function partnerList(text: string): string[] {
  return [...new Set(text.split("\n").map((s) => s.trim()).filter(Boolean))];
}

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
      if (d.lost_location && !validLonLat(d.lost_location.lon, d.lost_location.lat)) e.lost_location = "before.invalidPoint";
      if (d.lost_address.length > 500) e.lost_address = "form.tooLong";
      break;
    case "now":
      if (!d.situation) e.situation = "form.choose";
      if (d.zip_code.trim() && !ZIP.test(d.zip_code.trim())) e.zip_code = "now.zipInvalid";
      break;
    case "needs":
      if (!Number.isInteger(d.bedrooms) || d.bedrooms < 0 || d.bedrooms > 10) e.bedrooms = "form.number";
      if (d.fema_disaster_number.trim() && !FEMA_DR.test(d.fema_disaster_number.trim().toUpperCase())) e.fema_disaster_number = "needs.femaInvalid";
      break;
    case "consent":
      // No consent is required: registration is never conditional on
      // sharing. Sharing with partners names who they are.
      if (d.consents.partner_sharing && partnerList(d.partners).length === 0) e.partners = "consent.partnersNeeded";
      break;
    case "review":
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
export function toRequest(d: Draft, texts: ConsentText[]): HouseholdRequest {
  const consents = PURPOSES.filter((p) => d.consents[p]).map((purpose) => {
    const text = texts.find((x) => x.purpose === purpose);
    if (!text) throw new Error(`no consent text for ${purpose}`);
    return {
      purpose,
      text_version: text.version,
      partners: purpose === "partner_sharing" ? partnerList(d.partners) : undefined,
    };
  });
  const fema = d.fema_disaster_number.trim().toUpperCase();
  return {
    members: d.members.map((m, i) => ({
      name: m.name.trim(),
      preferred_name: m.preferred_name?.trim() || undefined,
      relationship: i === 0 ? "head" : m.relationship,
      age_band: m.age_band,
      accessibility: m.accessibility?.length ? [...m.accessibility] : undefined,
    })),
    pets: { count: d.pets, service_animal: d.service_animal },
    language: d.language,
    contact: { phone: d.phone.trim() || undefined, email: d.email.trim() || undefined },
    lost_home: {
      lon: d.lost_location ? roundCoord(d.lost_location.lon) : undefined,
      lat: d.lost_location ? roundCoord(d.lost_location.lat) : undefined,
      address: d.lost_address.trim() || undefined,
    },
    current: { situation: d.situation, zip_code: d.zip_code.trim() || undefined },
    tenure_before: d.tenure || undefined,
    income_band: d.income_band || undefined,
    insurance: d.insurance || undefined,
    needs: { bedrooms: d.bedrooms, accessibility: [...d.accessibility] },
    interested_in_coop: d.coop,
    interested_in_land_trust: d.land_trust,
    fema: fema ? { disaster_number: fema } : undefined,
    consents,
  };
}

/** sha256Hex hashes a consent text: its version, as the server computes it. */
export async function sha256Hex(text: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}
