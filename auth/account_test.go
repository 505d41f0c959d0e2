package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"commonground/apperr"
	"github.com/google/go-cmp/cmp"
)

// fieldsOf returns the field names of an Unprocessable error, or fails.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Unprocessable {
		t.Fatalf("error = %v, want an Unprocessable *apperr.Error", err)
	}
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Field
	}
	return names
}

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"maria@example.org":      "maria@example.org",
		"  Maria@Example.ORG \n": "maria@example.org",
		"JOSE.PEREZ@correo.mx\t": "jose.perez@correo.mx",
		"":                       "",
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRegistrationValidate(t *testing.T) {
	const pw = "river stones under the old bridge"
	tests := []struct {
		name string
		reg  Registration
		want []string // bad fields, in order
	}{
		{"valid", Registration{Email: " Maria@Example.org ", Password: pw, DisplayName: " María ", Locale: LocaleSpanish}, nil},
		{"locale defaults to English", Registration{Email: "a@b.org", Password: pw, DisplayName: "A"}, nil},
		{"everything wrong", Registration{Email: "not-an-email", Password: "short", DisplayName: " ", Locale: "fr"},
			[]string{"email", "password", "display_name", "locale"}},
		{"empty", Registration{}, []string{"email", "password", "display_name"}},
		{"email with display name", Registration{Email: "Maria <maria@example.org>", Password: pw, DisplayName: "M"}, []string{"email"}},
		{"two addresses", Registration{Email: "a@b.org,c@d.org", Password: pw, DisplayName: "M"}, []string{"email"}},
		{"no domain dot", Registration{Email: "a@localhost", Password: pw, DisplayName: "M"}, []string{"email"}},
		{"no local part", Registration{Email: "@b.org", Password: pw, DisplayName: "M"}, []string{"email"}},
		{"too long email", Registration{Email: strings.Repeat("a", 250) + "@b.org", Password: pw, DisplayName: "M"}, []string{"email"}},
		{"query operator as email", Registration{Email: `{"$gt": ""}`, Password: pw, DisplayName: "M"}, []string{"email"}},
		{"control character in name", Registration{Email: "a@b.org", Password: pw, DisplayName: "M\x00x"}, []string{"display_name"}},
		{"name too long", Registration{Email: "a@b.org", Password: pw, DisplayName: strings.Repeat("ñ", MaxDisplayNameLength+1)}, []string{"display_name"}},
		{"common password", Registration{Email: "a@b.org", Password: "qwertyuiop123", DisplayName: "M"}, []string{"password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.reg
			got := fieldsOf(t, r.Validate())
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("bad fields (-got +want):\n%s", diff)
			}
		})
	}

	r := Registration{Email: " Maria@Example.org ", Password: pw, DisplayName: " María "}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if r.Email != "maria@example.org" || r.DisplayName != "María" || r.Locale != LocaleEnglish {
		t.Errorf("Validate did not normalize: %+v", r)
	}
}

func TestNewAccount(t *testing.T) {
	h := newTestHasher(t, cheapParams)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("PST", -8*3600))
	a, err := NewAccount(Registration{Email: "Maria@Example.org", Password: "river stones under the old bridge", DisplayName: "María", Locale: LocaleSpanish}, h, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("new account does not validate: %v", err)
	}
	want := &Account{ID: a.ID, Email: "maria@example.org", DisplayName: "María", Locale: LocaleSpanish,
		Roles: []Role{RoleResident}, PasswordHash: a.PasswordHash, CreatedAt: now.UTC(), UpdatedAt: now.UTC()}
	if diff := cmp.Diff(a, want); diff != "" {
		t.Errorf("account (-got +want):\n%s", diff)
	}
	if ok, _ := h.Verify("river stones under the old bridge", a.PasswordHash); !ok {
		t.Error("stored hash does not verify the password")
	}
	if _, err := NewAccount(Registration{Email: "bad"}, h, now); !apperr.Is(err, apperr.Unprocessable) {
		t.Errorf("NewAccount(bad) error = %v, want Unprocessable", err)
	}
}

func TestAccountValidate(t *testing.T) {
	now := time.Now()
	good := Account{ID: NewID(), Email: "a@b.org", DisplayName: "A", Locale: LocaleEnglish, Roles: []Role{RoleResident},
		PasswordHash: "$argon2id$...", CreatedAt: now, UpdatedAt: now}
	if err := good.Validate(); err != nil {
		t.Fatalf("good account: %v", err)
	}
	bad := Account{ID: "x", Email: "A@B.org", Locale: "de", Roles: []Role{RoleResident, "root", RoleResident},
		UpdatedAt: now.Add(-time.Hour), CreatedAt: now}
	want := []string{"id", "email", "display_name", "locale", "roles.1", "roles.2", "password_hash", "updated_at"}
	if diff := cmp.Diff(fieldsOf(t, bad.Validate()), want); diff != "" {
		t.Errorf("bad fields (-got +want):\n%s", diff)
	}
	noRoles := good
	noRoles.Roles = nil
	if diff := cmp.Diff(fieldsOf(t, noRoles.Validate()), []string{"roles"}); diff != "" {
		t.Errorf("no roles (-got +want):\n%s", diff)
	}
}

func TestProfileUpdate(t *testing.T) {
	now := time.Now().UTC()
	a := &Account{DisplayName: "Old", Locale: LocaleEnglish}
	name, es, fr := "  Nueva  ", LocaleSpanish, Locale("fr")
	if err := (ProfileUpdate{DisplayName: &name, Locale: &es}).Apply(a, now); err != nil {
		t.Fatal(err)
	}
	if a.DisplayName != "Nueva" || a.Locale != LocaleSpanish || !a.UpdatedAt.Equal(now) {
		t.Errorf("after update: %+v", a)
	}
	empty := ""
	before := *a
	err := ProfileUpdate{DisplayName: &empty, Locale: &fr}.Apply(a, now.Add(time.Hour))
	if diff := cmp.Diff(fieldsOf(t, err), []string{"display_name", "locale"}); diff != "" {
		t.Errorf("bad fields (-got +want):\n%s", diff)
	}
	if diff := cmp.Diff(*a, before); diff != "" {
		t.Errorf("a rejected update changed the account (-got +want):\n%s", diff)
	}
}

func TestNormalizeRoles(t *testing.T) {
	tests := []struct {
		in      []Role
		want    []Role
		badKeys []string
	}{
		{nil, []Role{RoleResident}, nil},
		{[]Role{RoleSteward}, []Role{RoleResident, RoleSteward}, nil},
		{[]Role{RoleSteward, RoleOrganizer, RoleSteward, RoleResident}, []Role{RoleResident, RoleOrganizer, RoleSteward}, nil},
		{[]Role{"admin", RoleOrganizer, ""}, nil, []string{"roles.0", "roles.2"}},
	}
	for _, tt := range tests {
		got, err := NormalizeRoles(tt.in)
		if diff := cmp.Diff(got, tt.want); diff != "" {
			t.Errorf("NormalizeRoles(%v) (-got +want):\n%s", tt.in, diff)
		}
		if diff := cmp.Diff(fieldsOf(t, err), tt.badKeys); diff != "" {
			t.Errorf("NormalizeRoles(%v) bad fields (-got +want):\n%s", tt.in, diff)
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	a := NewID()
	time.Sleep(2 * time.Millisecond)
	b := NewID()
	if !(a < b) {
		t.Errorf("NewID() not increasing: %q then %q", a, b)
	}
}
