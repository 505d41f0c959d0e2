package community

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

func TestExportHouseholdData(t *testing.T) {
	h := validHousehold(t)
	// The same text given twice (withdrawn, then given again) appears once.
	again := h.Consents[0]
	w := householdTestNow.Add(-30 * time.Minute)
	h.Consents[0].WithdrawnAt = &w
	again.GivenAt = w
	h.Consents = append(h.Consents, again)
	dups := []HouseholdDuplicate{{ID: "h7", Reasons: []HouseholdDuplicateReason{HouseholdDuplicateNameAndPhone}}}

	got := ExportHouseholdData(h, dups, householdTestNow)
	if diff := cmp.Diff(got.Household, h); diff != "" {
		t.Errorf("household (-got +want):\n%s", diff)
	}
	if len(got.ConsentTexts) != 2 || got.ConsentTexts[0].Purpose != ConsentMatching || got.ConsentTexts[1].Purpose != ConsentContact {
		t.Errorf("consent texts: %+v", got.ConsentTexts)
	}
	got.Household.Members[0].Name = "changed"
	dups[0].ID = "changed"
	if h.Members[0].Name == "changed" || got.PossibleDuplicates[0].ID == "changed" {
		t.Errorf("export shares memory with its inputs")
	}
}

func TestEraseHouseholdKeepsNoPersonalData(t *testing.T) {
	h := validHousehold(t)
	h.Consents = append(h.Consents, householdTestConsent(t, ConsentAggregateStatistics))
	got := EraseHousehold(h, time.Date(2026, 4, 17, 9, 30, 0, 0, time.UTC))
	want := HouseholdRemainder{ErasedMonth: "2026-04", Size: 2, Bedrooms: 2, AccessibilityNeeded: true, Situation: HouseholdSituationHotel, DisasterNumber: "DR-4562-OR", CountInStatistics: true}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("remainder (-got +want):\n%s", diff)
	}
	// No string of the household's personal data survives in the remainder.
	b, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	for _, personal := range []string{h.ID, h.OwnerAccountID, h.ExternalID, "Rosa", "Tom", h.Contact.Phone, h.Contact.Email, h.FEMA.RegistrationID, "Bear Lake", "-122.8", "42.23", "17"} {
		if strings.Contains(string(b), personal) {
			t.Errorf("remainder %s contains %q", b, personal)
		}
	}
	// The remainder type has no field able to hold more than listed above.
	if n := reflect.TypeOf(got).NumField(); n != 7 {
		t.Errorf("HouseholdRemainder has %d fields; review what it keeps", n)
	}
}

func TestHouseholdNeedsSummary(t *testing.T) {
	pop := householdTestPopulation(t, 2000, 9, 0.05, 2000)
	got := SummarizeHouseholdNeeds(pop, householdTestNow)

	// Brute force over the same population.
	var want HouseholdNeedsSummary
	situations := map[HouseholdSituation]*int{
		HouseholdSituationShelter: &want.Situations.Shelter, HouseholdSituationHotel: &want.Situations.Hotel,
		HouseholdSituationFamilyOrFriends: &want.Situations.FamilyOrFriends, HouseholdSituationVehicle: &want.Situations.Vehicle,
		HouseholdSituationRental: &want.Situations.Rental, HouseholdSituationOther: &want.Situations.Other,
	}
	for _, h := range pop {
		counted := false
		for _, c := range h.Consents {
			counted = counted || (c.Purpose == ConsentAggregateStatistics && c.WithdrawnAt == nil)
		}
		if !counted {
			continue
		}
		want.Households++
		want.People += len(h.Members)
		want.Bedrooms[min(h.Needs.Bedrooms, 5)]++
		if len(h.Needs.Accessibility) > 0 {
			want.Accessibility++
		}
		*situations[h.Current.Situation]++
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("summary (-got +want):\n%s", diff)
	}
	if got.Households == 0 || got.Households == len(pop) {
		t.Fatalf("population should mix consenting and not consenting households, got %d of %d", got.Households, len(pop))
	}

	// Merging the summaries of two halves gives the whole.
	a := SummarizeHouseholdNeeds(pop[:700], householdTestNow)
	a.Merge(SummarizeHouseholdNeeds(pop[700:], householdTestNow))
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("merged halves (-got +want):\n%s", diff)
	}

	var r HouseholdNeedsSummary
	if r.AddRemainder(HouseholdRemainder{Size: 3, Bedrooms: 9}) {
		t.Errorf("counted a remainder without consent")
	}
	r.AddRemainder(HouseholdRemainder{Size: 3, Bedrooms: 9, CountInStatistics: true})
	if r.Households != 1 || r.People != 3 || r.Bedrooms[5] != 1 || r.Situations.Unknown != 1 {
		t.Errorf("remainder summary: %+v", r)
	}
}

func TestHouseholdDirectory(t *testing.T) {
	d := NewHouseholdDirectory()
	a := validHousehold(t)
	if err := d.Put(a); err != nil {
		t.Fatal(err)
	}
	b := validHousehold(t)
	b.ID = "h2"
	tests := []struct {
		name   string
		change func(h *Household)
		want   apperr.Kind
	}{
		{"same owner", func(h *Household) { h.ExternalID = "other" }, apperr.Conflict},
		{"same external id", func(h *Household) { h.OwnerAccountID = "acct-2" }, apperr.Conflict},
		{"distinct", func(h *Household) { h.OwnerAccountID, h.ExternalID = "acct-2", "other" }, ""},
		{"no owner, no external id", func(h *Household) { h.OwnerAccountID, h.ExternalID = "", "" }, ""},
	}
	for i, tt := range tests {
		h := b.Clone()
		h.ID = fmt.Sprintf("h%d", i+2)
		tt.change(h)
		if got := apperr.KindOf(d.Check(h)); got != tt.want {
			t.Errorf("%s: Check = %q, want %q", tt.name, got, tt.want)
		}
	}
	mine, ok := d.ByOwner("acct-1")
	if !ok || mine.ID != "h1" {
		t.Fatalf("ByOwner: %v %v", mine, ok)
	}
	mine.Notes = "changed"
	if again, _ := d.ByID("h1"); again.Notes == "changed" {
		t.Errorf("directory shares memory with what it hands out")
	}
	// Replacing h1 with a new owner frees the old one.
	moved := a.Clone()
	moved.OwnerAccountID, moved.ExternalID = "acct-9", ""
	if err := d.Put(moved); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.ByOwner("acct-1"); ok || d.HasExternalID("row-17") || d.Len() != 1 {
		t.Errorf("old keys survive a replacement")
	}
	d.Remove("h1")
	if _, ok := d.ByOwner("acct-9"); ok || d.Len() != 0 || len(d.All()) != 0 {
		t.Errorf("household survives Remove")
	}
	if _, ok := d.ByOwner(""); ok {
		t.Errorf("empty owner found a household")
	}
}

func BenchmarkHouseholdValidate(b *testing.B) {
	pop := householdTestPopulation(b, 100_000, 5, 0.08, 90_000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := pop[i%len(pop)].Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewHousehold(b *testing.B) {
	pop := householdTestPopulation(b, 100_000, 5, 0.08, 90_000)
	for _, h := range pop {
		h.Contact.Phone = "(541) " + h.Contact.Phone[5:8] + "-" + h.Contact.Phone[8:]
	}
	reg := HouseholdRegistration{By: HouseholdRegisteredBySelf}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h := pop[i%len(pop)]
		if _, err := NewHousehold(h.ID, "acct", h, reg, householdTestNow); err != nil {
			b.Fatal(err)
		}
	}
}
