package community

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"commonground/apperr"
)

func TestConsentTextsCoverEveryPurposeAndLanguage(t *testing.T) {
	texts := ConsentTexts()
	if got, want := len(texts), len(consentPurposes)*len(householdLanguages); got != want {
		t.Fatalf("got %d current texts, want %d", got, want)
	}
	for _, text := range texts {
		sum := sha256.Sum256([]byte(text.Text))
		if got := hex.EncodeToString(sum[:]); got != text.Version {
			t.Errorf("%s/%s: version %s is not the hash of the text %s", text.Purpose, text.Language, text.Version, got)
		}
		back, ok := LookupConsentText(text.Version)
		if !ok || back != text {
			t.Errorf("LookupConsentText(%s) = %+v, %v", text.Version, back, ok)
		}
	}
	if _, ok := LookupConsentText("nope"); ok {
		t.Errorf("LookupConsentText found an unknown version")
	}
	// The returned slice is a copy.
	texts[0].Text = "changed"
	if ConsentTexts()[0].Text == "changed" {
		t.Errorf("ConsentTexts returned the registry itself")
	}
}

func TestGiveAndWithdrawConsent(t *testing.T) {
	h := validHousehold(t)
	h.Consents = nil
	later := householdTestNow.Add(time.Hour)

	c := householdTestConsent(t, ConsentPartnerSharing)
	c.GivenAt = time.Time{}
	h1, err := GiveConsent(h, c, householdTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if !h1.HasConsent(ConsentPartnerSharing, householdTestNow) || h.HasConsent(ConsentPartnerSharing, householdTestNow) {
		t.Fatalf("consent not given on the copy only")
	}
	if !h1.SharesWith("rogue valley LEGAL aid", householdTestNow) || h1.SharesWith("Another Org", householdTestNow) {
		t.Errorf("SharesWith does not follow the partner list")
	}

	// Giving it again with new partners supersedes the first.
	c2 := householdTestConsent(t, ConsentPartnerSharing)
	c2.Partners = []string{"Another Org"}
	c2.GivenAt = time.Time{}
	h2, err := GiveConsent(h1, c2, later)
	if err != nil {
		t.Fatal(err)
	}
	if len(h2.Consents) != 2 || h2.Consents[0].WithdrawnAt == nil || h2.SharesWith("Rogue Valley Legal Aid", later) || !h2.SharesWith("another org", later) {
		t.Errorf("second consent did not supersede the first: %+v", h2.Consents)
	}
	// Before the change, the first consent was the one in force.
	if !h2.SharesWith("Rogue Valley Legal Aid", householdTestNow.Add(time.Minute)) {
		t.Errorf("history lost: first consent not in force before it was superseded")
	}

	h3, changed, err := WithdrawConsent(h2, ConsentPartnerSharing, later.Add(time.Hour))
	if err != nil || !changed {
		t.Fatalf("withdraw: changed %v err %v", changed, err)
	}
	if h3.HasConsent(ConsentPartnerSharing, later.Add(2*time.Hour)) || !h3.HasConsent(ConsentPartnerSharing, later) {
		t.Errorf("withdrawal not effective from its time on")
	}
	if _, changed, _ := WithdrawConsent(h3, ConsentPartnerSharing, later.Add(3*time.Hour)); changed {
		t.Errorf("withdrawing twice changed the record")
	}
	if _, _, err := WithdrawConsent(h3, "marketing", later); !apperr.Is(err, apperr.Unprocessable) {
		t.Errorf("unknown purpose: got %v", err)
	}
}

func TestGiveConsentRejectsBadConsents(t *testing.T) {
	h := validHousehold(t)
	tests := []struct {
		name   string
		change func(c *Consent)
		want   []string
	}{
		{"unknown purpose", func(c *Consent) { c.Purpose = "marketing" }, []string{"consent.purpose"}},
		{"unknown text version", func(c *Consent) { c.TextVersion = "abc" }, []string{"consent.text_version"}},
		{"unknown method", func(c *Consent) { c.Method = "telepathy" }, []string{"consent.method"}},
		{"partners on a contact consent", func(c *Consent) { c.Partners = []string{"x"} }, []string{"consent.partners"}},
		{"organizer method without organizer", func(c *Consent) { c.Method = ConsentOrganizerPhone }, []string{"consent.recorded_by"}},
		{"given in the future", func(c *Consent) { c.GivenAt = householdTestNow.Add(time.Hour) }, []string{"consent.given_at"}},
		{"organizer method with organizer", func(c *Consent) { c.Method, c.RecordedBy = ConsentOrganizerPhone, "org-1" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := householdTestConsent(t, ConsentContact)
			tt.change(&c)
			_, err := GiveConsent(h, c, householdTestNow)
			if got := householdFieldsOf(t, err); len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
				t.Errorf("got fields %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConsentSpanishTextIsAccepted(t *testing.T) {
	text, _ := CurrentConsentText(ConsentAggregateStatistics, HouseholdLanguageSpanish)
	h := validHousehold(t)
	h2, err := GiveConsent(h, Consent{Purpose: ConsentAggregateStatistics, TextVersion: text.Version, Method: ConsentSelfOnline}, householdTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if !h2.HasConsent(ConsentAggregateStatistics, householdTestNow) {
		t.Errorf("consent not in force")
	}
}
