package community

import (
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func TestViewHouseholdAccess(t *testing.T) {
	withoutContact := func(h *Household) { h.Consents = h.Consents[:1] }
	withoutMatching := func(h *Household) { h.Consents = h.Consents[1:] }
	matchingWithdrawn := func(h *Household) { w := householdTestNow.Add(-time.Minute); h.Consents[0].WithdrawnAt = &w }
	unchanged := func(h *Household) {}
	orgA := HouseholdViewer{AccountID: "org-1", Role: HouseholdViewerOrganizer}
	steward := HouseholdViewer{AccountID: "stw-1", Role: HouseholdViewerSteward}

	tests := []struct {
		name      string
		change    func(h *Household)
		viewer    HouseholdViewer
		sensitive bool
		wantKind  apperr.Kind
		// expectations when visible
		wantAccess  HouseholdAccess
		wantContact bool
		wantExact   bool
		wantFEMA    bool
		wantAudit   bool
		wantPurpose string
	}{
		{"owner", withoutMatching, HouseholdViewer{AccountID: "acct-1", Role: HouseholdViewerResident}, false, "", HouseholdAccessOwner, true, true, true, false, "owner"},
		{"owner who is an organizer", withoutMatching, HouseholdViewer{AccountID: "acct-1", Role: HouseholdViewerOrganizer}, false, "", HouseholdAccessOwner, true, true, true, false, "owner"},
		{"another resident", unchanged, HouseholdViewer{AccountID: "acct-2", Role: HouseholdViewerResident}, false, apperr.NotFound, "", false, false, false, false, ""},
		{"anonymous", unchanged, HouseholdViewer{}, false, apperr.NotFound, "", false, false, false, false, ""},
		{"anonymous on an ownerless household", func(h *Household) { h.OwnerAccountID = "" }, HouseholdViewer{}, false, apperr.NotFound, "", false, false, false, false, ""},
		{"organizer with matching and contact", unchanged, orgA, false, "", HouseholdAccessMatching, true, false, false, true, "matching+contact"},
		{"organizer with matching only", withoutContact, orgA, false, "", HouseholdAccessMatching, false, false, false, true, "matching"},
		{"organizer without matching", withoutMatching, orgA, false, apperr.NotFound, "", false, false, false, false, ""},
		{"organizer after matching withdrawn", matchingWithdrawn, orgA, false, apperr.NotFound, "", false, false, false, false, ""},
		{"organizer asking for sensitive", unchanged, orgA, true, apperr.Forbidden, "", false, false, false, false, ""},
		{"resident asking for sensitive", unchanged, HouseholdViewer{AccountID: "acct-1", Role: HouseholdViewerResident}, true, apperr.Forbidden, "", false, false, false, false, ""},
		{"steward", withoutContact, steward, false, "", HouseholdAccessMatching, false, false, false, true, "matching"},
		{"steward without matching", withoutMatching, steward, false, apperr.NotFound, "", false, false, false, false, ""},
		{"steward sensitive", unchanged, steward, true, "", HouseholdAccessSensitive, true, true, true, true, "matching+contact+sensitive"},
		{"steward sensitive, no contact consent", withoutContact, steward, true, "", HouseholdAccessSensitive, false, true, true, true, "matching+sensitive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validHousehold(t)
			tt.change(h)
			before := h.Clone()
			got, err := ViewHousehold(h, tt.viewer, HouseholdViewOptions{Sensitive: tt.sensitive}, householdTestNow)
			if diff := cmp.Diff(h, before); diff != "" {
				t.Fatalf("ViewHousehold changed the household:\n%s", diff)
			}
			if apperr.KindOf(err) != tt.wantKind {
				t.Fatalf("got error %v, want kind %q", err, tt.wantKind)
			}
			if err != nil {
				return
			}
			v := got.View
			if v.Access != tt.wantAccess || got.Audit != tt.wantAudit || got.Purpose != tt.wantPurpose {
				t.Errorf("got access %q audit %v purpose %q, want %q %v %q", v.Access, got.Audit, got.Purpose, tt.wantAccess, tt.wantAudit, tt.wantPurpose)
			}
			if (v.Contact != nil) != tt.wantContact {
				t.Errorf("contact shown = %v, want %v", v.Contact != nil, tt.wantContact)
			}
			if (v.FEMARegistrationID != nil) != tt.wantFEMA || (v.Notes != nil) != tt.wantFEMA || (v.Address != nil) != tt.wantFEMA {
				t.Errorf("sensitive fields shown: fema %v notes %v address %v, want %v", v.FEMARegistrationID != nil, v.Notes != nil, v.Address != nil, tt.wantFEMA)
			}
			wantLoc := *h.LostHome.Location
			if !tt.wantExact {
				wantLoc = orb.Point{-122.810, 42.233}
			}
			if v.Location == nil || *v.Location != wantLoc || v.LocationRounded == tt.wantExact {
				t.Errorf("location %v rounded %v, want %v", v.Location, v.LocationRounded, wantLoc)
			}
			for _, w := range v.Withheld {
				if w == "contact" && v.Contact != nil || w == "notes" && v.Notes != nil {
					t.Errorf("%q listed as withheld but shown", w)
				}
			}
			if (v.OwnerAccountID != nil) != (tt.wantAccess == HouseholdAccessOwner) {
				t.Errorf("owner account shown to %q", v.Access)
			}
			if v.Size != 2 || len(v.Members) != 2 || v.DisasterNumber != "DR-4562-OR" {
				t.Errorf("matching fields missing: size %d members %d disaster %q", v.Size, len(v.Members), v.DisasterNumber)
			}
		})
	}
}

func TestViewDoesNotShareMemory(t *testing.T) {
	h := validHousehold(t)
	r, err := ViewHousehold(h, HouseholdViewer{AccountID: "acct-1"}, HouseholdViewOptions{}, householdTestNow)
	if err != nil {
		t.Fatal(err)
	}
	r.View.Members[0].Name = "changed"
	*r.View.Location = orb.Point{0, 0}
	*r.View.Notes = "changed"
	if h.Members[0].Name == "changed" || h.LostHome.Location[0] == 0 || h.Notes == "changed" {
		t.Errorf("view shares memory with the household")
	}
}

func TestRoundHouseholdLocation(t *testing.T) {
	tests := []struct{ in, want orb.Point }{
		{orb.Point{-122.81049, 42.23251}, orb.Point{-122.810, 42.233}},
		{orb.Point{-122.8105, 42.2325}, orb.Point{-122.811, 42.233}}, // halves round away from zero
		{orb.Point{179.9996, -89.9999}, orb.Point{180, -90}},
		{orb.Point{0.0004, 0.0006}, orb.Point{0, 0.001}},
	}
	for _, tt := range tests {
		got := RoundHouseholdLocation(tt.in)
		if !cmp.Equal(got, tt.want, cmp.Comparer(func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 })) {
			t.Errorf("RoundHouseholdLocation(%v) = %v, want %v", tt.in, got, tt.want)
		}
		// Snapping never moves a point more than half a grid cell.
		if d := tt.in.Lon() - got.Lon(); d > HouseholdLocationGrid/2+1e-12 || -d > HouseholdLocationGrid/2+1e-12 {
			t.Errorf("lon moved by %v", d)
		}
	}
}
