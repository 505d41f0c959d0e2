package auth

import (
	"testing"

	"commonground/apperr"
)

// The people of the role matrix.
var (
	anonymous = (*Principal)(nil)
	residentA = &Principal{AccountID: "a", Roles: []Role{RoleResident}}
	residentB = &Principal{AccountID: "b", Roles: []Role{RoleResident}}
	organizer = &Principal{AccountID: "o", Roles: []Role{RoleResident, RoleOrganizer},
		CommunityRoles: map[string][]string{"talent-coop": {"organizer"}}}
	steward = &Principal{AccountID: "s", Roles: []Role{RoleResident, RoleSteward}}
	emptyID = &Principal{Roles: []Role{RoleSteward}} // roles without an account: not signed in
)

var people = []struct {
	name string
	p    *Principal
}{
	{"anonymous", anonymous}, {"resident A", residentA}, {"resident B", residentB},
	{"organizer", organizer}, {"steward", steward}, {"roles without account", emptyID},
}

// matrix runs check for every person and compares the error kind with want
// (the kind per person name; "" means allowed).
func matrix(t *testing.T, check func(*Principal) error, want map[string]apperr.Kind) {
	t.Helper()
	for _, pp := range people {
		w, ok := want[pp.name]
		if !ok {
			t.Fatalf("matrix has no expectation for %s", pp.name)
		}
		if got := apperr.KindOf(check(pp.p)); got != w {
			t.Errorf("%s: got %q, want %q", pp.name, got, w)
		}
	}
}

const (
	ok     = apperr.Kind("")
	unauth = apperr.Unauthorized
	hidden = apperr.NotFound
	denied = apperr.Forbidden
)

func TestRoleMatrix(t *testing.T) {
	tests := []struct {
		name  string
		check func(*Principal) error
		want  map[string]apperr.Kind
	}{
		{"GET /me (signed in)", RequireAuthenticated, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": ok, "resident B": ok, "organizer": ok, "steward": ok, "roles without account": unauth}},
		{"GET /users (steward)", func(p *Principal) error { return RequireRole(p, RoleSteward) }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": denied, "resident B": denied, "organizer": denied, "steward": ok, "roles without account": unauth}},
		{"parcel import (organizer or steward)", func(p *Principal) error { return RequireRole(p, RoleOrganizer, RoleSteward) }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": denied, "resident B": denied, "organizer": ok, "steward": ok, "roles without account": unauth}},
		{"view account of resident A", func(p *Principal) error { return CanViewAccount(p, "a") }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": ok, "resident B": hidden, "organizer": hidden, "steward": ok, "roles without account": unauth}},
		{"change roles of resident A", func(p *Principal) error { return CanChangeRoles(p, "a") }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": ok, "roles without account": unauth}},
		{"change own roles (steward s)", func(p *Principal) error { return CanChangeRoles(p, "s") }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": denied, "roles without account": unauth}},
		{"disable resident B", func(p *Principal) error { return CanDisableAccount(p, "b") }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": ok, "roles without account": unauth}},
		// The shape later domains use: a household of resident A that
		// consented to matching is visible to its owner, to organizers
		// because of that consent, and to stewards.
		{"household of A, matching consent given", func(p *Principal) error {
			return Allow(p, "household not found", Owner("a"), All(AnyRole(RoleOrganizer, RoleSteward), If(true)))
		}, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": ok, "resident B": hidden, "organizer": ok, "steward": ok, "roles without account": unauth}},
		{"household of A, no consent", func(p *Principal) error {
			return Allow(p, "household not found", Owner("a"), All(AnyRole(RoleOrganizer, RoleSteward), If(false)))
		}, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": ok, "resident B": hidden, "organizer": hidden, "steward": hidden, "roles without account": unauth}},
		{"community talent-coop, organizers only", func(p *Principal) error {
			return Allow(p, "community not found", CommunityRole("talent-coop", "organizer", "admin"))
		}, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": ok, "steward": hidden, "roles without account": unauth}},
		{"another community", func(p *Principal) error {
			return Allow(p, "community not found", CommunityRole("phoenix-clt", "organizer"))
		}, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": hidden, "roles without account": unauth}},
		{"no rules allow nobody", func(p *Principal) error { return Allow(p, "x not found", All()) }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": hidden, "roles without account": unauth}},
		{"owner with empty id allows nobody", func(p *Principal) error { return Allow(p, "x not found", Owner("")) }, map[string]apperr.Kind{
			"anonymous": unauth, "resident A": hidden, "resident B": hidden, "organizer": hidden, "steward": hidden, "roles without account": unauth}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { matrix(t, tt.check, tt.want) })
	}
}

func TestHiddenReadsLikeMissing(t *testing.T) {
	err := Allow(residentB, "household not found", Owner("a"))
	var missing = apperr.New(apperr.NotFound, "household not found")
	if err.Error() != missing.Error() {
		t.Errorf("refusal %q differs from a missing object %q", err, missing)
	}
}

func TestPrincipalNilSafe(t *testing.T) {
	var p *Principal
	if p.Authenticated() || p.HasRole(RoleResident) || p.HasCommunityRole("c", "admin") {
		t.Error("a nil principal claims something")
	}
	a := &Account{ID: "a", Roles: []Role{RoleResident, RoleSteward}}
	pr := a.Principal()
	pr.Roles[0] = RoleOrganizer
	if a.Roles[0] != RoleResident {
		t.Error("Principal shares the account's role slice")
	}
}
