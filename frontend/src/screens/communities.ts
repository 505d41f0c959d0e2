// Communities: the resident-owned communities forming on Common Ground, and
// an application to join one, for the reader's household, for themselves,
// or for an organisation they represent.

import type { Ctx } from "../app";
import type { CommunityDetail, CommunitySummary, MembershipClass } from "../api/types";
import { ApiError } from "../api/client";
import { getLocale, t, type MessageKey } from "../i18n/i18n";
import { announce, clear, field, h, setFieldError, uid } from "../lib/dom";
import { formatMoney } from "../lib/format";

/** communities lists GET /communities; each opens its application form. */
export async function communities(ctx: Ctx): Promise<HTMLElement> {
  const list = await ctx.api.communities();
  const page = h("div", null, h("h1", null, t("nav.communities")), h("p", null, t("communities.intro")));
  if (list.length === 0) page.append(h("p", null, t("communities.none")));
  for (const c of list) page.append(communityPanel(ctx, c));
  return page;
}

function communityPanel(ctx: Ctx, c: CommunitySummary): HTMLElement {
  const body = h("div");
  const open = h("button", { type: "button", "aria-expanded": "false" }, t("communities.apply"));
  open.addEventListener("click", async () => {
    if (open.getAttribute("aria-expanded") === "true") return;
    open.setAttribute("aria-expanded", "true");
    open.hidden = true;
    if (!ctx.session.account) {
      body.append(h("p", null, h("a", { href: "/sign-in?next=/communities" }, t("communities.signIn"))));
      return;
    }
    try {
      const [detail, hasHousehold] = await Promise.all([ctx.api.community(c.id), ctx.api.myHousehold().then(() => true, () => false)]);
      body.append(applicationForm(ctx, detail, hasHousehold));
      body.querySelector<HTMLInputElement>("input")?.focus();
    } catch (e) {
      body.append(h("p", { role: "alert" }, e instanceof ApiError ? e.message : t("common.offline")));
    }
  });
  return h(
    "section",
    { class: "panel" },
    h("h2", null, c.name),
    h("p", { class: "meta" }, t(`model.${c.model}` as MessageKey)),
    h("div", { class: "actions" }, open),
    body,
  );
}

function classLabel(cl: MembershipClass, locale: string): string {
  const share = cl.share;
  if (!share || share.amount.minor === 0) return t("communities.classFree", { name: cl.name });
  const amount = formatMoney(share.amount.minor, share.amount.currency, locale);
  const key = share.refundable ? "communities.classShare" : "communities.classFee";
  return t(key, { name: cl.name, amount, instalments: String(share.instalments) });
}

function applicationForm(ctx: Ctx, c: CommunityDetail, hasHousehold: boolean): HTMLElement {
  const locale = getLocale();
  const group = uid("class");
  const status = h("p", { role: "status" });
  const classError = h("p", { class: "error", role: "alert", hidden: true });
  const orgName = h("input", { type: "text", id: uid(), autocomplete: "organization", maxlength: "200" });
  const orgField = field(t("communities.organisationName"), orgName, t("communities.organisationHint"));
  orgField.hidden = true;
  const region = c.regions?.length
    ? h("select", { id: uid() }, h("option", { value: "" }, t("form.choose")), c.regions.map((r) => h("option", { value: r.key }, r.name)))
    : null;
  const statement = h("textarea", { id: uid(), rows: "3", maxlength: "2000" });
  const classes = h(
    "fieldset",
    null,
    h("legend", null, t("communities.class")),
    c.bylaws.classes.map((cl) => {
      const id = uid();
      const blocked = cl.eligible === "household" && !hasHousehold;
      const input = h("input", { type: "radio", name: group, id, value: cl.key, disabled: blocked });
      input.addEventListener("change", () => {
        orgField.hidden = cl.eligible !== "organisation";
      });
      return h(
        "div",
        { class: "check" },
        input,
        h("label", { for: id }, classLabel(cl, locale), blocked ? h("span", { class: "hint" }, " ", t("communities.registerFirst")) : null),
      );
    }),
    classError,
  );
  const form = h(
    "form",
    { novalidate: true },
    classes,
    orgField,
    region ? field(t("communities.region"), region) : null,
    field(t("communities.statement"), statement, t("communities.statementHint")),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("communities.send"))),
    status,
  );
  const showClassError = (msg: string) => {
    classError.textContent = msg;
    classError.hidden = msg === "";
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.textContent = "";
    showClassError("");
    setFieldError(orgName, "");
    if (region) setFieldError(region, "");
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${group}"]:checked`);
    const cl = c.bylaws.classes.find((x) => x.key === chosen?.value);
    let bad = false;
    if (!cl) {
      showClassError(t("form.choose"));
      bad = true;
    }
    if (cl?.eligible === "organisation" && orgName.value.trim() === "") {
      setFieldError(orgName, t("communities.organisationNeeded"));
      bad = true;
    }
    if (region && region.value === "") {
      setFieldError(region, t("form.choose"));
      bad = true;
    }
    if (bad || !cl) {
      status.textContent = t("form.fixErrors");
      return;
    }
    try {
      await ctx.api.apply(c.id, {
        classKey: cl.key,
        organisationName: cl.eligible === "organisation" ? orgName.value.trim() : undefined,
        region: region?.value || undefined,
        statement: statement.value.trim() || undefined,
      });
      clear(form);
      form.append(h("p", { class: "notice" }, t("communities.sent"), " ", h("a", { href: "/me/household" }, t("nav.myHousehold"))));
      announce(t("communities.sent"));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        status.textContent = t("communities.already");
      } else if (err instanceof ApiError && err.fields.length) {
        status.textContent = t("form.fixErrors");
        for (const f of err.fields) {
          if (f.field === "organisationName") setFieldError(orgName, f.message);
          else if (f.field === "region" && region) setFieldError(region, f.message);
          else showClassError(f.message);
        }
      } else {
        status.textContent = err instanceof ApiError ? err.message : t("common.offline");
      }
    }
  });
  return form;
}
