package auth

import (
	"slices"

	"commonground/apperr"
)

// Principal is who makes a request: an authenticated account with its global
// roles and its roles within communities. A nil *Principal is an anonymous
// caller; every method and rule below accepts it.
type Principal struct {
	AccountID string
	Roles     []Role
	// CommunityRoles maps a community id to the roles the account holds in
	// that community (for example "admin", "organizer", "member"). The
	// community package defines those names and fills the map when it
	// resolves a principal; auth only stores and checks them.
	CommunityRoles map[string][]string
}

// Authenticated reports whether p is a signed-in account.
func (p *Principal) Authenticated() bool { return p != nil && p.AccountID != "" }

// HasRole reports whether p holds the global role r.
func (p *Principal) HasRole(r Role) bool { return p.Authenticated() && slices.Contains(p.Roles, r) }

// HasCommunityRole reports whether p holds role in community communityID.
func (p *Principal) HasCommunityRole(communityID, role string) bool {
	return p.Authenticated() && communityID != "" && slices.Contains(p.CommunityRoles[communityID], role)
}

// Authorization policy
//
// All access decisions go through the functions in this file, so the rules
// can be read (and tested) in one place:
//
//   - A route declares who may call it with RequireAuthenticated or
//     RequireRole. These answer Unauthorized (401) to an anonymous caller and
//     Forbidden (403) to a signed-in caller without the role. They are for
//     routes whose existence is public knowledge (the OpenAPI document lists
//     them), such as GET /users or GET /audit.
//
//   - Every route that returns or changes one object also calls Allow with
//     the rules for that object and action. Allow answers NotFound (404),
//     never Forbidden, when the caller may not act on the object: a resource
//     a caller may not see must be indistinguishable from one that does not
//     exist, so its existence does not leak. The handler returns exactly the
//     error it would return for a missing id. (An anonymous caller gets
//     Unauthorized, so a client knows to sign in.)
//
// Rules are small predicates over the principal. Object policies are written
// as named functions that combine them (see CanViewAccount); later domains
// add their own rules (consent for a purpose, community membership) of the
// same Rule type and their own Can... functions next to their objects, so
// every handler asks one function per object and action.

// Rule is one condition under which a principal may act on an object.
type Rule func(p *Principal) bool

// Allow returns nil when p satisfies at least one of rules, Unauthorized
// when p is anonymous, and NotFound otherwise. notFound is the message the
// route uses for a missing object (for example "household not found"), so
// that a refusal and a missing object read the same.
func Allow(p *Principal, notFound string, rules ...Rule) error {
	if !p.Authenticated() {
		return apperr.New(apperr.Unauthorized, "sign in to continue")
	}
	for _, r := range rules {
		if r(p) {
			return nil
		}
	}
	return apperr.New(apperr.NotFound, "%s", notFound)
}

// RequireAuthenticated returns Unauthorized unless p is signed in.
func RequireAuthenticated(p *Principal) error {
	if !p.Authenticated() {
		return apperr.New(apperr.Unauthorized, "sign in to continue")
	}
	return nil
}

// RequireRole returns nil when p holds any of roles, Unauthorized when p is
// anonymous and Forbidden otherwise. Use it for route-level gates only; an
// object check uses Allow.
func RequireRole(p *Principal, roles ...Role) error {
	if err := RequireAuthenticated(p); err != nil {
		return err
	}
	if slices.ContainsFunc(roles, p.HasRole) {
		return nil
	}
	return apperr.New(apperr.Forbidden, "your account may not do this")
}

// Owner allows the account whose id is ownerID. An empty ownerID allows
// nobody.
func Owner(ownerID string) Rule {
	return func(p *Principal) bool { return ownerID != "" && p.AccountID == ownerID }
}

// AnyRole allows a principal holding any of roles globally.
func AnyRole(roles ...Role) Rule {
	return func(p *Principal) bool { return slices.ContainsFunc(roles, p.HasRole) }
}

// CommunityRole allows a principal holding any of roles in communityID.
func CommunityRole(communityID string, roles ...string) Rule {
	return func(p *Principal) bool {
		return slices.ContainsFunc(roles, func(r string) bool { return p.HasCommunityRole(communityID, r) })
	}
}

// All allows a principal that satisfies every one of rules (for example an
// organizer AND the household's consent to matching). All() allows nobody.
func All(rules ...Rule) Rule {
	return func(p *Principal) bool {
		if len(rules) == 0 {
			return false
		}
		for _, r := range rules {
			if !r(p) {
				return false
			}
		}
		return true
	}
}

// If turns a fact about the object (a consent given, a campaign made public)
// into a rule, so that it can be combined with All.
func If(cond bool) Rule { return func(*Principal) bool { return cond } }

// CanViewAccount allows an account to be seen by itself and by stewards.
func CanViewAccount(p *Principal, accountID string) error {
	return Allow(p, "account not found", Owner(accountID), AnyRole(RoleSteward))
}

// CanChangeRoles allows a steward to change another account's roles, but
// not their own, so that the last steward cannot lock everyone out by
// accident. Anyone else gets NotFound for the target account.
func CanChangeRoles(p *Principal, accountID string) error {
	if err := Allow(p, "account not found", AnyRole(RoleSteward)); err != nil {
		return err
	}
	if p.AccountID == accountID {
		return apperr.New(apperr.Forbidden, "you may not change your own roles")
	}
	return nil
}

// CanDisableAccount allows a steward to disable another account.
func CanDisableAccount(p *Principal, accountID string) error { return CanChangeRoles(p, accountID) }
