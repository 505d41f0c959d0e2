package fundpool

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"commonground/apperr"
)

// Rule names an invariant of the ledger.
type Rule string

// The invariants Verify checks.
const (
	RuleDuplicate   Rule = "duplicate"        // two transactions share an id (an idempotency key)
	RuleShape       Rule = "shape"            // a transaction breaks the chart of accounts or its kind's flows
	RuleNegative    Rule = "negative_balance" // an account that cannot go below zero did
	RuleRestriction Rule = "restriction"      // restricted money paid for a use it does not allow
	RuleMatch       Rule = "match"            // a match beyond its rule's ratio or cap
	RuleReversal    Rule = "reversal"         // a reversal of nothing, of a reversal, twice, or not a mirror
	RuleApproval    Rule = "approval"         // a disbursement not approved by a second person
	RuleBalance     Rule = "balance"          // balances do not sum to zero, or the book drifted from its postings
)

// Violation is one broken invariant.
type Violation struct {
	TransactionID string
	Account       string
	Rule          Rule
	Message       string
}

// Report is the result of verifying a ledger.
type Report struct {
	Transactions int
	Accounts     int
	Violations   []Violation
}

// OK reports whether the ledger keeps every invariant.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Verify recomputes every balance from the postings of txs, taken campaign by
// campaign in Seq order, and checks every invariant of the ledger. It shares
// no state with Book: it is the independent check that the running balances
// and the rules enforced on append are right.
func Verify(txs []Transaction) Report {
	r, _ := verify(txs)
	return r
}

// Verify verifies every transaction in the book and also checks that the
// book's running balances equal those recomputed from the postings.
func (b *Book) Verify() Report {
	r, bal := verify(b.All())
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, id := range b.campaignIDs() {
		l := b.campaigns[id]
		var classes [numClasses]int64
		names := make([]string, 0, len(l.balances))
		for name := range l.balances {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			if l.balances[name] != bal[name] {
				r.add("", name, RuleBalance, "book holds %d but the postings give %d", l.balances[name], bal[name])
			}
			a, _ := parseAccount(name)
			classes[a.Class] += l.balances[name]
		}
		if classes != l.classes {
			r.add("", "campaign:"+id, RuleBalance, "class totals drifted from account balances")
		}
	}
	return r
}

func (r *Report) add(tx, acct string, rule Rule, format string, args ...any) {
	r.Violations = append(r.Violations, Violation{tx, acct, rule, fmt.Sprintf(format, args...)})
}

// verifyRegistry is the verifier's own record of one campaign's sources.
type verifyRegistry map[sourceKey]*sourceInfo

func (v verifyRegistry) source(kind SourceKind, id string) *sourceInfo { return v[sourceKey{kind, id}] }

type verifier struct {
	r        Report
	bal      map[string]int64
	seen     map[string]*Transaction
	reversed map[string]string
	sources  map[string]verifyRegistry // campaign → sources
	currency map[string]string
	matched  map[string]int64 // receipt id|grant id → matched
	matches  map[string][]string
}

func verify(txs []Transaction) (Report, map[string]int64) {
	sorted := slices.Clone(txs)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].CampaignID != sorted[j].CampaignID {
			return sorted[i].CampaignID < sorted[j].CampaignID
		}
		return sorted[i].Seq < sorted[j].Seq
	})
	v := &verifier{
		bal: make(map[string]int64), seen: make(map[string]*Transaction), reversed: make(map[string]string),
		sources: make(map[string]verifyRegistry), currency: make(map[string]string),
		matched: make(map[string]int64), matches: make(map[string][]string),
	}
	for i := range sorted {
		v.tx(&sorted[i])
	}
	sums := make(map[string]int64)
	for name, b := range v.bal {
		a, _ := parseAccount(name)
		sums[v.currency[a.Campaign]] += b
	}
	for cur, s := range sums {
		if s != 0 {
			v.r.add("", "", RuleBalance, "balances in %s sum to %d, not zero", cur, s)
		}
	}
	v.r.Transactions = len(v.seen)
	v.r.Accounts = len(v.bal)
	return v.r, v.bal
}

func (v *verifier) tx(t *Transaction) {
	if v.seen[t.ID] != nil {
		v.r.add(t.ID, "", RuleDuplicate, "a second transaction has id %s", t.ID)
		return
	}
	v.seen[t.ID] = t
	reg := v.sources[t.CampaignID]
	if reg == nil {
		reg = make(verifyRegistry)
		v.sources[t.CampaignID] = reg
	}
	if err := checkShape(*t, reg, v.currency[t.CampaignID]); err != nil {
		v.r.add(t.ID, "", RuleShape, "%s", describe(err))
	}
	if v.currency[t.CampaignID] == "" {
		v.currency[t.CampaignID] = txCurrency(*t)
	}
	if err := checkApproval(*t); err != nil {
		v.r.add(t.ID, "", RuleApproval, "%s", describe(err))
	}
	v.restrictions(t, reg)
	switch t.Kind {
	case KindReversal:
		v.reversal(t)
	case KindMatchEarned:
		v.match(t, reg)
	}
	if t.Kind.creates() && reg.source(t.Source.Kind, t.Source.ID) == nil {
		reg[sourceKey{t.Source.Kind, t.Source.ID}] = &sourceInfo{SourceRef: t.Source, useSet: useSet(t.Source.Uses), created: t.ID}
	}
	names := make([]string, 0, 2*len(t.Postings))
	for _, p := range t.Postings {
		v.bal[p.Source] -= p.Amount.Amount
		v.bal[p.Destination] += p.Amount.Amount
		names = append(names, p.Source, p.Destination)
	}
	slices.Sort(names)
	for _, name := range slices.Compact(names) {
		a, ok := parseAccount(name)
		if ok && !a.Class.isSource() && v.bal[name] < 0 {
			v.r.add(t.ID, name, RuleNegative, "balance fell to %d", v.bal[name])
		}
	}
}

// restrictions checks, apart from the shape rules, that restricted money
// goes only where its source's uses allow.
func (v *verifier) restrictions(t *Transaction, reg verifyRegistry) {
	for _, p := range t.Postings {
		src, ok1 := parseAccount(p.Source)
		dst, ok2 := parseAccount(p.Destination)
		if !ok1 || !ok2 {
			continue
		}
		if src.Class == ClassRestricted && dst.Class == ClassDisbursed && !setAllows(src.Key, Use(dst.Key)) {
			v.r.add(t.ID, p.Source, RuleRestriction, "money restricted to %s paid for %s", src.Key, dst.Key)
		}
		if src.Class == ClassAwarded && dst.Class == ClassRestricted {
			if g := reg.source(SourceGrant, src.Key); g != nil && g.useSet != dst.Key {
				v.r.add(t.ID, p.Destination, RuleRestriction, "grant %s allows %s, not %s", g.ID, g.useSet, dst.Key)
			}
		}
	}
}

func (v *verifier) reversal(t *Transaction) {
	orig := v.seen[t.Ref]
	if err := checkReversal(*t, orig, v.reversed[t.Ref]); err != nil {
		v.r.add(t.ID, "", RuleReversal, "%s", describe(err))
		return
	}
	v.reversed[orig.ID] = t.ID
	if orig.Kind == KindMatchEarned {
		v.matched[orig.Ref+"|"+orig.Source.ID] -= orig.Total().Amount
	}
	if orig.Kind == KindPledgeReceived {
		for _, id := range v.matches[orig.ID] {
			if v.reversed[id] == "" {
				v.r.add(t.ID, "", RuleReversal, "receipt %s reversed while its match %s stands", orig.ID, id)
			}
		}
	}
}

func (v *verifier) match(t *Transaction, reg verifyRegistry) {
	receipt := v.seen[t.Ref]
	grant := reg.source(SourceGrant, t.Source.ID)
	if receipt == nil || receipt.Kind != KindPledgeReceived || grant == nil || grant.Match == nil {
		v.r.add(t.ID, "", RuleMatch, "a match must follow a pledge receipt and a grant with a matching rule")
		return
	}
	if p := reg.source(SourcePledge, receipt.Source.ID); p == nil || !p.Resident {
		v.r.add(t.ID, "", RuleMatch, "pledge %s is not a resident's and is not matched", receipt.Source.ID)
	}
	amount := t.Total().Amount
	key := receipt.ID + "|" + grant.ID
	v.matched[key] += amount
	v.matches[receipt.ID] = append(v.matches[receipt.ID], t.ID)
	share, _ := mulDivInt64(receipt.Total().Amount, grant.Match.Match, grant.Match.Per)
	if v.matched[key] > share {
		v.r.add(t.ID, "", RuleMatch, "matched %d on receipt %s, more than the rule's %d", v.matched[key], receipt.ID, share)
	}
	srcAcct := account(t.CampaignID, ClassMatchSource, grant.ID)
	if total := -v.bal[srcAcct] + amount; total > grant.Match.Cap.Amount {
		v.r.add(t.ID, srcAcct, RuleMatch, "grant %s matched %d, over its cap of %d", grant.ID, total, grant.Match.Cap.Amount)
	}
}

// describe turns a domain error into one line listing its bad fields.
func describe(err error) string {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err.Error()
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + " " + f.Reason
	}
	return strings.Join(parts, "; ")
}
