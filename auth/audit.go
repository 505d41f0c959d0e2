package auth

import (
	"net/netip"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"commonground/apperr"
)

// EventKind names a security event.
type EventKind string

// The audited events.
const (
	EventRegister         EventKind = "register"
	EventLoginSucceeded   EventKind = "login_succeeded"
	EventLoginFailed      EventKind = "login_failed"
	EventRefreshReuse     EventKind = "refresh_reuse"
	EventRoleChanged      EventKind = "role_changed"
	EventPasswordChanged  EventKind = "password_changed"
	EventAccountDisabled  EventKind = "account_disabled"
	EventPersonalDataRead EventKind = "personal_data_read"
	EventExport           EventKind = "export"
	// EventClaimCodeIssued: an organizer made a claim code for a household
	// registered without an account; EventHouseholdClaimed: an account
	// took the household over with it.
	EventClaimCodeIssued  EventKind = "claim_code_issued"
	EventHouseholdClaimed EventKind = "household_claimed"
	// EventHouseholdVoterJoined: an account joined a household as a voter.
	EventHouseholdVoterJoined EventKind = "household_voter_joined"
)

// EventKinds lists every event kind.
var EventKinds = []EventKind{
	EventRegister, EventLoginSucceeded, EventLoginFailed, EventRefreshReuse, EventRoleChanged,
	EventPasswordChanged, EventAccountDisabled, EventPersonalDataRead, EventExport,
	EventClaimCodeIssued, EventHouseholdClaimed, EventHouseholdVoterJoined,
}

// Valid reports whether k is a known event kind.
func (k EventKind) Valid() bool { return slices.Contains(EventKinds, k) }

// Event is one append-only audit record. It names people only by account id
// and objects by kind and id: never a password, token, email, name, phone or
// location, so the audit log itself holds no personal data to leak.
type Event struct {
	ID         string // NewID(): sorts by time, the cursor for listing
	Kind       EventKind
	Time       time.Time
	ActorID    string // the account that acted; empty for an anonymous caller (a failed login for an unknown email)
	TargetKind string // what was acted on: "account", "household", ...
	TargetID   string
	// Purpose says why personal data was read or exported ("matching",
	// "contact", "partner_referral", ...); required for those kinds.
	Purpose    string
	Reason     string // a fixed code from the code that emits the event, e.g. "bad_password", "throttled"
	ClientAddr string // the client's IP address
	RequestID  string
}

// Limits on event fields, which come partly from request headers.
const maxEventField = 128

// NewEvent returns an event of kind at now with a fresh id.
func NewEvent(kind EventKind, now time.Time) Event {
	return Event{ID: NewID(), Kind: kind, Time: now.UTC()}
}

// Validate names every bad field. Besides format, it refuses anything that
// looks like an email address in any field: ids and codes never contain '@',
// and this keeps a careless caller from writing one into the log.
func (e *Event) Validate() error {
	var f apperr.Fields
	if e.ID == "" {
		f.Add("id", "must not be empty")
	}
	if !e.Kind.Valid() {
		f.Add("kind", "must be a known event kind")
	}
	if e.Time.IsZero() {
		f.Add("time", "must be set")
	}
	if (e.Kind == EventPersonalDataRead || e.Kind == EventExport) && e.Purpose == "" {
		f.Add("purpose", "must say why the data was read")
	}
	if e.ClientAddr != "" {
		if _, err := netip.ParseAddr(e.ClientAddr); err != nil {
			f.Add("client_addr", "must be an IP address")
		}
	}
	for _, fld := range []struct{ name, v string }{
		{"id", e.ID}, {"actor_id", e.ActorID}, {"target_kind", e.TargetKind}, {"target_id", e.TargetID},
		{"purpose", e.Purpose}, {"reason", e.Reason}, {"request_id", e.RequestID},
	} {
		switch {
		case len(fld.v) > maxEventField:
			f.Add(fld.name, "must be at most %d bytes", maxEventField)
		case !utf8.ValidString(fld.v) || strings.ContainsFunc(fld.v, isControl):
			f.Add(fld.name, "must be printable text")
		case strings.Contains(fld.v, "@"):
			f.Add(fld.name, "must not contain an email address")
		}
	}
	return f.Err()
}

// EventFilter selects audit events for GET /api/v1/audit. Zero fields do
// not filter. Events come newest first; After is the ID of the last event of
// the previous page.
type EventFilter struct {
	Kind     EventKind
	ActorID  string
	TargetID string
	Since    time.Time // inclusive
	Until    time.Time // exclusive
	After    string    // cursor: return events older than this id
	Limit    int       // at most MaxEventPage; 0 means DefaultEventPage
}

// Page sizes for listing audit events.
const (
	DefaultEventPage = 50
	MaxEventPage     = 500
)

// Matches reports whether e passes the filter (ignoring cursor and limit),
// so that a store can filter in Go, as DESIGN.md asks of the embedded store.
func (f EventFilter) Matches(e *Event) bool {
	return (f.Kind == "" || e.Kind == f.Kind) &&
		(f.ActorID == "" || e.ActorID == f.ActorID) &&
		(f.TargetID == "" || e.TargetID == f.TargetID) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since)) &&
		(f.Until.IsZero() || e.Time.Before(f.Until))
}

// PageSize returns the number of events a page holds under this filter.
func (f EventFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return DefaultEventPage
	case f.Limit > MaxEventPage:
		return MaxEventPage
	}
	return f.Limit
}
