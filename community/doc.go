// Package community holds the rules of Common Ground's people side: the
// households that lost their homes, what they consent to and who may see
// them, and the resident-owned communities they form (membership, bylaws,
// decisions, the pathway to ownership).
//
// The package does no I/O. It declares the store interfaces it needs, such as
// HouseholdStore, and the mongodb package implements them; the server turns
// its types into wire structs.
//
// Household privacy in brief: a household sees all of its own record; an
// organizer or steward sees only households with a matching consent in force,
// with the lost home's location snapped to a 0.001° grid and contact details
// only with a contact consent (see ViewHousehold); everyone else sees nothing.
package community
