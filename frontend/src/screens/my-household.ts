// My household: what Common Ground holds about the signed-in resident's
// household, with correction, export and deletion, plus memberships,
// milestones and open votes.

import type { Ctx } from "../app";
import type { Api } from "../api/client";
import type { CommunityDetail, ConsentText, Household, HouseholdVoterLink } from "../api/types";
import { membershipView, proposalView, type MembershipView, type ProposalView } from "../lib/community-view";
import { ApiError } from "../api/client";
import { getLocale, t, type MessageKey } from "../i18n/i18n";
import { consentTexts } from "../lib/consent-texts";
import { announce, clear, download, field, h, setFieldError, uid } from "../lib/dom";
import { formatDate, formatDateTime, formatNumber } from "../lib/format";
import { PURPOSES, SITUATIONS, partnerList } from "../lib/household-draft";

function needSignIn(): HTMLElement {
  return h("div", null, h("h1", null, t("nav.myHousehold")), h("p", null, t("my.signIn"), " ", h("a", { href: "/sign-in?next=/me/household" }, t("auth.signIn"))));
}

/** myHousehold renders GET /me/household, /me/memberships and /me/proposals. */
export async function myHousehold(ctx: Ctx): Promise<HTMLElement> {
  if (!ctx.session.account) return needSignIn();
  const locale = getLocale();
  let hh: Household | null = null;
  try {
    hh = await ctx.api.myHousehold();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
  let link: HouseholdVoterLink | null = null;
  if (!hh) {
    try {
      link = await ctx.api.myVoterHousehold();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  const { memberships, proposals } = await communityPart(ctx.api, locale);
  const status = h("p", { role: "status" });
  const page = h("div", null, h("h1", null, t("nav.myHousehold")));
  if (ctx.search.get("registered")) page.append(h("p", { class: "notice" }, t("my.registered")));
  if (ctx.search.get("claimed")) page.append(h("p", { class: "notice" }, t("my.claimed")));
  if (ctx.search.get("joined")) page.append(h("p", { class: "notice" }, t("my.joined")));
  if (link) {
    page.append(voterLinkView(ctx, link, status));
  } else if (!hh) {
    page.append(h("p", null, t("my.none"), " ", h("a", { href: "/register" }, t("nav.registerHousehold"))), claimForm(ctx));
  } else {
    page.append(householdView(ctx, hh, status));
  }
  page.append(status);

  page.append(h("h2", null, t("my.memberships")));
  if (memberships.length === 0) page.append(h("p", null, t("my.noMemberships")));
  for (const m of memberships) {
    page.append(
      h(
        "section",
        { class: "panel" },
        h("h3", null, m.communityName),
        h("p", null, t("my.membershipStatus", { status: t(`memberStatus.${m.status}` as MessageKey), class: m.className })),
        m.organisation ? h("p", null, t("my.representing", { organisation: m.organisation })) : null,
        // A full member has nothing left to do: founding members skipped
        // the pathway, so only steps actually taken are listed.
        steps(m).length === 0
          ? null
          : h(
              "ol",
              { class: "list", "aria-label": t("my.milestones") },
              steps(m).map((ms) =>
                h(
                  "li",
                  null,
                  h("strong", null, ms.name),
                  " — ",
                  ms.completedAt ? t("my.milestoneDone", { date: formatDate(ms.completedAt, locale) }) : t("my.milestoneOpen"),
                ),
              ),
            ),
      ),
    );
  }

  page.append(h("h2", null, t("my.votes")));
  if (proposals.length === 0) page.append(h("p", null, t("my.noVotes")));
  for (const p of proposals) page.append(voteForm(ctx, p));
  return page;
}

function householdView(ctx: Ctx, hh: Household, status: HTMLElement): HTMLElement {
  const locale = getLocale();
  const situation = h(
    "select",
    { id: uid() },
    SITUATIONS.map((s) => h("option", { value: s, selected: s === hh.current.situation }, t(`situation.${s}` as MessageKey))),
  );
  const zip = h("input", { id: uid(), value: hh.current.zip_code ?? "", inputmode: "numeric", autocomplete: "postal-code" });
  const phone = h("input", { id: uid(), value: hh.contact.phone ?? "", type: "tel", autocomplete: "tel" });
  const email = h("input", { id: uid(), value: hh.contact.email ?? "", type: "email", autocomplete: "email" });
  const bedrooms = h("input", { id: uid(), value: String(hh.needs.bedrooms), type: "number", min: "0", max: "10" });

  const correct = h(
    "form",
    { class: "panel", novalidate: true },
    h("h3", null, t("my.correct")),
    field(t("now.situation"), situation),
    field(t("now.zip"), zip),
    field(t("household.phone"), phone),
    field(t("household.email"), email),
    field(t("needs.bedrooms"), bedrooms),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("common.save"))),
  );
  correct.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await ctx.api.updateHousehold(hh.id, {
        current: { situation: situation.value as Household["current"]["situation"], zip_code: zip.value.trim() || undefined },
        contact: { phone: phone.value.trim() || undefined, email: email.value.trim() || undefined },
        needs: { ...hh.needs, bedrooms: Number.parseInt(bedrooms.value || "0", 10) },
      });
      status.textContent = t("my.saved");
    } catch (err) {
      status.textContent = err instanceof ApiError ? t("my.saveFailed", { reason: err.message }) : t("common.offline");
    }
    announce(status.textContent ?? "");
  });

  const exportBtn = h("button", { type: "button", class: "secondary" }, t("my.export"));
  exportBtn.addEventListener("click", async () => {
    try {
      const data = await ctx.api.exportMyHousehold();
      download(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }), "common-ground-household.json");
      status.textContent = t("my.exported");
    } catch {
      status.textContent = t("common.offline");
    }
  });

  const confirmBox = h("input", { type: "checkbox", id: uid() });
  const deleteBtn = h("button", { type: "button", class: "danger" }, t("my.delete"));
  deleteBtn.addEventListener("click", async () => {
    if (!confirmBox.checked) {
      status.textContent = t("my.deleteConfirmFirst");
      confirmBox.focus();
      return;
    }
    try {
      await ctx.api.deleteHousehold(hh.id);
      status.textContent = t("my.deleted");
      ctx.go("/me/household");
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : t("common.offline");
    }
  });

  return h(
    "div",
    null,
    h(
      "dl",
      { class: "stats" },
      h("div", null, h("dt", null, t("household.size.label")), h("dd", null, formatNumber(hh.members.length, locale))),
      h("div", null, h("dt", null, t("household.names")), h("dd", null, hh.members.map((m) => m.name).join(", "))),
      h("div", null, h("dt", null, t("now.situation")), h("dd", null, hh.current.situation ? t(`situation.${hh.current.situation}` as MessageKey) : "—")),
      h("div", null, h("dt", null, t("my.registeredOn")), h("dd", null, formatDateTime(hh.created_at, locale))),
    ),
    h("h2", null, t("my.consents")),
    consentsView(ctx, hh, status),
    correct,
    votersView(ctx, hh, status),
    h("h2", null, t("my.yourData")),
    h("p", null, t("my.exportHint")),
    h("div", { class: "actions" }, exportBtn),
    h(
      "div",
      { class: "panel" },
      h("h3", null, t("my.deleteHeading")),
      h("p", null, t("my.deleteExplain")),
      h("div", { class: "check" }, confirmBox, h("label", { for: confirmBox.id }, t("my.deleteConfirm"))),
      h("div", { class: "actions" }, deleteBtn),
    ),
  );
}

/** consentsView lists every purpose with its state, and lets the household allow or withdraw it. */
function consentsView(ctx: Ctx, hh: Household, status: HTMLElement): HTMLElement {
  const locale = getLocale();
  const list = h("ul", { class: "list" });
  let texts: ConsentText[] = [];
  const draw = () => {
    clear(list);
    for (const purpose of PURPOSES) {
      // The latest record of a purpose says whether it is in force.
      const rec = [...hh.consents].reverse().find((c) => c.purpose === purpose);
      const active = !!rec && (rec.in_force ?? !rec.withdrawn_at);
      const text = texts.find((x) => x.purpose === purpose);
      const partners = h("textarea", { id: uid(), rows: "2" });
      const titleId = uid("p");
      // Four buttons share two names; each is described by its purpose.
      const act = h("button", { type: "button", class: active ? "secondary" : undefined, "aria-describedby": titleId }, active ? t("my.withdraw") : t("my.allow"));
      act.addEventListener("click", async () => {
        try {
          if (active) {
            hh = await ctx.api.withdrawConsent(hh.id, purpose);
            status.textContent = t("my.withdrawn", { purpose: t(`consent.${purpose}.title` as MessageKey) });
          } else {
            if (!text) return;
            const names = partnerList(partners.value);
            if (purpose === "partner_sharing" && names.length === 0) {
              setFieldError(partners, t("consent.partnersNeeded"));
              partners.focus();
              return;
            }
            hh = await ctx.api.giveConsent(hh.id, { purpose, text_version: text.version, partners: purpose === "partner_sharing" ? names : undefined });
            status.textContent = t("my.allowed", { purpose: t(`consent.${purpose}.title` as MessageKey) });
          }
          announce(status.textContent ?? "");
          draw();
        } catch (e) {
          status.textContent = e instanceof ApiError ? e.message : t("common.offline");
        }
      });
      list.append(
        h(
          "li",
          null,
          h("strong", { id: titleId }, t(`consent.${purpose}.title` as MessageKey)),
          " — ",
          active ? t("my.consentGiven", { date: formatDate(rec!.given_at, locale) }) : rec?.withdrawn_at ? t("my.consentWithdrawn", { date: formatDate(rec.withdrawn_at, locale) }) : t("my.consentNever"),
          h("details", null, h("summary", null, t("my.readConsent")), h("p", null, text?.text ?? t(`consent.${purpose}.text` as MessageKey))),
          !active && purpose === "partner_sharing" ? field(t("consent.partners"), partners, t("consent.partnersHint")) : null,
          h("div", { class: "actions", style: "margin:0.25rem 0" }, act),
        ),
      );
    }
  };
  draw();
  void consentTexts(ctx.api, locale).then((x) => {
    texts = x;
    draw();
  });
  return list;
}

/**
 * claimForm takes a code: an organizer's, with which a family takes over the
 * household registered for it, or a household head's, with which another
 * adult joins the household to vote.
 */
function claimForm(ctx: Ctx): HTMLElement {
  const code = h("input", { type: "text", name: "code", autocomplete: "off", autocapitalize: "characters", spellcheck: "false", required: true, maxlength: "64" });
  const status = h("p", { role: "status" });
  const form = h(
    "form",
    { class: "panel", "aria-labelledby": "claim-heading" },
    h("h2", { id: "claim-heading" }, t("my.claimHeading")),
    h("p", null, t("my.claimExplain")),
    field(t("my.claimCode"), code, t("my.claimHint")),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("my.claim"))),
    status,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    setFieldError(code, "");
    status.textContent = "";
    if (code.value.trim() === "") {
      setFieldError(code, t("my.claimBad"));
      code.focus();
      return;
    }
    try {
      // One box takes both kinds of code: an organizer's, to claim the
      // household, and a household head's, to vote with it.
      try {
        await ctx.api.claimHousehold(code.value);
        ctx.go("/me/household?claimed=1");
      } catch (err) {
        if (!(err instanceof ApiError && err.status === 422)) throw err;
        await ctx.api.joinHouseholdAsVoter(code.value);
        ctx.go("/me/household?joined=1");
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 422) {
        setFieldError(code, t("my.claimBad"));
        code.focus();
      } else if (err instanceof ApiError && err.status === 409) {
        status.textContent = t("my.claimHasHousehold");
      } else {
        status.textContent = err instanceof ApiError ? err.message : t("common.offline");
      }
    }
  });
  return form;
}

function steps(m: MembershipView): MembershipView["milestones"] {
  return m.status === "member" ? m.milestones.filter((ms) => ms.completedAt) : m.milestones;
}

/** voterLinkView tells an adult who joined a household to vote that they did, and lets them leave. */
function voterLinkView(ctx: Ctx, link: HouseholdVoterLink, status: HTMLElement): HTMLElement {
  const leave = h("button", { type: "button", class: "secondary" }, t("my.voterLeave"));
  leave.addEventListener("click", async () => {
    try {
      await ctx.api.removeHouseholdVoter(link.account_id);
      ctx.go("/me/household");
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : t("common.offline");
    }
  });
  return h(
    "section",
    { class: "panel" },
    h("p", null, t("my.voterOf", { date: formatDate(link.linked_at, getLocale()) })),
    h("p", { class: "hint" }, t("my.voterExplain")),
    h("div", { class: "actions" }, leave),
  );
}

/** votersView lets the head of a household give other adults a code to vote with it, and take them off. */
function votersView(ctx: Ctx, hh: Household, status: HTMLElement): HTMLElement {
  const locale = getLocale();
  const list = h("ul", { class: "list" });
  const out = h("div");
  const draw = (voters: Household["voters"]) => {
    clear(list);
    if (!voters || voters.length === 0) list.append(h("li", null, t("my.votersNone")));
    for (const v of voters ?? []) {
      const remove = h("button", { type: "button", class: "secondary" }, t("my.voterRemove"));
      remove.addEventListener("click", async () => {
        try {
          await ctx.api.removeHouseholdVoter(v.account_id);
          draw((voters ?? []).filter((x) => x.account_id !== v.account_id));
          status.textContent = t("my.voterRemoved");
          announce(status.textContent);
        } catch (err) {
          status.textContent = err instanceof ApiError ? err.message : t("common.offline");
        }
      });
      list.append(h("li", null, t("my.voterSince", { date: formatDate(v.linked_at, locale) }), " ", remove));
    }
  };
  draw(hh.voters);
  const make = h("button", { type: "button" }, t("my.voterMake"));
  make.addEventListener("click", async () => {
    clear(out);
    try {
      const c = await ctx.api.issueVoterCode();
      out.append(h("p", null, t("my.voterCode"), " ", h("strong", { class: "claim-code" }, c.code)), h("p", { class: "hint" }, t("my.voterCodeUntil", { date: formatDate(c.expires_at, locale) })));
    } catch (err) {
      out.append(h("p", { role: "alert" }, err instanceof ApiError && err.status === 409 ? t("my.voterFull") : err instanceof ApiError ? err.message : t("common.offline")));
    }
  });
  return h("div", null, h("h2", null, t("my.voters")), h("p", null, t("my.votersExplain")), list, h("div", { class: "actions" }, make), out);
}

/**
 * communityPart loads the person's memberships with their communities'
 * pathways, and the open proposals they may vote on.
 */
async function communityPart(api: Api, locale: string): Promise<{ memberships: MembershipView[]; proposals: ProposalView[] }> {
  const ms = await api.myMemberships().catch(() => []);
  const ids = [...new Set(ms.map((m) => m.communityId))];
  const details = new Map<string, CommunityDetail | undefined>(await Promise.all(ids.map(async (id) => [id, await api.community(id).catch(() => undefined)] as const)));
  const open = (await Promise.all(ids.map((id) => api.proposals(id, "open").catch(() => [])))).flat();
  return {
    memberships: ms.map((m) => membershipView(m, details.get(m.communityId))),
    // Only proposals with a voter entry for the caller can take their ballot.
    proposals: open.filter((p) => p.yourVoters.length > 0).map((p) => proposalView(p, locale)),
  };
}

function voteForm(ctx: Ctx, p: ProposalView): HTMLElement {
  const locale = getLocale();
  const group = uid("v");
  const status = h("p", { role: "status" });
  const form = h(
    "form",
    { class: "panel" },
    h(
      "fieldset",
      null,
      h("legend", null, p.title),
      p.body ? h("p", null, p.body) : null,
      h("p", { class: "meta" }, t("my.voteCloses", { date: formatDateTime(p.closes, locale) })),
      p.options.map((o) => {
        const id = uid();
        return h("div", { class: "check" }, h("input", { type: "radio", name: group, id, value: o.key }), h("label", { for: id }, o.label));
      }),
    ),
    p.anonymous ? h("p", { class: "hint" }, t("my.voteAnonymous")) : null,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("my.vote"))),
    status,
  );
  let secret: string | undefined;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const chosen = form.querySelector<HTMLInputElement>(`input[name="${group}"]:checked`);
    if (!chosen) {
      status.textContent = t("form.choose");
      return;
    }
    try {
      const res = await ctx.api.vote(p.communityId, p.id, chosen.value, p.voterKey, secret);
      // An anonymous ballot can be changed only with the code given once, now.
      if (res.secret) secret = res.secret;
      status.textContent = res.secret ? `${t("my.voted")} ${t("my.voteSecret", { secret: res.secret })}` : t("my.voted");
    } catch (err) {
      status.textContent = err instanceof ApiError ? err.message : t("common.offline");
    }
  });
  return form;
}
