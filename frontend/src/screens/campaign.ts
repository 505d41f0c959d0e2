// A campaign's public page: progress breakdown, ledger and pledge form.

import type { Ctx } from "../app";
import type { Campaign, LedgerEntry } from "../api/types";
import { ApiError, IdempotentForm } from "../api/client";
import { getLocale, t, type MessageKey } from "../i18n/i18n";
import { campaignTitle, fundedBasisPoints } from "../lib/campaigns";
import { announce, append, clear, dataTable, field, h, setFieldError, uid } from "../lib/dom";
import { formatDate, formatDateTime, formatMoney, formatPercent } from "../lib/format";
import { parseAmount } from "../lib/money";
import { ringSvg } from "../map/ring";

/** campaignPage renders GET /campaigns/{id} with its ledger and a pledge form. */
export async function campaignPage(ctx: Ctx): Promise<HTMLElement> {
  const locale = getLocale();
  const id = ctx.params.id;
  let c: Campaign;
  try {
    c = await ctx.api.campaign(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return h("div", null, h("h1", null, t("error.notFound")), h("p", null, h("a", { href: "/" }, t("nav.map"))));
    throw e;
  }
  const summary = h("div");
  const ledgerBody = h("tbody");
  const moreBtn = h("button", { type: "button", class: "secondary", hidden: true }, t("ledger.more"));
  let cursor: string | null | undefined;

  function money(v: number | undefined): string {
    return formatMoney(v ?? 0, c.currency, locale);
  }

  function drawSummary(): void {
    clear(summary);
    const bp = fundedBasisPoints(c);
    const ring = h("div", { class: "ring-big", "aria-hidden": "true" });
    ring.innerHTML = ringSvg(bp, formatPercent(bp, locale), 96); // the label is escaped
    const story = locale === "es" && c.story_es ? c.story_es : c.story;
    append(summary, [
      h("div", { class: "actions", style: "align-items:center" }, ring, h("p", { class: "lead" }, t("campaign.progress", { received: money(c.received), target: money(c.target), percent: formatPercent(bp, locale) }))),
      story ? h("p", null, story) : null,
      h(
        "dl",
        { class: "stats" },
        stat("campaign.committed", money(c.committed)),
        stat("campaign.pledged", money(c.pledged)),
        stat("campaign.awarded", money(c.awarded)),
        stat("campaign.matched", money(c.matched)),
        stat("campaign.received", money(c.received)),
        stat("campaign.disbursed", money(c.disbursed)),
        stat("campaign.remaining", money(c.remaining)),
        c.loans ? stat("campaign.loans", money(c.loans)) : null,
        stat("campaign.deadline", formatDate(c.deadline, locale)),
        stat("campaign.status", t(`campaignStatus.${c.status}` as MessageKey)),
        stat("campaign.mode", t(`campaignMode.${c.mode}` as MessageKey)),
      ),
      h("h2", null, t("campaign.budget")),
      dataTable(
        [{ label: t("campaign.budgetLine") }, { label: t("campaign.amount"), num: true }],
        [
          c.budget.map((b) => h("tr", null, h("td", null, b.label || t(`budget.${b.category}` as MessageKey)), h("td", { class: "num" }, money(b.amount)))),
          h("tr", null, h("th", { scope: "row" }, t("campaign.target")), h("td", { class: "num" }, h("strong", null, money(c.target)))),
        ],
      ),
      h("h2", null, t("campaign.funders")),
      c.by_funder.length === 0
        ? h("p", null, t("campaign.noFunders"))
        : dataTable(
            [{ label: t("campaign.funder") }, { label: t("campaign.awarded"), num: true }, { label: t("campaign.received"), num: true }],
            c.by_funder.map((f) => h("tr", null, h("td", null, f.program ? `${f.funder} — ${f.program}` : f.funder), h("td", { class: "num" }, money(f.awarded)), h("td", { class: "num" }, money(f.received)))),
          ),
    ]);
  }

  function ledgerRow(e: LedgerEntry): HTMLElement {
    return h(
      "tr",
      null,
      h("td", null, formatDateTime(e.time, locale)),
      h("td", null, t(`ledgerKind.${e.kind}` as MessageKey)),
      h("td", null, e.who === "Anonymous" ? t("ledger.anonymous") : e.who),
      h("td", { class: "num" }, formatMoney(e.amount, e.currency, locale)),
    );
  }

  async function loadLedger(reset: boolean): Promise<void> {
    if (reset) {
      clear(ledgerBody);
      cursor = undefined;
    }
    try {
      const page = await ctx.api.ledger(id, cursor ?? undefined);
      page.items.forEach((e) => ledgerBody.append(ledgerRow(e)));
      cursor = page.next_cursor;
      moreBtn.hidden = !cursor;
      if (!ledgerBody.firstChild) ledgerBody.append(h("tr", null, h("td", { colspan: "4" }, t("ledger.empty"))));
    } catch {
      ledgerBody.append(h("tr", null, h("td", { colspan: "4" }, t("ledger.failed"))));
    }
  }
  moreBtn.addEventListener("click", () => void loadLedger(false));

  drawSummary();
  void loadLedger(true);

  const page = h(
    "article",
    null,
    h("p", null, h("a", { href: "/" }, t("campaign.back"))),
    h("h1", null, campaignTitle(c, locale)),
    summary,
    c.status === "open" ? pledgeForm(ctx, c, async () => {
      c = await ctx.api.campaign(id);
      drawSummary();
      await loadLedger(true);
    }) : h("p", { class: "notice" }, t("pledge.closed")),
    h("h2", { id: "ledger-h" }, t("ledger.heading")),
    h("p", { class: "hint" }, t("ledger.intro")),
    dataTable(
      [{ label: t("ledger.when") }, { label: t("ledger.what") }, { label: t("ledger.who") }, { label: t("campaign.amount"), num: true }],
      ledgerBody,
      { "aria-labelledby": "ledger-h" },
    ),
    moreBtn,
  );
  return page;
}

function stat(key: MessageKey, value: string): HTMLElement {
  return h("div", null, h("dt", null, t(key)), h("dd", null, value));
}

function pledgeForm(ctx: Ctx, c: Campaign, after: () => Promise<void>): HTMLElement {
  const locale = getLocale();
  const idem = new IdempotentForm();
  const amount = h("input", { id: uid(), inputmode: "decimal", autocomplete: "off", required: true });
  const name = h("input", { id: uid(), autocomplete: "name", required: true, value: ctx.session.account?.display_name ?? "" });
  const org = h("input", { type: "checkbox", id: uid() });
  const anon = h("input", { type: "checkbox", id: uid() });
  const status = h("p", { role: "status" });
  const submit = h("button", { type: "submit" }, t("pledge.submit"));
  const form = h(
    "form",
    { class: "panel", novalidate: true, "aria-labelledby": "pledge-h" },
    h("h2", { id: "pledge-h" }, t("pledge.heading")),
    field(t("pledge.amount", { currency: c.currency }), amount, t("pledge.amountHint", { example: formatMoney(2500n * 100n, c.currency, locale) })),
    field(t("pledge.name"), name),
    h("div", { class: "check" }, org, h("label", { for: org.id }, t("pledge.organisation"))),
    h("div", { class: "check" }, anon, h("label", { for: anon.id }, t("pledge.anonymous"))),
    h("p", { class: "notice", id: "anon-note" }, t("pledge.anonymousNote")),
    h("p", { class: "hint" }, c.mode === "all_or_nothing" ? t("pledge.allOrNothing", { date: formatDate(c.deadline, locale) }) : t("pledge.keepWhatYouRaise")),
    h("div", { class: "actions" }, submit),
    status,
  );
  anon.setAttribute("aria-describedby", "anon-note");
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const minor = parseAmount(amount.value, c.currency, locale);
    setFieldError(amount, minor === null || minor <= 0n ? t("pledge.amountInvalid") : "");
    setFieldError(name, name.value.trim() === "" ? t("form.required") : "");
    if (minor === null || minor <= 0n || name.value.trim() === "") {
      (minor === null || minor <= 0n ? amount : name).focus();
      return;
    }
    const body = {
      pledger: { kind: org.checked ? ("organisation" as const) : ("person" as const), name: name.value.trim() },
      amount: { amount_minor: Number(minor), currency: c.currency },
      anonymous: anon.checked,
    };
    submit.disabled = true;
    status.textContent = t("common.sending");
    try {
      // The same key is sent again if this exact pledge is retried after a
      // failure, so the server counts it once.
      await ctx.api.pledge(c.id, body, idem.keyFor(body));
      idem.done();
      status.textContent = t("pledge.thanks", { amount: formatMoney(minor, c.currency, locale) });
      announce(status.textContent);
      amount.value = "";
      await after();
    } catch (err) {
      status.textContent = err instanceof ApiError && err.status !== 0 ? t("pledge.failed", { reason: err.message }) : t("common.offline");
      if (err instanceof ApiError) {
        for (const f of err.fields) if (f.field.startsWith("amount")) setFieldError(amount, f.message);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}
