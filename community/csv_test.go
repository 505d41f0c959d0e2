package community

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
	"github.com/paulmach/orb"
)

func csvImportOpts() CSVImportOptions {
	return CSVImportOptions{OrganizerAccountID: "org-1", Now: householdTestNow}
}

// csvFileFields returns the kind and field names of a whole-file error.
func csvFileFields(t *testing.T, err error) (apperr.Kind, []string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v, want an apperr.Error", err)
	}
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	return e.Kind, fields
}

func TestParseHouseholdsCSVRows(t *testing.T) {
	in := strings.Join([]string{
		"External_ID, head_name ,phone,lon,lat,consent_matching,consent_contact,consent_method,other_members,language,bedrooms,consent_partner_sharing",
		`r1,Rosa Márquez,(541) 555-0100,-122.81,42.23,yes,no,paper_form,"Tomás Márquez; child; 5_12 | Ana Ruiz",es,2,`,
		`r2,Luis Torres,555-0100,-122.81,42.23,no,no,,,,x,`,
		`r3,"<script>alert(1)</script>",'+15415550101,,,no,no,,,,,`,
		`r1,Someone Else,,,,no,no,,,,,`,
		`r4,Ana Pérez,,-122.8,42.2,yes,no,,,,,`,
		`r5,Pedro Flores,,,,,,organizer_phone,,,,Rogue Legal Aid; Casa Example`,
		`r6,Too Few Cells`,
		`r7,"Elena ""La Güera"" Sánchez",,1000,42,,,,,,,`,
		`"",Nobody,,,,,,,,,,`,
	}, "\n")
	exists := map[string]bool{"r5": true}
	opts := csvImportOpts()
	opts.Exists = func(id string) bool { return exists[id] }
	rep, err := ParseHouseholdsCSV(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	type rowSummary struct {
		Line     int
		ID       string
		Status   CSVRowStatus
		Problems []string
	}
	var got []rowSummary
	for _, r := range rep.Rows {
		s := rowSummary{Line: r.Line, ID: r.ExternalID, Status: r.Status}
		for _, p := range r.Problems {
			s.Problems = append(s.Problems, p.Field)
		}
		got = append(got, s)
	}
	want := []rowSummary{
		{2, "r1", CSVRowAccepted, nil},
		{3, "r2", CSVRowRejected, []string{"bedrooms", "phone"}},
		{4, "r3", CSVRowAccepted, nil},
		{5, "r1", CSVRowRejected, []string{"external_id"}},
		{6, "r4", CSVRowRejected, []string{"consent_method"}},
		{7, "r5", CSVRowAlreadyImported, nil},
		{8, "", CSVRowRejected, []string{"row"}},
		{9, "r7", CSVRowRejected, []string{"lon"}},
		{10, "", CSVRowRejected, []string{"external_id"}},
	}
	if diff := cmp.Diff(got, want); diff != "" {
		t.Errorf("rows (-got +want):\n%s", diff)
	}
	if rep.Accepted != 2 || rep.Rejected != 6 || rep.AlreadyImported != 1 {
		t.Errorf("counts: accepted %d rejected %d already %d", rep.Accepted, rep.Rejected, rep.AlreadyImported)
	}

	h := rep.Rows[0].Household
	if h.ID != "" || h.OwnerAccountID != "" || h.ExternalID != "r1" || h.Contact.Phone != "+15415550100" || h.Language != HouseholdLanguageSpanish {
		t.Errorf("r1: %+v", h)
	}
	wantMembers := []HouseholdMember{
		{Name: "Rosa Márquez", Relationship: HouseholdRelationshipHead},
		{Name: "Tomás Márquez", Relationship: HouseholdRelationshipChild, AgeBand: HouseholdAge5To12},
		{Name: "Ana Ruiz", Relationship: HouseholdRelationshipOtherRelative},
	}
	if diff := cmp.Diff(h.Members, wantMembers); diff != "" {
		t.Errorf("r1 members (-got +want):\n%s", diff)
	}
	if *h.LostHome.Location != (orb.Point{-122.81, 42.23}) || h.Needs.Bedrooms != 2 {
		t.Errorf("r1 location %v bedrooms %d", h.LostHome.Location, h.Needs.Bedrooms)
	}
	text, _ := CurrentConsentText(ConsentMatching, HouseholdLanguageSpanish)
	if len(h.Consents) != 1 || h.Consents[0].TextVersion != text.Version || h.Consents[0].RecordedBy != "org-1" || h.Consents[0].Method != ConsentPaperForm {
		t.Errorf("r1 consents: %+v", h.Consents)
	}
	if h.RegisteredBy != (HouseholdRegistration{By: HouseholdRegisteredByOrganizer, OrganizerAccountID: "org-1", ConsentMethod: ConsentPaperForm}) {
		t.Errorf("r1 registered by %+v", h.RegisteredBy)
	}
	if h3 := rep.Rows[2].Household; h3.Members[0].Name != "<script>alert(1)</script>" || h3.Contact.Phone != "+15415550101" || len(h3.Consents) != 0 {
		t.Errorf("r3: name %q phone %q consents %d", h3.Members[0].Name, h3.Contact.Phone, len(h3.Consents))
	}
}

func TestParseHouseholdsCSVIsIdempotent(t *testing.T) {
	in := "external_id,head_name\na,Rosa\nb,Luis\n"
	stored := map[string]bool{}
	opts := csvImportOpts()
	opts.Exists = func(id string) bool { return stored[id] }
	first, err := ParseHouseholdsCSV(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range first.Rows {
		stored[r.ExternalID] = true
	}
	second, err := ParseHouseholdsCSV(strings.NewReader(in), opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Accepted != 2 || second.Accepted != 0 || second.AlreadyImported != 2 {
		t.Errorf("first accepted %d; second accepted %d, already %d", first.Accepted, second.Accepted, second.AlreadyImported)
	}
}

func TestParseHouseholdsCSVFileErrors(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range "external_id,head_name\n" {
		utf16 = append(utf16, byte(r), 0)
	}
	tests := []struct {
		name       string
		in         []byte
		wantKind   apperr.Kind
		wantFields []string
		wantInMsg  string
	}{
		{"empty", nil, apperr.Unprocessable, []string{"header"}, ""},
		{"missing and unknown columns", []byte("head_name,colour,Head_Name\nRosa,red,x\n"), apperr.Unprocessable, []string{"header.2", "header.3", "header"}, ""},
		{"utf-16 with bom", utf16, apperr.Invalid, []string{"file"}, "UTF-16"},
		{"utf-16 without bom", utf16[2:], apperr.Invalid, []string{"file"}, "UTF-16"},
		{"latin-1", []byte("external_id,head_name\na,Rosa\nb,Mar\xeda\n"), apperr.Invalid, []string{"file"}, "line 3"},
		{"broken quote", []byte("external_id,head_name\na,Rosa\nb,\"Luis\nc,Ana\n"), apperr.Invalid, []string{"file"}, "line 3"},
		{"bare quote", []byte("external_id,head_name\na,Ro\"sa\n"), apperr.Invalid, []string{"file"}, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := ParseHouseholdsCSV(bytes.NewReader(tt.in), csvImportOpts())
			if rep != nil {
				t.Errorf("got a report with %d rows for a bad file", len(rep.Rows))
			}
			kind, fields := csvFileFields(t, err)
			if kind != tt.wantKind {
				t.Errorf("kind %q, want %q (%v)", kind, tt.wantKind, err)
			}
			if diff := cmp.Diff(fields, tt.wantFields); diff != "" {
				t.Errorf("fields (-got +want):\n%s", diff)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("message %q does not say %q", err.Error(), tt.wantInMsg)
			}
		})
	}
}

func TestParseHouseholdsCSVAcceptsUTF8BOM(t *testing.T) {
	rep, err := ParseHouseholdsCSV(strings.NewReader("\uFEFFexternal_id,head_name\na,Rosa\n"), csvImportOpts())
	if err != nil || rep.Accepted != 1 {
		t.Fatalf("got %+v, %v", rep, err)
	}
}

func TestParseHouseholdsCSVRowCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("external_id,head_name\n")
	for i := range 100_000 {
		fmt.Fprintf(&b, "r%d,Person %d\n", i, i)
	}
	_, err := ParseHouseholdsCSV(strings.NewReader(b.String()), csvImportOpts())
	kind, fields := csvFileFields(t, err)
	if kind != apperr.Unprocessable || !slicesEqual(fields, []string{"file"}) || !strings.Contains(err.Error(), "50000") {
		t.Errorf("got %v", err)
	}
	// Exactly the cap is fine.
	opts := csvImportOpts()
	opts.MaxRows = 3
	rep, err := ParseHouseholdsCSV(strings.NewReader("external_id,head_name\na,A\nb,B\nc,C\n"), opts)
	if err != nil || rep.Accepted != 3 {
		t.Errorf("3 rows at a cap of 3: %+v, %v", rep, err)
	}
}

func slicesEqual(a, b []string) bool { return cmp.Equal(a, b) }

func TestCSVNeutralize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"},
		{"+15415550100", "'+15415550100"},
		{"-122.81", "'-122.81"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"Rosa", "Rosa"},
		{"", ""},
		{"a=b", "a=b"},
	}
	for _, tt := range tests {
		if got := CSVNeutralize(tt.in); got != tt.want {
			t.Errorf("CSVNeutralize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// readCSV parses an export into maps keyed by column.
func readCSV(t *testing.T, data []byte) (header []string, rows []map[string]string) {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header = recs[0]
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, c := range header {
			m[c] = rec[i]
		}
		rows = append(rows, m)
	}
	return header, rows
}

func TestWriteHouseholdsCSV(t *testing.T) {
	full := validHousehold(t) // matching and contact
	full.Members[0].Name = "=cmd|' /C calc'!A0"
	noContact := validHousehold(t)
	noContact.ID, noContact.OwnerAccountID = "h2", "acct-2"
	noContact.Consents = noContact.Consents[:1]
	hidden := validHousehold(t)
	hidden.ID, hidden.OwnerAccountID = "h3", "acct-3"
	hidden.Consents = nil
	all := []*Household{full, noContact, hidden}

	var buf bytes.Buffer
	res, err := WriteHouseholdsCSV(&buf, all, CSVExportOptions{Viewer: HouseholdViewer{AccountID: "org-1", Role: HouseholdViewerOrganizer}, Now: householdTestNow})
	if err != nil {
		t.Fatal(err)
	}
	header, rows := readCSV(t, buf.Bytes())
	if diff := cmp.Diff(header, CSVExportColumns(false)); diff != "" {
		t.Errorf("header (-got +want):\n%s", diff)
	}
	for _, c := range header {
		if c == CSVColumnFEMARegistrationID || c == CSVColumnNotes || c == CSVColumnAddress {
			t.Errorf("organizer export has sensitive column %q", c)
		}
	}
	if len(rows) != 2 || res.Rows != 2 || !cmp.Equal(res.AuditedIDs, []string{"h1", "h2"}) || res.Purpose != "export" {
		t.Fatalf("rows %d, result %+v", len(rows), res)
	}
	r1, r2 := rows[0], rows[1]
	if r1[CSVColumnHeadName] != "'=cmd|' /C calc'!A0" {
		t.Errorf("formula not neutralized: %q", r1[CSVColumnHeadName])
	}
	if r1[CSVColumnPhone] != "'+15415550100" || r1[CSVColumnEmail] != "rosa@example.org" {
		t.Errorf("contact with consent: %q %q", r1[CSVColumnPhone], r1[CSVColumnEmail])
	}
	if r2[CSVColumnPhone] != "" || r2[CSVColumnEmail] != "" || r2[CSVColumnConsentContact] != "no" {
		t.Errorf("contact without consent: %q %q", r2[CSVColumnPhone], r2[CSVColumnEmail])
	}
	if r1[CSVColumnLon] != "'-122.81" || r1[CSVColumnLat] != "42.233" || r1[CSVColumnLocationRounded] != "yes" {
		t.Errorf("location: %q %q rounded %q", r1[CSVColumnLon], r1[CSVColumnLat], r1[CSVColumnLocationRounded])
	}
	if r1[CSVColumnOtherMembers] != "Tomás Márquez; child; 5_12" || r1[CSVColumnSize] != "2" {
		t.Errorf("members: %q size %q", r1[CSVColumnOtherMembers], r1[CSVColumnSize])
	}
	if strings.Contains(buf.String(), "123456789") || strings.Contains(buf.String(), "Bear Lake") {
		t.Errorf("organizer export leaks the FEMA registration id or the address")
	}

	buf.Reset()
	if _, err := WriteHouseholdsCSV(&buf, all, CSVExportOptions{Viewer: HouseholdViewer{AccountID: "org-1", Role: HouseholdViewerOrganizer}, Sensitive: true}); !apperr.Is(err, apperr.Forbidden) || buf.Len() != 0 {
		t.Errorf("organizer sensitive export: %v, %d bytes written", err, buf.Len())
	}

	res, err = WriteHouseholdsCSV(&buf, all, CSVExportOptions{Viewer: HouseholdViewer{AccountID: "stw-1", Role: HouseholdViewerSteward}, Sensitive: true, Now: householdTestNow})
	if err != nil {
		t.Fatal(err)
	}
	_, rows = readCSV(t, buf.Bytes())
	if len(rows) != 2 || rows[0][CSVColumnFEMARegistrationID] != "123456789" || rows[0][CSVColumnLat] != "42.2326" || rows[0][CSVColumnAddress] == "" || rows[1][CSVColumnPhone] != "" || res.Purpose != "export+sensitive" {
		t.Errorf("steward sensitive export: %v, %+v", rows, res)
	}
}
