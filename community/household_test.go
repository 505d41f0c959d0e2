package community

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

var householdTestNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// householdTestConsent returns a consent to the current English text of purpose.
func householdTestConsent(t testing.TB, purpose ConsentPurpose) Consent {
	t.Helper()
	text, ok := CurrentConsentText(purpose, HouseholdLanguageEnglish)
	if !ok {
		t.Fatalf("no current text for %s", purpose)
	}
	c := Consent{Purpose: purpose, TextVersion: text.Version, GivenAt: householdTestNow.Add(-time.Hour), Method: ConsentSelfOnline}
	if purpose == ConsentPartnerSharing {
		c.Partners = []string{"Rogue Valley Legal Aid"}
	}
	return c
}

// validHousehold returns a complete, valid household registered by its head.
func validHousehold(t testing.TB) *Household {
	t.Helper()
	loc := orb.Point{-122.8101, 42.2326}
	return &Household{
		ID:             "h1",
		OwnerAccountID: "acct-1",
		ExternalID:     "row-17",
		Members: []HouseholdMember{
			{Name: "Rosa Márquez", PreferredName: "Rosi", Relationship: HouseholdRelationshipHead, AgeBand: HouseholdAge35To44},
			{Name: "Tomás Márquez", Relationship: HouseholdRelationshipChild, AgeBand: HouseholdAge5To12, Accessibility: []HouseholdAccessibilityNeed{HouseholdAccessWheelchair}},
		},
		Pets:             HouseholdPets{Count: 1},
		Language:         HouseholdLanguageSpanish,
		Contact:          HouseholdContact{Phone: "+15415550100", Email: "rosa@example.org"},
		LostHome:         HouseholdLostHome{Location: &loc, Address: "Space 12, Bear Lake Estates, Phoenix OR"},
		Current:          HouseholdStay{Situation: HouseholdSituationHotel, ZipCode: "97501"},
		TenureBefore:     HouseholdTenureOwnerOnRentedLot,
		IncomeBand:       HouseholdIncome30To50,
		Needs:            HouseholdNeeds{Bedrooms: 2, Accessibility: []HouseholdAccessibilityNeed{HouseholdAccessWheelchair}},
		PreferredAreas:   []HouseholdArea{{Center: orb.Point{-122.81, 42.23}, RadiusMetres: 5000}},
		InterestedInCoop: true,
		FEMA:             HouseholdFEMA{DisasterNumber: "DR-4562-OR", RegistrationID: "123456789"},
		Insurance:        HouseholdUninsured,
		Notes:            "lost everything; <b>needs</b> ground floor",
		Consents:         []Consent{householdTestConsent(t, ConsentMatching), householdTestConsent(t, ConsentContact)},
		RegisteredBy:     HouseholdRegistration{By: HouseholdRegisteredBySelf, ConsentMethod: ConsentSelfOnline},
		CreatedAt:        householdTestNow,
		UpdatedAt:        householdTestNow,
		Version:          1,
	}
}

// householdFieldsOf returns the field paths of an Unprocessable error.
func householdFieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Unprocessable {
		t.Fatalf("got error %v, want an unprocessable apperr.Error", err)
	}
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Field
	}
	return out
}

func TestHouseholdValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(h *Household)
		want   []string
	}{
		{"valid", func(h *Household) {}, nil},
		{"minimal: head and language only", func(h *Household) {
			*h = Household{OwnerAccountID: "acct-1", Members: h.Members[:1], Language: HouseholdLanguageEnglish, RegisteredBy: h.RegisteredBy}
		}, nil},
		{"self-registered without an account", func(h *Household) { h.OwnerAccountID = "" }, []string{"owner_account_id"}},
		{"no optional consent at all", func(h *Household) { h.Consents = nil }, nil},
		{"html in a name is text", func(h *Household) { h.Members[0].Name = `<script>alert("x")</script>` }, nil},
		{"no members", func(h *Household) { h.Members = nil }, []string{"members"}},
		{"10000 members", func(h *Household) {
			h.Members = make([]HouseholdMember, 10000)
		}, []string{"members"}},
		{"no head", func(h *Household) { h.Members[0].Relationship = HouseholdRelationshipChild }, []string{"members"}},
		{"two heads", func(h *Household) { h.Members[1].Relationship = HouseholdRelationshipHead }, []string{"members"}},
		{"empty member name, bad enums", func(h *Household) {
			h.Members[1].Name = ""
			h.Members[1].Relationship = "cousin"
			h.Members[1].AgeBand = "old"
			h.Members[1].Accessibility = []HouseholdAccessibilityNeed{"stairs"}
		}, []string{"members.1.name", "members.1.relationship", "members.1.age_band", "members.1.accessibility.0"}},
		{"1 MB name", func(h *Household) { h.Members[0].Name = strings.Repeat("a", 1<<20) }, []string{"members.0.name"}},
		{"201-character name", func(h *Household) { h.Members[1].PreferredName = strings.Repeat("é", 201) }, []string{"members.1.preferred_name"}},
		{"control character", func(h *Household) { h.Members[0].Name = "Rosa\x00" }, []string{"members.0.name"}},
		{"invalid utf-8", func(h *Household) { h.Members[0].Name = "Rosa\xff" }, []string{"members.0.name"}},
		{"location out of range", func(h *Household) { h.LostHome.Location = &orb.Point{-181, 91} }, []string{"lost_home.lon", "lost_home.lat"}},
		{"location NaN", func(h *Household) { h.LostHome.Location = &orb.Point{math.NaN(), math.Inf(1)} }, []string{"lost_home.lon", "lost_home.lat"}},
		{"bad phone", func(h *Household) { h.Contact.Phone = "555-0100" }, []string{"contact.phone"}},
		{"phone not normalized", func(h *Household) { h.Contact.Phone = "(541) 555-0100" }, []string{"contact.phone"}},
		{"bad email", func(h *Household) { h.Contact.Email = "rosa@example" }, []string{"contact.email"}},
		{"email with display name", func(h *Household) { h.Contact.Email = "Rosa <rosa@example.org>" }, []string{"contact.email"}},
		{"bad enums", func(h *Household) {
			h.Language = "fr"
			h.Current.Situation = "castle"
			h.TenureBefore = "squatter"
			h.IncomeBand = "rich"
			h.Insurance = "maybe"
		}, []string{"language", "current.situation", "tenure_before", "income_band", "insurance"}},
		{"zip", func(h *Household) { h.Current.ZipCode = "9750" }, []string{"current.zip_code"}},
		{"fema numbers", func(h *Household) {
			h.FEMA = HouseholdFEMA{DisasterNumber: "4562", RegistrationID: "12ab"}
		}, []string{"fema.disaster_number", "fema.registration_id"}},
		{"needs and pets", func(h *Household) {
			h.Needs.Bedrooms = 11
			h.Pets.Count = -1
		}, []string{"pets.count", "needs.bedrooms"}},
		{"preferred area", func(h *Household) {
			h.PreferredAreas = []HouseholdArea{{Center: orb.Point{0, 0}, RadiusMetres: 5000}, {Center: orb.Point{200, 0}, RadiusMetres: 10}}
		}, []string{"preferred_areas.1.lon", "preferred_areas.1.radius_m"}},
		{"notes too long", func(h *Household) { h.Notes = strings.Repeat("n", HouseholdMaxNotesLength+1) }, []string{"notes"}},
		{"unknown consent purpose", func(h *Household) { h.Consents[0].Purpose = "marketing" }, []string{"consents.0.purpose"}},
		{"unknown consent text", func(h *Household) { h.Consents[0].TextVersion = strings.Repeat("0", 64) }, []string{"consents.0.text_version"}},
		{"consent text of another purpose", func(h *Household) { h.Consents[0].TextVersion = h.Consents[1].TextVersion }, []string{"consents.0.text_version"}},
		{"two consents in force for one purpose", func(h *Household) { h.Consents[1] = h.Consents[0] }, []string{"consents.1.purpose"}},
		{"partner sharing without partners", func(h *Household) {
			c := householdTestConsent(t, ConsentPartnerSharing)
			c.Partners = nil
			h.Consents = append(h.Consents, c)
		}, []string{"consents.2.partners"}},
		{"organizer consent without organizer", func(h *Household) { h.Consents[0].Method = ConsentPaperForm }, []string{"consents.0.recorded_by"}},
		{"organizer registration without method", func(h *Household) {
			h.RegisteredBy = HouseholdRegistration{By: HouseholdRegisteredByOrganizer}
		}, []string{"registered_by.organizer_account_id", "registered_by.consent_method"}},
		{"unknown registrant", func(h *Household) { h.RegisteredBy.By = "" }, []string{"registered_by.by"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := validHousehold(t)
			tt.change(h)
			got := householdFieldsOf(t, h.Validate())
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("bad fields (-got +want):\n%s", diff)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"(541) 555-0100", "+15415550100", true},
		{"541.555.0100", "+15415550100", true},
		{"1 541 555 0100", "+15415550100", true},
		{"+1 541 555 0100", "+15415550100", true},
		{"+52 55 1234 5678", "+525512345678", true},
		{"0052 55 1234 5678", "+525512345678", true},
		{"555-0100", "", false},
		{"041 555 0100", "", false}, // area code cannot start with 0
		{"541 155 0100", "", false}, // exchange cannot start with 1
		{"+1 541 555 01000", "", false},
		{"541-555-0100 x12", "", false},
		{"+12", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNewHouseholdNormalizesAndStamps(t *testing.T) {
	in := validHousehold(t)
	in.Contact = HouseholdContact{Phone: " (541) 555-0100 ", Email: " Rosa@Example.ORG "}
	in.FEMA = HouseholdFEMA{DisasterNumber: "dr-4562-or", RegistrationID: "123-456 789"}
	in.Consents[0].GivenAt = time.Time{}
	in.NotDuplicateOf = []string{"x"}
	got, err := NewHousehold("h9", "acct-9", in, HouseholdRegistration{By: HouseholdRegisteredBySelf}, householdTestNow)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "h9" || got.OwnerAccountID != "acct-9" || got.Version != 1 || !got.CreatedAt.Equal(householdTestNow) {
		t.Errorf("got id %q owner %q version %d created %v", got.ID, got.OwnerAccountID, got.Version, got.CreatedAt)
	}
	if diff := cmp.Diff(got.Contact, HouseholdContact{Phone: "+15415550100", Email: "rosa@example.org"}); diff != "" {
		t.Errorf("contact (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(got.FEMA, HouseholdFEMA{DisasterNumber: "DR-4562-OR", RegistrationID: "123456789"}); diff != "" {
		t.Errorf("fema (-got +want):\n%s", diff)
	}
	if !got.Consents[0].GivenAt.Equal(householdTestNow) || got.NotDuplicateOf != nil {
		t.Errorf("consent given at %v, not duplicates %v", got.Consents[0].GivenAt, got.NotDuplicateOf)
	}
	if in.Contact.Phone != " (541) 555-0100 " {
		t.Errorf("NewHousehold changed its input")
	}
	if _, err := NewHousehold("h10", "", &Household{}, HouseholdRegistration{By: HouseholdRegisteredBySelf}, householdTestNow); err == nil {
		t.Errorf("NewHousehold accepted an empty household")
	}
}

func TestApplyHouseholdUpdate(t *testing.T) {
	h := validHousehold(t)
	notes := "moved to Medford"
	bad := HouseholdLanguage("xx")
	got, err := ApplyHouseholdUpdate(h, HouseholdUpdate{Notes: &notes, Contact: &HouseholdContact{Phone: "541 555 0199"}}, householdTestNow.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got.Notes != notes || got.Contact.Phone != "+15415550199" || got.Contact.Email != "" || got.Version != 2 {
		t.Errorf("got notes %q contact %+v version %d", got.Notes, got.Contact, got.Version)
	}
	if h.Notes == notes || h.Version != 1 {
		t.Errorf("update changed the original")
	}
	if _, err := ApplyHouseholdUpdate(h, HouseholdUpdate{Notes: &notes, Language: &bad}, householdTestNow); !apperr.Is(err, apperr.Unprocessable) {
		t.Errorf("bad update: got %v, want unprocessable", err)
	}
}

func TestHouseholdCloneSharesNothing(t *testing.T) {
	h := validHousehold(t)
	h.Consents[0].WithdrawnAt = &householdTestNow
	c := h.Clone()
	c.Members[1].Accessibility[0] = HouseholdAccessVision
	c.LostHome.Location[0] = 0
	c.Consents[0].WithdrawnAt = nil
	c.Needs.Accessibility[0] = HouseholdAccessVision
	if diff := cmp.Diff(h, householdWithdrawnFixture(t)); diff != "" {
		t.Errorf("original changed through its clone (-got +want):\n%s", diff)
	}
}

func householdWithdrawnFixture(t *testing.T) *Household {
	h := validHousehold(t)
	h.Consents[0].WithdrawnAt = &householdTestNow
	return h
}

func TestNormalizeHouseholdName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  María   José  Núñez-García ", "maria jose nunez garcia"},
		{"O'Neil, Seán", "oneil sean"},
		{"Maria\u0301", "maria"}, // decomposed accent
		{"ÆSOP Ærø", "aesop aero"},
		{"李 小龍", "李 小龍"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeHouseholdName(tt.in); got != tt.want {
			t.Errorf("NormalizeHouseholdName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHouseholdEnumValuesAreValid(t *testing.T) {
	vals := HouseholdEnumValues()
	if len(vals["situation"]) != 6 || len(vals["consent_purpose"]) != 4 {
		t.Errorf("got %v", vals)
	}
	for _, s := range vals["income_band"] {
		if !HouseholdIncomeBand(s).Valid() {
			t.Errorf("%q listed but not valid", s)
		}
	}
}

func TestHouseholdValidEmail(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"rosa@example.org", true},
		{"rosa.marquez+fire@mail.example.org", true},
		{"o'neil@example.org", true},
		{"josé@correo.example.mx", true},
		{"rosa@example", false},
		{"@example.org", false},
		{"rosa@", false},
		{".rosa@example.org", false},
		{"ro..sa@example.org", false},
		{"rosa@-example.org", false},
		{"rosa@example..org", false},
		{"ro sa@example.org", false},
		{"Rosa <rosa@example.org>", false},
		{"\"rosa\"@example.org", false},
		{"rosa@exa_mple.org", false},
		{strings.Repeat("a", 65) + "@example.org", false},
		{"a@" + strings.Repeat("b", 250) + ".org", false},
	}
	for _, tt := range tests {
		if got := householdValidEmail(tt.in); got != tt.want {
			t.Errorf("householdValidEmail(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
