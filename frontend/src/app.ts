// What every screen gets: the API client, the session, navigation.

import type { Api } from "./api/client";
import type { Account, Role } from "./api/types";
import type { RouteParams } from "./lib/router";

/** Session is who is signed in on this page (null: nobody). */
export interface Session {
  account: Account | null;
}

/** Ctx is handed to each screen. */
export interface Ctx {
  api: Api;
  session: Session;
  params: RouteParams;
  search: URLSearchParams;
  go: (path: string) => void;
  /** onCleanup registers what to undo when the screen is left (maps, timers). */
  onCleanup: (f: () => void) => void;
  /** signedIn updates the session after sign-in or sign-out and redraws the page. */
  signedIn: (account: Account | null) => void;
}

/** Screen renders into its container; it may be async (loading data first). */
export type Screen = (ctx: Ctx) => HTMLElement | Promise<HTMLElement>;

/** hasRole reports whether the session's account has one of the roles. */
export function hasRole(session: Session, ...roles: Role[]): boolean {
  return !!session.account && session.account.roles.some((r) => roles.includes(r));
}
