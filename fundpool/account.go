package fundpool

import (
	"slices"
	"strings"

	"commonground/apperr"
)

// Use is something money may pay for. Grants name the uses they allow;
// every disbursement names the one use it pays for.
type Use string

// The uses of money.
const (
	UseLandAcquisition     Use = "land_acquisition"
	UseInfrastructure      Use = "infrastructure"
	UseHousingConstruction Use = "housing_construction"
	UseRelocation          Use = "relocation"
	UseAdministration      Use = "administration"
)

// Uses returns every use, in a fixed order.
func Uses() []Use {
	return []Use{UseLandAcquisition, UseInfrastructure, UseHousingConstruction, UseRelocation, UseAdministration}
}

// Valid reports whether u is one of the defined uses.
func (u Use) Valid() bool { return slices.Contains(Uses(), u) }

// useSet returns the canonical account key of a set of uses: sorted, joined
// by '+', so two grants allowing the same uses share one restricted account.
// It returns "" if any use is unknown or the set is empty.
func useSet(uses []Use) string {
	if len(uses) == 0 {
		return ""
	}
	s := make([]string, 0, len(uses))
	for _, u := range uses {
		if !u.Valid() {
			return ""
		}
		s = append(s, string(u))
	}
	slices.Sort(s)
	s = slices.Compact(s)
	return strings.Join(s, "+")
}

// setAllows reports whether the use set key allows use u.
func setAllows(set string, u Use) bool {
	for part := range strings.SplitSeq(set, "+") {
		if part == string(u) {
			return true
		}
	}
	return false
}

// parseUseSet returns the uses of a use set key, or nil if it is not canonical.
func parseUseSet(set string) []Use {
	var uses []Use
	for part := range strings.SplitSeq(set, "+") {
		uses = append(uses, Use(part))
	}
	if useSet(uses) != set {
		return nil
	}
	return uses
}

// Class is the kind of a ledger account: what its balance means. The chart of
// accounts is documented in doc.go.
type Class uint8

// The account classes. Source classes are contra accounts that stand for the
// outside world (a pledger's promise, a funder's award); their balances are
// zero or negative. Every other class is never negative.
const (
	ClassInvalid      Class = iota
	ClassPledgeSource       // source:pledge:<pledge id>
	ClassGrantSource        // source:grant:<grant id>
	ClassMatchSource        // source:match:<grant id>
	ClassLoanSource         // source:loan:<loan id>
	ClassPledged            // pledged:<pledge id>: promised, not yet received
	ClassAwarded            // awarded:<grant id>: awarded or matched, not yet received
	ClassCommitted          // committed:<loan id>: lent, not yet drawn
	ClassReceived           // received: unrestricted money held
	ClassRestricted         // restricted:<use>+<use>: money held for those uses only
	ClassFinancing          // financing: money drawn from loans, held
	ClassDisbursed          // disbursed:<use>: paid out for that use
	numClasses
)

var classNames = [numClasses]string{
	ClassInvalid:      "",
	ClassPledgeSource: "source:pledge",
	ClassGrantSource:  "source:grant",
	ClassMatchSource:  "source:match",
	ClassLoanSource:   "source:loan",
	ClassPledged:      "pledged",
	ClassAwarded:      "awarded",
	ClassCommitted:    "committed",
	ClassReceived:     "received",
	ClassRestricted:   "restricted",
	ClassFinancing:    "financing",
	ClassDisbursed:    "disbursed",
}

// String returns the class as it appears in account names.
func (c Class) String() string { return classNames[c] }

// isSource reports whether c is a contra account for the outside world.
func (c Class) isSource() bool { return c >= ClassPledgeSource && c <= ClassLoanSource }

// isOutstanding reports whether c holds money promised but not yet received.
func (c Class) isOutstanding() bool { return c >= ClassPledged && c <= ClassCommitted }

// isCash reports whether c holds money the campaign has received.
func (c Class) isCash() bool { return c >= ClassReceived && c <= ClassFinancing }

// hasKey reports whether accounts of class c carry a key after the class name.
func (c Class) hasKey() bool { return c != ClassReceived && c != ClassFinancing }

// Account is a parsed ledger account name:
// "campaign:<campaign id>:<class>[:<key>]".
type Account struct {
	Campaign string
	Class    Class
	Key      string // source id, use set or use; "" for received and financing
}

// String returns the account's name as it appears in postings.
func (a Account) String() string {
	s := "campaign:" + a.Campaign + ":" + a.Class.String()
	if a.Class.hasKey() {
		s += ":" + a.Key
	}
	return s
}

// ParseAccount parses an account name and checks that it follows the chart
// of accounts.
func ParseAccount(name string) (Account, error) {
	a, ok := parseAccount(name)
	if !ok {
		return Account{}, apperr.New(apperr.Unprocessable, "account %q is not in the chart of accounts", name)
	}
	return a, nil
}

func parseAccount(name string) (Account, bool) {
	rest, ok := strings.CutPrefix(name, "campaign:")
	if !ok {
		return Account{}, false
	}
	campaign, rest, ok := strings.Cut(rest, ":")
	if !ok || !validID(campaign) {
		return Account{}, false
	}
	cls, key := ClassInvalid, ""
	for c := ClassPledgeSource; c < numClasses; c++ {
		n := classNames[c]
		if !strings.HasPrefix(rest, n) {
			continue
		}
		if len(rest) == len(n) && !c.hasKey() {
			cls = c
			break
		}
		if len(rest) > len(n) && rest[len(n)] == ':' && c.hasKey() {
			cls, key = c, rest[len(n)+1:]
			break
		}
	}
	switch cls {
	case ClassInvalid:
		return Account{}, false
	case ClassRestricted:
		ok = parseUseSet(key) != nil
	case ClassDisbursed:
		ok = Use(key).Valid()
	case ClassReceived, ClassFinancing:
		ok = true
	default:
		ok = validID(key)
	}
	if !ok {
		return Account{}, false
	}
	return Account{Campaign: campaign, Class: cls, Key: key}, true
}

func account(campaign string, c Class, key string) string {
	return Account{Campaign: campaign, Class: c, Key: key}.String()
}

// PledgedAccount names the account holding what pledge pledgeID has promised
// and not yet paid.
func PledgedAccount(campaignID, pledgeID string) string {
	return account(campaignID, ClassPledged, pledgeID)
}

// ReceivedAccount names the account holding unrestricted money received.
func ReceivedAccount(campaignID string) string { return account(campaignID, ClassReceived, "") }

// RestrictedAccount names the account holding money that may pay only for uses.
func RestrictedAccount(campaignID string, uses []Use) string {
	return account(campaignID, ClassRestricted, useSet(uses))
}

// DisbursedAccount names the account of money paid out for use.
func DisbursedAccount(campaignID string, use Use) string {
	return account(campaignID, ClassDisbursed, string(use))
}
