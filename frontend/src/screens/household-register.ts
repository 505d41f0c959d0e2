// Register your household: a step-by-step form made for a phone (360 px),
// saved on the device after every change, in English or Spanish.

import L from "leaflet";
import type { Ctx } from "../app";
import type { ConsentPurpose } from "../api/types";
import { ApiError } from "../api/client";
import { getLocale, t, type Locale, type MessageKey } from "../i18n/i18n";
import {
  ACCESSIBILITY,
  AGE_BANDS,
  INCOME_BANDS,
  INSURANCE,
  MAX_MEMBERS,
  PURPOSES,
  RELATIONSHIPS,
  SITUATIONS,
  STEPS,
  TENURES,
  clearDraft,
  firstInvalidStep,
  loadDraft,
  saveDraft,
  toRequest,
  validateStep,
  type Draft,
  type Errors,
  type Step,
} from "../lib/household-draft";
import { consentTexts } from "../lib/consent-texts";
import { announce, h, onAttached, uid } from "../lib/dom";
import { formatNumber } from "../lib/format";
import { roundCoord } from "../lib/geo";
import { createMap, JACKSON_COUNTY } from "../map/basemap";

/** registerHousehold renders the wizard. */
export async function registerHousehold(ctx: Ctx): Promise<HTMLElement> {
  const locale = getLocale();
  const draft = loadDraft(localStorage, locale);
  const texts = await consentTexts(ctx.api, locale);
  const root = h("div", { class: "wizard narrow" });
  let errors: Errors = {};

  const save = () => saveDraft(localStorage, draft);

  function errorFor(name: string): HTMLElement | null {
    const key = errors[name];
    return key ? h("p", { class: "error", id: `err-${name.replace(/\./g, "-")}` }, t(key)) : null;
  }

  function describedBy(name: string): string | undefined {
    return errors[name] ? `err-${name.replace(/\./g, "-")}` : undefined;
  }

  function text(name: string, label: string, value: string, set: (v: string) => void, attrs: Record<string, unknown> = {}, hint?: string): HTMLElement {
    const id = uid();
    const hintId = hint ? id + "-hint" : undefined;
    const input = h("input", {
      id,
      value,
      "aria-invalid": errors[name] ? "true" : undefined,
      "aria-describedby": [hintId, describedBy(name)].filter(Boolean).join(" ") || undefined,
      oninput: (e: Event) => {
        set((e.target as HTMLInputElement).value);
        save();
      },
      ...attrs,
    });
    return h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "hint", id: hintId }, hint) : null, input, errorFor(name));
  }

  function select(name: string, label: string, value: string, options: Array<[string, string]>, set: (v: string) => void): HTMLElement {
    const id = uid();
    const sel = h(
      "select",
      {
        id,
        "aria-invalid": errors[name] ? "true" : undefined,
        "aria-describedby": describedBy(name),
        onchange: (e: Event) => {
          set((e.target as HTMLSelectElement).value);
          save();
        },
      },
      options.map(([v, l]) => h("option", { value: v, selected: v === value }, l)),
    );
    return h("div", { class: "field" }, h("label", { for: id }, label), sel, errorFor(name));
  }

  function radios(name: string, legend: string, value: string, options: Array<[string, string]>, set: (v: string) => void): HTMLElement {
    const group = uid("g");
    return h(
      "fieldset",
      { "aria-describedby": describedBy(name) },
      h("legend", null, legend),
      options.map(([v, l]) => {
        const id = uid();
        return h(
          "div",
          { class: "check" },
          h("input", {
            type: "radio",
            id,
            name: group,
            value: v,
            checked: v === value,
            onchange: () => {
              set(v);
              save();
            },
          }),
          h("label", { for: id }, l),
        );
      }),
      errorFor(name),
    );
  }

  function checkbox(label: string, checked: boolean, set: (v: boolean) => void, describedById?: string): HTMLElement {
    const id = uid();
    return h(
      "div",
      { class: "check" },
      h("input", {
        type: "checkbox",
        id,
        checked,
        "aria-describedby": describedById,
        onchange: (e: Event) => {
          set((e.target as HTMLInputElement).checked);
          save();
        },
      }),
      h("label", { for: id }, label),
    );
  }

  function stepHousehold(): Array<HTMLElement | null> {
    const members = draft.members.map((m, i) =>
      h(
        "fieldset",
        { class: "member" },
        h("legend", null, i === 0 ? t("household.head") : t("household.member", { n: i + 1 })),
        text(`members.${i}.name`, t("household.name"), m.name, (v) => (m.name = v), { autocomplete: i === 0 ? "name" : "off" }),
        i > 0
          ? select(`members.${i}.relationship`, t("household.relationship"), m.relationship, RELATIONSHIPS.filter((r) => r !== "head").map((r) => [r, t(`relationship.${r}` as MessageKey)]), (v) => (m.relationship = v as typeof m.relationship))
          : null,
        select(`members.${i}.age_band`, t("household.ageBand"), m.age_band, [["", t("form.preferNotToSay")], ...AGE_BANDS.map((a): [string, string] => [a, t(`ageBand.${a}` as MessageKey)])], (v) => (m.age_band = v as typeof m.age_band)),
        i > 0
          ? h(
              "button",
              {
                type: "button",
                class: "secondary",
                onclick: () => {
                  draft.members.splice(i, 1);
                  save();
                  draw();
                },
              },
              t("household.remove", { n: i + 1 }),
            )
          : null,
      ),
    );
    return [
      h("p", null, t("household.intro")),
      ...members,
      draft.members.length < MAX_MEMBERS
        ? h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () => {
                draft.members.push({ name: "", relationship: "child", age_band: "" });
                save();
                draw(`members.${draft.members.length - 1}.name`);
              },
            },
            t("household.add"),
          )
        : null,
      errorFor("members"),
      h("p", { class: "meta" }, t("household.size", { n: formatNumber(draft.members.length, locale) })),
      text("pets", t("household.pets"), String(draft.pets), (v) => (draft.pets = Number.parseInt(v || "0", 10)), { type: "number", min: "0", max: "50", inputmode: "numeric" }),
      checkbox(t("household.serviceAnimal"), draft.service_animal, (v) => (draft.service_animal = v)),
      select("language", t("household.language"), draft.language, [["en", "English"], ["es", "Español"]], (v) => (draft.language = v as Locale)),
      text("phone", t("household.phone"), draft.phone, (v) => (draft.phone = v), { type: "tel", autocomplete: "tel", inputmode: "tel" }, t("household.contactHint")),
      text("email", t("household.email"), draft.email, (v) => (draft.email = v), { type: "email", autocomplete: "email" }),
    ];
  }

  function stepBefore(): Array<HTMLElement | null> {
    const mapEl = h("div", { class: "map", id: "pin-map" });
    const pinText = h("p", { role: "status", class: "meta" });
    const showPin = () => {
      pinText.textContent = draft.lost_location
        ? t("before.pinSet", { lat: draft.lost_location.lat.toFixed(5), lon: draft.lost_location.lon.toFixed(5) })
        : t("before.noPin");
    };
    showPin();
    let map: L.Map | null = null;
    let marker: L.Marker | null = null;
    const place = (lat: number, lon: number) => {
      draft.lost_location = { lon: roundCoord(lon), lat: roundCoord(lat) };
      save();
      if (map) {
        if (!marker) {
          marker = L.marker([lat, lon], { draggable: true, keyboard: true, title: t("before.pinTitle"), alt: t("before.pinTitle") }).addTo(map);
          marker.on("dragend", () => {
            const p = marker!.getLatLng();
            place(p.lat, p.lng);
          });
        } else marker.setLatLng([lat, lon]);
      }
      showPin();
      announce(pinText.textContent ?? "");
    };
    onAttached(mapEl, () => {
      const start = draft.lost_location ? ([draft.lost_location.lat, draft.lost_location.lon] as L.LatLngTuple) : JACKSON_COUNTY;
      map = createMap(mapEl, { label: t("before.mapLabel"), center: start, zoom: draft.lost_location ? 15 : 11 });
      ctx.onCleanup(() => map?.remove());
      if (draft.lost_location) place(draft.lost_location.lat, draft.lost_location.lon);
      map.on("click", (e: L.LeafletMouseEvent) => place(e.latlng.lat, e.latlng.lng));
    });
    return [
      h("p", null, t("before.intro")),
      h("p", { class: "hint", id: "pin-hint" }, t("before.howTo")),
      mapEl,
      pinText,
      errorFor("lost_location"),
      h(
        "div",
        { class: "actions" },
        h("button", { type: "button", class: "secondary", "aria-describedby": "pin-hint", onclick: () => map && place(map.getCenter().lat, map.getCenter().lng) }, t("before.useCentre")),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            onclick: () => {
              draft.lost_location = null;
              marker?.remove();
              marker = null;
              save();
              showPin();
            },
          },
          t("before.clearPin"),
        ),
      ),
      text("lost_address", t("before.address"), draft.lost_address, (v) => (draft.lost_address = v), { autocomplete: "street-address" }, t("before.addressHint")),
      h("p", { class: "notice" }, t("before.privacy")),
    ];
  }

  function stepNow(): Array<HTMLElement | null> {
    return [
      radios("situation", t("now.situation"), draft.situation, SITUATIONS.map((s) => [s, t(`situation.${s}` as MessageKey)]), (v) => (draft.situation = v as Draft["situation"])),
      text("zip_code", t("now.zip"), draft.zip_code, (v) => (draft.zip_code = v), { inputmode: "numeric", autocomplete: "postal-code" }, t("now.zipHint")),
    ];
  }

  function stepNeeds(): Array<HTMLElement | null> {
    return [
      text("bedrooms", t("needs.bedrooms"), String(draft.bedrooms), (v) => (draft.bedrooms = Number.parseInt(v || "0", 10)), { type: "number", min: "0", max: "10", inputmode: "numeric" }),
      h(
        "fieldset",
        null,
        h("legend", null, t("needs.accessibility")),
        ACCESSIBILITY.map((a) =>
          checkbox(t(`access.${a}` as MessageKey), draft.accessibility.includes(a), (on) => {
            draft.accessibility = on ? [...new Set([...draft.accessibility, a])] : draft.accessibility.filter((x) => x !== a);
          }),
        ),
      ),
      radios("tenure", t("needs.tenure"), draft.tenure, TENURES.map((x) => [x, t(`tenure.${x}` as MessageKey)]), (v) => (draft.tenure = v as Draft["tenure"])),
      select("income_band", t("needs.income"), draft.income_band, [["", t("form.preferNotToSay")], ...INCOME_BANDS.map((b): [string, string] => [b, t(`income.${b}` as MessageKey)])], (v) => (draft.income_band = v as Draft["income_band"])),
      select("insurance", t("needs.insurance"), draft.insurance, [["", t("form.preferNotToSay")], ...INSURANCE.map((b): [string, string] => [b, t(`insurance.${b}` as MessageKey)])], (v) => (draft.insurance = v as Draft["insurance"])),
      h(
        "fieldset",
        null,
        h("legend", null, t("needs.interest")),
        checkbox(t("needs.coop"), draft.coop, (v) => (draft.coop = v)),
        checkbox(t("needs.landTrust"), draft.land_trust, (v) => (draft.land_trust = v)),
      ),
      text("fema_disaster_number", t("needs.fema"), draft.fema_disaster_number, (v) => (draft.fema_disaster_number = v), { autocomplete: "off" }, t("needs.femaHint")),
    ];
  }

  function partnersField(hidden: boolean): HTMLElement {
    const id = uid();
    const area = h("textarea", {
      id,
      rows: "3",
      "aria-invalid": errors.partners ? "true" : undefined,
      "aria-describedby": [id + "-hint", describedBy("partners")].filter(Boolean).join(" "),
      oninput: (e: Event) => {
        draft.partners = (e.target as HTMLTextAreaElement).value;
        save();
      },
    }, draft.partners);
    return h("div", { class: "field", id: "partners-field", hidden }, h("label", { for: id }, t("consent.partners")), h("p", { class: "hint", id: id + "-hint" }, t("consent.partnersHint")), area, errorFor("partners"));
  }

  function stepConsent(): Array<HTMLElement | null> {
    return [
      h("p", null, t("consent.intro")),
      h("p", { class: "notice" }, t("consent.optional")),
      ...PURPOSES.map((p: ConsentPurpose) => {
        const txt = texts.find((x) => x.purpose === p)?.text ?? t(`consent.${p}.text` as MessageKey);
        const descId = uid("c");
        return h(
          "fieldset",
          null,
          h("legend", null, t(`consent.${p}.title` as MessageKey)),
          h("p", { id: descId }, txt),
          checkbox(t("consent.agree"), !!draft.consents[p], (v) => {
            draft.consents[p] = v;
            // Sharing with partners needs their names: show the field with the tick.
            const pf = root.querySelector<HTMLElement>("#partners-field");
            if (p === "partner_sharing" && pf) pf.hidden = !v;
          }, descId),
          p === "partner_sharing" ? partnersField(!draft.consents[p]) : null,
        );
      }),
      h("p", { class: "hint" }, t("consent.withdraw")),
    ];
  }

  function stepReview(): Array<HTMLElement | null> {
    const yes = t("common.yes");
    const no = t("common.no");
    const rows: Array<[string, string]> = [
      [t("household.size.label"), formatNumber(draft.members.length, locale)],
      [t("household.names"), draft.members.map((m) => m.name).join(", ")],
      [t("before.pinLabel"), draft.lost_location ? `${draft.lost_location.lat.toFixed(5)}, ${draft.lost_location.lon.toFixed(5)}` : t("before.noPin")],
      [t("now.situation"), draft.situation ? t(`situation.${draft.situation}` as MessageKey) : "—"],
      [t("needs.bedrooms"), formatNumber(draft.bedrooms, locale)],
      ...PURPOSES.map((p): [string, string] => [t(`consent.${p}.title` as MessageKey), draft.consents[p] ? yes : no]),
    ];
    return [
      h("p", null, t("review.intro")),
      h("dl", { class: "stats" }, rows.map(([k, v]) => h("div", null, h("dt", null, k), h("dd", null, v)))),
      ctx.session.account ? null : h("p", { class: "notice warn" }, t("review.signInFirst"), " ", h("a", { href: "/sign-up?next=/register" }, t("auth.signUp")), " · ", h("a", { href: "/sign-in?next=/register" }, t("auth.signIn"))),
    ];
  }

  const builders: Record<Step, () => Array<HTMLElement | null>> = {
    household: stepHousehold,
    before: stepBefore,
    now: stepNow,
    needs: stepNeeds,
    consent: stepConsent,
    review: stepReview,
  };

  const status = h("p", { role: "status" });

  async function submit(): Promise<void> {
    const bad = firstInvalidStep(draft);
    if (bad) {
      go(bad);
      return;
    }
    if (!ctx.session.account) {
      status.textContent = t("review.signInFirst");
      return;
    }
    status.textContent = t("common.sending");
    try {
      await ctx.api.createHousehold(toRequest(draft, texts));
      clearDraft(localStorage);
      ctx.go("/me/household?registered=1");
    } catch (e) {
      status.textContent = e instanceof ApiError && e.status !== 0 ? t("review.failed", { reason: e.message }) : t("common.offline");
    }
  }

  function go(step: Step): void {
    errors = step === draft.step ? errors : {};
    draft.step = step;
    save();
    draw();
    root.querySelector<HTMLElement>("h2")?.focus();
  }

  function draw(focusField?: string): void {
    const idx = STEPS.indexOf(draft.step);
    const body = builders[draft.step]();
    root.replaceChildren(
      h("h1", null, t("register.heading")),
      h(
        "ol",
        { class: "steps", "aria-label": t("register.progress") },
        STEPS.map((s, i) => h("li", { "aria-current": s === draft.step ? "step" : undefined, class: i < idx ? "done" : undefined }, `${i + 1}. ${t(`step.${s}` as MessageKey)}`)),
      ),
      h(
        "form",
        {
          novalidate: true,
          onsubmit: (e: Event) => {
            e.preventDefault();
            errors = validateStep(draft.step, draft);
            if (Object.keys(errors).length) {
              draw();
              root.querySelector<HTMLElement>("[aria-invalid=true]")?.focus();
              announce(t("form.fixErrors"));
              return;
            }
            if (draft.step === "review") void submit();
            else go(STEPS[idx + 1]);
          },
        },
        h("h2", { tabindex: "-1" }, t("register.stepOf", { n: idx + 1, total: STEPS.length, name: t(`step.${draft.step}` as MessageKey) })),
        ...body,
        h(
          "div",
          { class: "actions" },
          idx > 0 ? h("button", { type: "button", class: "secondary", onclick: () => go(STEPS[idx - 1]) }, t("common.back")) : null,
          h("button", { type: "submit" }, draft.step === "review" ? t("review.submit") : t("common.next")),
        ),
        status,
        h("p", { class: "hint" }, t("register.saved")),
      ),
    );
    if (focusField) {
      const input = root.querySelectorAll<HTMLInputElement>("fieldset.member input")[draft.members.length - 1];
      input?.focus();
    }
  }

  draw();
  return root;
}
