// An organizer's view of one campaign: open or cancel it, record grants and
// received pledges, propose disbursements and approve another organizer's.

import type { Ctx } from "../app";
import type { Campaign, CampaignStatus, Disbursement, GrantUse, Pledge } from "../api/types";
import { IdempotentForm } from "../api/client";
import { getLocale, t, type MessageKey } from "../i18n/i18n";
import { campaignTitle, fundedBasisPoints } from "../lib/campaigns";
import { clear, dataTable, field, h, setFieldError, uid } from "../lib/dom";
import { formatMoney, formatPercent } from "../lib/format";
import { parseAmount } from "../lib/money";
import { errText, guard } from "./organizer";

const USES: GrantUse[] = ["land_acquisition", "infrastructure", "housing_construction", "relocation", "administration"];

/** NEXT lists the status changes an organizer can make from each status (the fund pool's transitions). */
const NEXT: Partial<Record<CampaignStatus, CampaignStatus[]>> = {
  draft: ["open", "cancelled"],
  open: ["cancelled"],
  funded: ["purchasing", "cancelled"],
  purchasing: ["completed", "cancelled"],
};

/** campaignAdmin renders /organize/campaigns/{id}. */
export async function campaignAdmin(ctx: Ctx): Promise<HTMLElement> {
  const blocked = guard(ctx);
  if (blocked) return blocked;
  const locale = getLocale();
  const id = ctx.params.id;
  let c = await ctx.api.campaign(id);
  const status = h("p", { role: "status" });
  const head = h("div");
  const pledgeBody = h("tbody");
  const disbBody = h("tbody");
  const money = (v: number) => formatMoney(v, c.currency, locale);

  async function reload(): Promise<void> {
    c = await ctx.api.campaign(id);
    drawHead();
    await Promise.all([loadPledges(), loadDisbursements()]);
  }

  function drawHead(): void {
    clear(head);
    head.append(
      h("p", null, t("campaign.progress", { received: money(c.received), target: money(c.target), percent: formatPercent(fundedBasisPoints(c), locale) })),
      h("p", null, t("campaign.status"), ": ", h("strong", null, t(`campaignStatus.${c.status}` as MessageKey)), " · ", h("a", { href: `/campaigns/${encodeURIComponent(c.id)}` }, t("org.publicPage"))),
      h(
        "div",
        { class: "actions" },
        (NEXT[c.status] ?? []).map((to) =>
          h(
            "button",
            {
              type: "button",
              class: to === "cancelled" ? "danger" : undefined,
              onclick: async () => {
                // Cancelling releases every pledge: ask before doing it.
                if (to === "cancelled" && !window.confirm(t("org.confirmCancel"))) return;
                try {
                  c = await ctx.api.setCampaignStatus(c.id, to);
                  status.textContent = t("org.statusChanged", { status: t(`campaignStatus.${to}` as MessageKey) });
                  drawHead();
                } catch (e) {
                  status.textContent = errText(e);
                }
              },
            },
            t(`org.moveTo.${to}` as MessageKey),
          ),
        ),
      ),
    );
  }

  async function loadPledges(): Promise<void> {
    clear(pledgeBody);
    try {
      const page = await ctx.api.pledges(id);
      page.items.forEach((p) => pledgeBody.append(pledgeRow(p)));
      if (!page.items.length) pledgeBody.append(h("tr", null, h("td", { colspan: "4" }, t("org.noPledges"))));
    } catch (e) {
      status.textContent = errText(e);
    }
  }

  function pledgeRow(p: Pledge): HTMLElement {
    const idem = new IdempotentForm();
    const amount = h("input", { id: uid(), inputmode: "decimal", "aria-label": t("org.receivedAmount", { name: p.name ?? "" }), size: "10" });
    const receive = h("button", { type: "button", class: "secondary" }, t("org.recordReceipt"));
    receive.addEventListener("click", async () => {
      const minor = parseAmount(amount.value, c.currency, locale);
      if (minor === null || minor <= 0n) {
        amount.setAttribute("aria-invalid", "true");
        status.textContent = t("pledge.amountInvalid");
        amount.focus();
        return;
      }
      amount.removeAttribute("aria-invalid");
      const body = { source_kind: "pledge" as const, source_id: p.id, amount: { amount_minor: Number(minor), currency: c.currency } };
      try {
        await ctx.api.recordReceipt(c.id, body, idem.keyFor(body));
        idem.done();
        status.textContent = t("org.receiptRecorded");
        await reload();
      } catch (e) {
        status.textContent = errText(e);
      }
    });
    return h(
      "tr",
      null,
      h("td", null, p.name ?? "—", p.anonymous ? ` (${t("org.anonymousPublicly")})` : ""),
      h("td", null, t(`pledgeStatus.${p.status}` as MessageKey)),
      h("td", { class: "num" }, money(p.amount)),
      h("td", null, p.status === "pledged" || p.status === "received" ? h("div", { class: "actions", style: "margin:0" }, amount, receive) : null),
    );
  }

  async function loadDisbursements(): Promise<void> {
    clear(disbBody);
    try {
      const page = await ctx.api.disbursements(id);
      page.items.forEach((d) => disbBody.append(disbursementRow(d)));
      if (!page.items.length) disbBody.append(h("tr", null, h("td", { colspan: "5" }, t("org.noDisbursements"))));
    } catch (e) {
      status.textContent = errText(e);
    }
  }

  function disbursementRow(d: Disbursement): HTMLElement {
    const mine = d.proposed_by === ctx.session.account?.id;
    const approve = h(
      "button",
      {
        type: "button",
        onclick: async () => {
          try {
            await ctx.api.approveDisbursement(c.id, d.id, new IdempotentForm().keyFor({ approve: d.id }));
            status.textContent = t("org.approved");
            await reload();
          } catch (e) {
            status.textContent = errText(e);
          }
        },
      },
      t("org.approve"),
    );
    return h(
      "tr",
      null,
      h("td", null, d.payee, d.memo ? ` — ${d.memo}` : ""),
      h("td", null, t(`use.${d.use}` as MessageKey)),
      h("td", { class: "num" }, money(d.amount)),
      h("td", null, t(`disbursementStatus.${d.status}` as MessageKey)),
      // The proposer may not approve their own disbursement; say why instead of offering the button.
      h("td", null, d.status === "proposed" ? (mine ? t("org.needsOtherApprover") : approve) : null),
    );
  }

  drawHead();
  await Promise.all([loadPledges(), loadDisbursements()]);

  return h(
    "div",
    null,
    h("p", null, h("a", { href: "/organize?tab=campaigns" }, t("parcel.back"))),
    h("h1", null, campaignTitle(c, locale)),
    head,
    status,
    h("h2", null, t("org.pledges")),
    dataTable([{ label: t("org.pledger") }, { label: t("org.status") }, { label: t("campaign.amount"), num: true }, { label: t("org.recordReceipt") }], pledgeBody),
    h("h2", null, t("org.disbursements")),
    dataTable([{ label: t("org.payee") }, { label: t("org.use") }, { label: t("campaign.amount"), num: true }, { label: t("org.status") }, { label: t("org.approve") }], disbBody),
    disbursementForm(ctx, c, reload, status),
    grantForm(ctx, c, reload, status),
  );
}

function grantForm(ctx: Ctx, c: Campaign, reload: () => Promise<void>, status: HTMLElement): HTMLElement {
  const locale = getLocale();
  const idem = new IdempotentForm();
  const funder = h("input", { id: uid(), required: true, autocomplete: "organization" });
  const program = h("input", { id: uid() });
  const awardId = h("input", { id: uid() });
  const amount = h("input", { id: uid(), inputmode: "decimal", required: true });
  const useBoxes = USES.map((u) => [u, h("input", { type: "checkbox", id: uid() })] as const);
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h("h2", null, t("org.recordGrant")),
    field(t("campaign.funder"), funder, t("org.funderHint")),
    field(t("org.program"), program),
    field(t("org.awardId"), awardId),
    field(t("org.awardedIn", { currency: c.currency }), amount),
    h("fieldset", null, h("legend", null, t("org.uses")), useBoxes.map(([u, box]) => h("div", { class: "check" }, box, h("label", { for: box.id }, t(`use.${u}` as MessageKey))))),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("org.recordGrant"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const minor = parseAmount(amount.value, c.currency, locale);
    setFieldError(funder, funder.value.trim() ? "" : t("form.required"));
    setFieldError(amount, minor !== null && minor > 0n ? "" : t("pledge.amountInvalid"));
    if (!funder.value.trim() || minor === null || minor <= 0n) return;
    const body = {
      funder: funder.value.trim(),
      program: program.value.trim() || undefined,
      award_id: awardId.value.trim() || undefined,
      awarded: { amount_minor: Number(minor), currency: c.currency },
      uses: useBoxes.filter(([, b]) => b.checked).map(([u]) => u),
    };
    try {
      await ctx.api.recordGrant(c.id, body, idem.keyFor(body));
      idem.done();
      form.reset();
      status.textContent = t("org.grantRecorded");
      await reload();
    } catch (err) {
      status.textContent = errText(err);
    }
  });
  return form;
}

function disbursementForm(ctx: Ctx, c: Campaign, reload: () => Promise<void>, status: HTMLElement): HTMLElement {
  const locale = getLocale();
  const idem = new IdempotentForm();
  const payee = h("input", { id: uid(), required: true });
  const use = h("select", { id: uid() }, USES.map((u) => h("option", { value: u }, t(`use.${u}` as MessageKey))));
  const amount = h("input", { id: uid(), inputmode: "decimal", required: true });
  const memo = h("input", { id: uid() });
  const form = h(
    "form",
    { class: "panel", novalidate: true },
    h("h2", null, t("org.proposeDisbursement")),
    h("p", { class: "hint" }, t("org.disbursementHint")),
    field(t("org.payee"), payee),
    field(t("org.use"), use),
    field(t("pledge.amount", { currency: c.currency }), amount),
    field(t("org.memo"), memo),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("org.proposeDisbursement"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const minor = parseAmount(amount.value, c.currency, locale);
    setFieldError(payee, payee.value.trim() ? "" : t("form.required"));
    setFieldError(amount, minor !== null && minor > 0n ? "" : t("pledge.amountInvalid"));
    if (!payee.value.trim() || minor === null || minor <= 0n) return;
    const body = { amount: { amount_minor: Number(minor), currency: c.currency }, use: use.value as GrantUse, payee: payee.value.trim(), memo: memo.value.trim() || undefined };
    try {
      await ctx.api.proposeDisbursement(c.id, body, idem.keyFor(body));
      idem.done();
      form.reset();
      status.textContent = t("org.proposed");
      await reload();
    } catch (err) {
      status.textContent = errText(err);
    }
  });
  return form;
}

