package community

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"commonground/apperr"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

const adminID = "acct-admin"

var (
	admin     = Principal{AccountID: adminID, Roles: []GlobalRole{RoleOrganizer}}
	organizer = Principal{AccountID: "acct-organizer", Roles: []GlobalRole{RoleResident}}
	steward   = Principal{AccountID: "acct-steward", Roles: []GlobalRole{RoleSteward}}
	stranger  = Principal{AccountID: "acct-stranger", Roles: []GlobalRole{RoleResident}}
)

// withOrganizer returns c with the organizer account holding the
// community_organizer role.
func withOrganizer(c Community) Community {
	c.Roles = append(slices.Clone(c.Roles), RoleGrant{AccountID: organizer.AccountID, Role: RoleCommunityOrganizer})
	return c
}

func resident(n int) Principal {
	return Principal{AccountID: fmt.Sprintf("acct-%d", n), HouseholdID: fmt.Sprintf("hh-%d", n), Roles: []GlobalRole{RoleResident}}
}

// fieldsOf returns the field names of a validation error, or fails.
func fieldsOf(t *testing.T, err error) []string {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Kind != apperr.Unprocessable {
		t.Fatalf("error = %v, want an unprocessable error with fields", err)
	}
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Field
	}
	return out
}

func wantKind(t *testing.T, err error, kind apperr.Kind) {
	t.Helper()
	if got := apperr.KindOf(err); got != kind {
		t.Fatalf("error kind = %q (%v), want %q", got, err, kind)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// seedMembers returns n full members of class in c, spread over regions,
// each having paid amount; they stand in for members admitted earlier.
func seedMembers(c *Community, class string, n int, amount func(i int) int64) []Membership {
	cl, _ := c.Bylaws.Class(class)
	out := make([]Membership, n)
	for i := range out {
		m := Membership{
			ID: fmt.Sprintf("%s-m-%d", class, i), CommunityID: c.ID, ClassKey: class,
			Status: StatusMember, AppliedAt: t0, ProvisionalAt: t0, MemberAt: t0,
		}
		switch cl.Eligible {
		case EligibleHousehold:
			m.HouseholdID = fmt.Sprintf("%s-hh-%d", class, i)
		case EligibleOrganisation:
			m.OrganisationName = fmt.Sprintf("%s org %d", class, i)
			m.OrganisationID = OrganisationKey(m.OrganisationName)
			m.RepresentativeID = "acct-" + m.ID
		default:
			m.PersonID = fmt.Sprintf("%s-p-%d", class, i)
		}
		if len(c.Regions) > 0 {
			m.Region = c.Regions[i%len(c.Regions)].Key
		}
		if a := amount(i); a > 0 {
			m.Payments = []Payment{{Amount: Money{Minor: a, Currency: cl.Share.Amount.Currency}, At: t0}}
		}
		out[i] = m
	}
	return out
}

// holder returns a principal that owns membership m.
func holder(m *Membership) Principal {
	p := Principal{AccountID: "acct-" + m.ID, Roles: []GlobalRole{RoleResident}}
	switch {
	case m.HouseholdID != "":
		p.HouseholdID = m.HouseholdID
	case m.OrganisationID != "":
		p.OrganisationIDs = []string{m.OrganisationID}
	default:
		p.AccountID = m.PersonID
	}
	return p
}
