package fundpool

import (
	"sort"
	"time"

	"commonground/apperr"
)

// Resolution is what a campaign's deadline decides.
type Resolution struct {
	// Due is false when there is nothing to decide: the deadline has not
	// passed, or the campaign is not open (nor failed with pledges left).
	Due bool
	// Outcome is StatusFunded or StatusFailed when Due.
	Outcome Status
	// Releases void every outstanding pledge of a failed all-or-nothing
	// campaign, one transaction per pledge in pledge id order.
	Releases []Transaction
}

// ReleaseKey is the idempotency key of the release of a pledge at its
// campaign's deadline. It depends only on the campaign and the pledge, so a
// resolution run twice (across a restart, or by two workers) posts each
// release once.
func ReleaseKey(campaignID, pledgeID string) string {
	return "deadline/" + campaignID + "/release/" + pledgeID
}

// MarkFunded moves an open campaign to funded before its deadline, when an
// organizer sees the target reached: an all-or-nothing campaign needs
// everything committed to reach the target, a keep-what-you-raise campaign
// needs something committed. Otherwise it is a Conflict and c is unchanged.
func MarkFunded(b *Book, c *Campaign, at time.Time) error {
	b.mu.RLock()
	var committed int64
	if l := b.campaigns[c.ID]; l != nil {
		committed = l.committed()
	}
	b.mu.RUnlock()
	if c.Mode == AllOrNothing && committed < c.Target.Amount {
		return apperr.New(apperr.Conflict, "only %s of the %s target is committed", Money{committed, c.Currency()}, c.Target)
	}
	if committed <= 0 {
		return apperr.New(apperr.Conflict, "nothing has been committed yet")
	}
	return c.Transition(StatusFunded, at)
}

// ResolveDeadline decides an open campaign whose deadline has passed at now.
// An all-or-nothing campaign is funded if everything committed reaches its
// target and otherwise fails, releasing every outstanding pledge. A
// keep-what-you-raise campaign is funded if anything was committed.
//
// It is pure and deterministic: the releases are dated at the deadline and
// keyed by ReleaseKey. To resolve, post the releases (a retry of one already
// posted is a no-op) and then move the campaign to Outcome. If the process
// stops in between, running ResolveDeadline again finds the campaign open and
// decides the same way, or finds it failed and returns the releases still
// missing.
func ResolveDeadline(b *Book, c Campaign, now time.Time) Resolution {
	failedWithPledges := c.Status == StatusFailed && c.Mode == AllOrNothing
	if !failedWithPledges && (c.Status != StatusOpen || now.Before(c.Deadline)) {
		return Resolution{}
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[c.ID]
	var committed int64
	if l != nil {
		committed = l.committed()
	}
	r := Resolution{Due: true, Outcome: StatusFunded}
	switch {
	case failedWithPledges:
		r.Outcome = StatusFailed
	case c.Mode == AllOrNothing && committed < c.Target.Amount:
		r.Outcome = StatusFailed
	case c.Mode == KeepWhatYouRaise && committed <= 0:
		r.Outcome = StatusFailed
	}
	if r.Outcome != StatusFailed || c.Mode != AllOrNothing || l == nil {
		return r
	}
	pledges := append([]*sourceInfo(nil), l.pledges...)
	sort.Slice(pledges, func(i, j int) bool { return pledges[i].ID < pledges[j].ID })
	for _, p := range pledges {
		out := l.balances[PledgedAccount(c.ID, p.ID)]
		if out == 0 || p.closed != "" {
			continue
		}
		r.Releases = append(r.Releases, voidPledge(l, p.ID, KindRelease, out, TxMeta{
			Key:  ReleaseKey(c.ID, p.ID),
			Memo: "released: the campaign did not reach its target by the deadline",
			At:   c.Deadline,
		}))
	}
	return r
}
