import { describe, expect, it } from "vitest";
import type { CommunityDetail, MembershipWire, ProposalWire } from "../api/types";
import { membershipView, proposalView } from "./community-view";

const community: CommunityDetail = {
  id: "co-1",
  name: "Bear Creek Homes Co-op",
  model: "resident_owned_community",
  yourRoles: [],
  bylaws: {
    version: 1,
    classes: [
      {
        key: "household",
        name: "Resident household",
        pathway: [
          { key: "orientation", kind: "training", name: "Orientation", verifiedBy: ["community_admin"] },
          { key: "share", kind: "share_paid", name: "Share paid in full", verifiedBy: ["community_admin"] },
          { key: "vote", kind: "member_vote", name: "Member vote", verifiedBy: [] },
        ],
      },
    ],
  },
};

const membership: MembershipWire = {
  id: "m-1",
  communityId: "co-1",
  classKey: "household",
  householdId: "h-1",
  status: "provisional",
  appliedBy: "u-1",
  appliedAt: "2026-11-01T10:00:00Z",
  milestones: [{ key: "orientation", at: "2026-11-20T18:00:00Z" }],
  nextMilestone: { key: "share", kind: "share_paid", name: "Share paid in full", verifiedBy: [] },
  paid: { minor: 0, currency: "USD" },
};

describe("membershipView", () => {
  it("lists the class's pathway in order with what is done", () => {
    expect(membershipView(membership, community)).toEqual({
      id: "m-1",
      communityId: "co-1",
      communityName: "Bear Creek Homes Co-op",
      className: "Resident household",
      organisation: null,
      status: "provisional",
      milestones: [
        { key: "orientation", name: "Orientation", completedAt: "2026-11-20T18:00:00Z" },
        { key: "share", name: "Share paid in full", completedAt: null },
        { key: "vote", name: "Member vote", completedAt: null },
      ],
      next: "share",
    });
  });

  it("falls back to what the membership itself says without the bylaws", () => {
    const v = membershipView({ ...membership, nextMilestone: undefined }, undefined);
    expect(v.communityName).toBe("co-1");
    expect(v.className).toBe("household");
    expect(v.milestones).toEqual([{ key: "orientation", name: "orientation", completedAt: "2026-11-20T18:00:00Z" }]);
    expect(v.next).toBeNull();
  });

  it("names the organisation a representative holds the membership for", () => {
    const v = membershipView({ ...membership, householdId: undefined, organisationName: "Rogue Credit Union" }, community);
    expect(v.organisation).toBe("Rogue Credit Union");
  });
});

describe("proposalView", () => {
  const p: ProposalWire = {
    id: "pr-1",
    communityId: "co-1",
    kind: "simple_majority",
    text: { en: { title: "Buy the Wagner Creek parcel", body: "Six acres near Talent." }, es: { title: "Comprar la parcela de Wagner Creek", body: "Seis acres cerca de Talent." } },
    options: [
      { key: "yes", label: { en: "Yes", es: "Sí" }, abstain: false },
      { key: "abstain", label: { en: "Abstain" }, abstain: true },
      { key: "x", label: {}, abstain: false },
    ],
    anonymous: true,
    opens: "2026-12-01T00:00:00Z",
    closes: "2026-12-20T02:00:00Z",
    status: "open",
    yourVoters: [{ key: "household:h-1", classKey: "household", weight: 1 }],
  };

  it("reads the proposal in the page's language, then English, then the key", () => {
    const es = proposalView(p, "es");
    expect(es.title).toBe("Comprar la parcela de Wagner Creek");
    expect(es.options).toEqual([
      { key: "yes", label: "Sí" },
      { key: "abstain", label: "Abstain" },
      { key: "x", label: "x" },
    ]);
    expect(es.voterKey).toBe("household:h-1");
    expect(proposalView({ ...p, text: { fr: { title: "Acheter", body: "" } } }, "es").title).toBe("Acheter");
    expect(proposalView({ ...p, yourVoters: [] }, "en").voterKey).toBeUndefined();
  });
});
