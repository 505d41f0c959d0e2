// What the screens show of memberships and proposals, built from the
// community routes' answers.

import type { CommunityDetail, MembershipWire, ProposalWire } from "../api/types";

/** MilestoneView is one step of a membership's pathway. */
export interface MilestoneView {
  key: string;
  name: string;
  completedAt: string | null;
}

/** MembershipView is a membership with its community's name and pathway. */
export interface MembershipView {
  id: string;
  communityId: string;
  communityName: string;
  className: string;
  /** organisation is the organisation the reader represents in this membership, if any. */
  organisation: string | null;
  status: MembershipWire["status"];
  milestones: MilestoneView[];
  next: string | null;
}

/**
 * membershipView lists the class's pathway in order, each step done or not;
 * without the community's bylaws it lists the completed steps it knows.
 */
export function membershipView(m: MembershipWire, c: CommunityDetail | undefined): MembershipView {
  const cls = c?.bylaws.classes.find((x) => x.key === m.classKey);
  const done = new Map(m.milestones.map((r) => [r.key, r.at]));
  const milestones: MilestoneView[] = cls
    ? cls.pathway.map((p) => ({ key: p.key, name: p.name, completedAt: done.get(p.key) ?? null }))
    : m.milestones.map((r) => ({ key: r.key, name: r.key, completedAt: r.at }));
  return {
    id: m.id,
    communityId: m.communityId,
    communityName: c?.name ?? m.communityId,
    className: cls?.name ?? m.classKey,
    organisation: m.organisationName ?? null,
    status: m.status,
    milestones,
    next: m.nextMilestone?.key ?? null,
  };
}

/** ProposalView is a proposal in the reader's language. */
export interface ProposalView {
  id: string;
  communityId: string;
  title: string;
  body: string;
  closes: string;
  anonymous: boolean;
  options: Array<{ key: string; label: string }>;
  /** voterKey is the caller's first voter entry, sent with the ballot. */
  voterKey: string | undefined;
}

function pick<T>(byLang: Record<string, T>, locale: string): T | undefined {
  return byLang[locale] ?? byLang.en ?? Object.values(byLang)[0];
}

/** proposalView picks the reader's language, then English, then any. */
export function proposalView(p: ProposalWire, locale: string): ProposalView {
  const text = pick(p.text, locale);
  return {
    id: p.id,
    communityId: p.communityId,
    title: text?.title ?? p.id,
    body: text?.body ?? "",
    closes: p.closes,
    anonymous: p.anonymous,
    options: p.options.map((o) => ({ key: o.key, label: pick(o.label, locale) ?? o.key })),
    voterKey: p.yourVoters[0]?.key,
  };
}
