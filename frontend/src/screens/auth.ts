// Sign in and create an account. The access token stays in memory; the
// server sets the refresh token as an HttpOnly cookie for /api/v1/auth.

import type { Ctx } from "../app";
import { ApiError } from "../api/client";
import { getLocale, t } from "../i18n/i18n";
import { field, h, setFieldError, uid } from "../lib/dom";

/** MIN_PASSWORD is the server's minimum password length, checked here too for a quick answer. */
export const MIN_PASSWORD = 12;

function next(ctx: Ctx): string {
  const n = ctx.search.get("next") ?? "/";
  // Only app paths: an absolute or protocol-relative URL would be an open redirect.
  return n.startsWith("/") && !n.startsWith("//") ? n : "/";
}

function problemText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return t("common.offline");
    if (err.status === 401) return t("auth.wrong");
    if (err.status === 429) return t("auth.tooMany");
    // The fields themselves carry the server's reasons; the summary is ours, in the page's language.
    if (err.fields.length) return t("form.fixErrors");
    return err.message || t("error.title");
  }
  return t("error.title");
}

/** signIn renders the sign-in form (POST /auth/login). */
export function signIn(ctx: Ctx): HTMLElement {
  const email = h("input", { id: uid(), type: "email", autocomplete: "username", required: true });
  const password = h("input", { id: uid(), type: "password", autocomplete: "current-password", required: true });
  const status = h("p", { role: "alert", class: "error" });
  const form = h(
    "form",
    { class: "narrow", novalidate: true },
    h("h1", null, t("auth.signIn")),
    field(t("auth.email"), email),
    field(t("auth.password"), password),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("auth.signIn"))),
    h("p", null, t("auth.noAccount"), " ", h("a", { href: "/sign-up" + (ctx.search.get("next") ? `?next=${encodeURIComponent(next(ctx))}` : "") }, t("auth.signUp"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.textContent = "";
    try {
      const tr = await ctx.api.login({ email: email.value.trim(), password: password.value });
      const account = tr.account ?? (await ctx.api.me());
      ctx.signedIn(account);
      ctx.go(next(ctx));
    } catch (err) {
      status.textContent = problemText(err);
      password.value = "";
    }
  });
  return form;
}

/** signUp renders the registration form (POST /auth/register). */
export function signUp(ctx: Ctx): HTMLElement {
  const name = h("input", { id: uid(), autocomplete: "name", required: true });
  const email = h("input", { id: uid(), type: "email", autocomplete: "email", required: true });
  const password = h("input", { id: uid(), type: "password", autocomplete: "new-password", required: true, minlength: String(MIN_PASSWORD) });
  const status = h("p", { role: "alert", class: "error" });
  const form = h(
    "form",
    { class: "narrow", novalidate: true },
    h("h1", null, t("auth.signUp")),
    field(t("auth.displayName"), name),
    field(t("auth.email"), email),
    field(t("auth.password"), password, t("auth.passwordHint", { min: MIN_PASSWORD })),
    status,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("auth.createAccount"))),
    h("p", null, t("auth.haveAccount"), " ", h("a", { href: "/sign-in" }, t("auth.signIn"))),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    status.textContent = "";
    const checks: Array<[HTMLInputElement, string]> = [
      [name, name.value.trim() ? "" : t("form.required")],
      [email, /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim()) ? "" : t("form.email")],
      [password, password.value.length >= MIN_PASSWORD ? "" : t("auth.passwordShort", { min: MIN_PASSWORD })],
    ];
    checks.forEach(([el, msg]) => setFieldError(el, msg));
    const bad = checks.find(([, msg]) => msg);
    if (bad) {
      bad[0].focus();
      return;
    }
    try {
      const locale = getLocale();
      const tr = await ctx.api.register({ email: email.value.trim(), password: password.value, display_name: name.value.trim(), locale });
      const account = tr.account ?? (await ctx.api.me());
      ctx.signedIn(account);
      ctx.go(next(ctx));
    } catch (err) {
      if (err instanceof ApiError) {
        const map: Record<string, HTMLInputElement> = { email, password, display_name: name };
        for (const f of err.fields) if (map[f.field]) setFieldError(map[f.field], f.message);
      }
      status.textContent = problemText(err);
    }
  });
  return form;
}
