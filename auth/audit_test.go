package auth

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestEventValidate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	base := func(kind EventKind) Event {
		e := NewEvent(kind, now)
		e.ActorID, e.TargetKind, e.TargetID = NewID(), "account", NewID()
		e.ClientAddr, e.RequestID = "2001:db8::1", "req-1"
		return e
	}
	tests := []struct {
		name string
		ev   func() Event
		want []string
	}{
		{"login failed for an unknown email", func() Event {
			e := base(EventLoginFailed)
			e.ActorID, e.TargetKind, e.TargetID, e.Reason = "", "", "", "unknown_account"
			return e
		}, nil},
		{"personal data read with purpose", func() Event {
			e := base(EventPersonalDataRead)
			e.TargetKind, e.Purpose = "household", "matching"
			return e
		}, nil},
		{"personal data read without purpose", func() Event { return base(EventPersonalDataRead) }, []string{"purpose"}},
		{"export without purpose", func() Event { return base(EventExport) }, []string{"purpose"}},
		{"unknown kind, no time, no id", func() Event {
			e := base("login")
			e.ID, e.Time = "", time.Time{}
			return e
		}, []string{"id", "kind", "time"}},
		{"an email where an id goes", func() Event {
			e := base(EventLoginFailed)
			e.TargetID = "maria@example.org"
			return e
		}, []string{"target_id"}},
		{"email in reason and purpose", func() Event {
			e := base(EventExport)
			e.Purpose, e.Reason = "sent to a@b.org", "x@y"
			return e
		}, []string{"purpose", "reason"}},
		{"bad address, long request id, control characters", func() Event {
			e := base(EventRegister)
			e.ClientAddr, e.RequestID, e.Reason = "not-an-ip", strings.Repeat("r", 200), "a\nb"
			return e
		}, []string{"client_addr", "reason", "request_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := tt.ev()
			if diff := cmp.Diff(fieldsOf(t, e.Validate()), tt.want); diff != "" {
				t.Errorf("bad fields (-got +want):\n%s", diff)
			}
		})
	}
	for _, k := range EventKinds {
		if !k.Valid() {
			t.Errorf("%q not valid", k)
		}
	}
}

func TestEventFilter(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	e := Event{Kind: EventRoleChanged, ActorID: "s", TargetID: "a", Time: now}
	tests := []struct {
		name string
		f    EventFilter
		want bool
	}{
		{"empty", EventFilter{}, true},
		{"kind", EventFilter{Kind: EventRoleChanged}, true},
		{"other kind", EventFilter{Kind: EventExport}, false},
		{"actor", EventFilter{ActorID: "s"}, true},
		{"other actor", EventFilter{ActorID: "a"}, false},
		{"target", EventFilter{TargetID: "a"}, true},
		{"since inclusive", EventFilter{Since: now}, true},
		{"since later", EventFilter{Since: now.Add(time.Second)}, false},
		{"until exclusive", EventFilter{Until: now}, false},
		{"until later", EventFilter{Until: now.Add(time.Second)}, true},
	}
	for _, tt := range tests {
		if got := tt.f.Matches(&e); got != tt.want {
			t.Errorf("%s: Matches = %v, want %v", tt.name, got, tt.want)
		}
	}
	for limit, want := range map[int]int{0: DefaultEventPage, -3: DefaultEventPage, 10: 10, 10_000: MaxEventPage} {
		if got := (EventFilter{Limit: limit}).PageSize(); got != want {
			t.Errorf("PageSize(limit %d) = %d, want %d", limit, got, want)
		}
	}
}
