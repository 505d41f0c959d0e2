package community

import "testing"

// TestHouseholdDirectoryOwners checks the owner lookups the community
// routes use to tie a household to the account that speaks for it.
func TestHouseholdDirectoryOwners(t *testing.T) {
	d := NewHouseholdDirectory()
	owned := validHousehold(t)
	family := validHousehold(t)
	family.ID, family.OwnerAccountID, family.ExternalID = "h2", "", "row-18"
	for _, h := range []*Household{owned, family} {
		if err := d.Put(h); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		id        string
		wantOwner string
		wantOK    bool
	}{
		{"h1", "acct-1", true},
		{"h2", "", true}, // registered by an organizer: no account speaks for it
		{"h3", "", false},
	}
	for _, tt := range tests {
		if got, ok := d.Owner(tt.id); got != tt.wantOwner || ok != tt.wantOK {
			t.Errorf("Owner(%q) = %q, %v, want %q, %v", tt.id, got, ok, tt.wantOwner, tt.wantOK)
		}
	}
	for account, want := range map[string]string{"acct-1": "h1", "acct-2": "", "": ""} {
		if got, ok := d.OwnedBy(account); got != want || ok != (want != "") {
			t.Errorf("OwnedBy(%q) = %q, %v, want %q", account, got, ok, want)
		}
	}
	if id, ok := d.IDByExternalID("row-18"); id != "h2" || !ok {
		t.Errorf("IDByExternalID(row-18) = %q, %v, want h2", id, ok)
	}
	if _, ok := d.IDByExternalID(""); ok {
		t.Error("IDByExternalID finds a household without an external id")
	}
	d.Remove("h1")
	if _, ok := d.OwnedBy("acct-1"); ok {
		t.Error("OwnedBy finds a removed household")
	}
}
