package fundpool

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"commonground/apperr"
	"commonground/groupcommit"
)

// Book holds every campaign's ledger in memory with its balances, updated on
// each append in O(1) per posting, so progress and checks never scan the
// ledger or ask the database to aggregate. A Book is safe for concurrent use.
type Book struct {
	mu         sync.RWMutex
	txs        map[string]*Transaction // by id
	reversedBy map[string]string       // transaction id → id of the reversal that undid it
	campaigns  map[string]*campaignLedger

	writersMu sync.Mutex
	writers   map[string]*groupcommit.Queue[*commitReq] // per campaign: serializes and groups Commit
}

// campaignLedger is one campaign's part of the book.
type campaignLedger struct {
	id       string
	currency string
	txs      []*Transaction
	balances map[string]int64
	classes  [numClasses]int64
	sources  map[sourceKey]*sourceInfo
	grants   []*sourceInfo
	loans    []*sourceInfo
	pledges  []*sourceInfo
	matched  map[string]int64    // receipt id + "|" + grant id → matched so far
	matches  map[string][]string // receipt id → match transaction ids
	inflow   map[string]int64    // cash account → all that ever flowed in
	days     []dayTotals         // sorted by day

	targetSet bool
	target    int64
	fundedAt  time.Time
}

// dayTotals is what changed on one UTC day.
type dayTotals struct {
	day                            int64 // days since 1970-01-01
	committed, received, disbursed int64
}

// NewBook returns an empty book.
func NewBook() *Book {
	return &Book{
		txs:        make(map[string]*Transaction),
		reversedBy: make(map[string]string),
		campaigns:  make(map[string]*campaignLedger),
		writers:    make(map[string]*groupcommit.Queue[*commitReq]),
	}
}

// LoadBook rebuilds a book from stored transactions, in the order of each
// campaign's Seq. It stops at the first transaction that breaks a rule and
// returns its error; Verify explains such a ledger in full.
func LoadBook(txs []Transaction) (*Book, error) {
	sorted := slices.Clone(txs)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.CampaignID != b.CampaignID {
			return a.CampaignID < b.CampaignID
		}
		return a.Seq < b.Seq
	})
	b := NewBook()
	for _, t := range sorted {
		if _, _, err := b.Append(t); err != nil {
			return nil, apperr.Wrap(apperr.KindOf(err), err, "ledger transaction %s cannot be loaded", t.ID)
		}
	}
	return b, nil
}

func newCampaignLedger(id string) *campaignLedger {
	return &campaignLedger{
		id:       id,
		balances: make(map[string]int64), sources: make(map[sourceKey]*sourceInfo),
		matched: make(map[string]int64), matches: make(map[string][]string), inflow: make(map[string]int64),
	}
}

// currencyOr returns the campaign's currency, or DefaultCurrency before its
// first transaction.
func (l *campaignLedger) currencyOr() string {
	if l.currency == "" {
		return DefaultCurrency
	}
	return l.currency
}

func (l *campaignLedger) source(kind SourceKind, id string) *sourceInfo {
	if l == nil {
		return nil
	}
	return l.sources[sourceKey{kind, id}]
}

// Append checks t against every ledger rule and the current balances and, if
// it keeps them, adds it. It returns the transaction as held by the book and
// whether it was added: a transaction whose id is already in the book and
// records the same event (a retry) is not added again and is no error; one
// that reuses the id for a different event is a Conflict.
func (b *Book) Append(t Transaction) (Transaction, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, dup, err := b.check(t); err != nil || dup {
		return old, false, err
	}
	return b.apply(t), true, nil
}

// Check reports whether t could be appended now, without adding it.
func (b *Book) Check(t Transaction) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	_, _, err := b.check(t)
	return err
}

// Persist stores transactions in the order given, all of them or else
// returns an error (after which any of them may or may not be stored). A
// transaction already stored with the same id must come back as an apperr
// Conflict.
type Persist func(ctx context.Context, txs []Transaction) error

// Commit appends t after persist has stored it, so that the book never holds
// a transaction the store lost and the store never holds one the book would
// refuse. Commits to one campaign are serialized, and grouped: while one
// group is being stored, the transactions that arrive wait, and the next
// group stores them all in one call of persist (one write to the database
// instead of one each). Only transactions whose checks cannot depend on one
// another share a group (each brings in a new source of money, on accounts
// of its own); any other is stored alone, after the group before it is in the
// book. Commit returns only once t is stored and in the book, or refused.
// All commits to a book must pass the same persist: a group is stored by
// whichever waiting caller's call leads it. If t is a retry of a transaction
// already in the book, persist is not called. t.Seq is set to its position
// in the campaign's ledger before persist sees it.
func (b *Book) Commit(ctx context.Context, t Transaction, persist Persist) (Transaction, bool, error) {
	r := &commitReq{ctx: ctx, t: t}
	b.committer(t.CampaignID).Do(r, func(group []*commitReq) { b.commitAll(group, persist) })
	return r.out, r.added, r.err
}

// commitReq is one Commit call waiting in its campaign's queue.
type commitReq struct {
	ctx   context.Context
	t     Transaction
	out   Transaction
	added bool
	err   error
}

func (r *commitReq) finish(out Transaction, added bool, err error) {
	r.out, r.added, r.err = out, added, err
}

// commitTimeout bounds one group's write: the group outlives the request of
// the caller leading it, so it cannot use that request's deadline alone.
const commitTimeout = 15 * time.Second

// commitAll checks, stores and appends reqs in order, in groups.
func (b *Book) commitAll(reqs []*commitReq, persist Persist) {
	var group []*commitReq
	flush := func() {
		if len(group) > 0 {
			b.storeGroup(group, persist)
			group = nil
		}
	}
	for _, r := range reqs {
		if len(group) > 0 && !joins(group, r.t) {
			flush()
		}
		b.mu.RLock()
		old, dup, err := b.check(r.t)
		b.mu.RUnlock()
		if err != nil || dup {
			r.finish(old, false, err)
			continue
		}
		if err := r.ctx.Err(); err != nil {
			r.finish(Transaction{}, false, apperr.Wrap(apperr.Unavailable, err, "the request was cancelled"))
			continue
		}
		group = append(group, r)
		if !independent(r.t) {
			flush()
		}
	}
	flush()
}

// independent reports whether t's checks cannot depend on other
// transactions of its group: it brings in a new source, and every account
// it touches belongs to that source.
func independent(t Transaction) bool { return t.Kind.creates() }

// joins reports whether t may be stored in one group with group: it is
// independent, in the same currency, and names neither a transaction nor a
// source of the group.
func joins(group []*commitReq, t Transaction) bool {
	if !independent(t) || !independent(group[0].t) || txCurrency(t) != txCurrency(group[0].t) {
		return false
	}
	for _, g := range group {
		if g.t.ID == t.ID || (g.t.Source.Kind == t.Source.Kind && g.t.Source.ID == t.Source.ID) {
			return false
		}
	}
	return true
}

// storeGroup stores a checked group with one call of persist and appends it.
// If that fails, each transaction is stored alone, so that one failure
// fails only its own caller.
func (b *Book) storeGroup(group []*commitReq, persist Persist) {
	b.mu.RLock()
	seq := int64(1)
	if l := b.campaigns[group[0].t.CampaignID]; l != nil {
		seq += int64(len(l.txs))
	}
	b.mu.RUnlock()
	txs := make([]Transaction, len(group))
	for i, r := range group {
		r.t.Seq = seq + int64(i)
		txs[i] = r.t
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(group[0].ctx), commitTimeout)
	err := persist(ctx, txs)
	cancel()
	if err != nil {
		if len(group) == 1 {
			group[0].finish(Transaction{}, false, err)
			return
		}
		for _, r := range group {
			b.storeGroup([]*commitReq{r}, persist)
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range group {
		if old, dup, err := b.check(r.t); err != nil || dup {
			r.finish(old, false, err)
			continue
		}
		r.finish(b.apply(r.t), true, nil)
	}
}

func (b *Book) committer(campaignID string) *groupcommit.Queue[*commitReq] {
	b.writersMu.Lock()
	defer b.writersMu.Unlock()
	q := b.writers[campaignID]
	if q == nil {
		q = new(groupcommit.Queue[*commitReq])
		b.writers[campaignID] = q
	}
	return q
}

// check validates t under at least a read lock. It returns the existing
// transaction and dup=true for a retry.
func (b *Book) check(t Transaction) (Transaction, bool, error) {
	if old := b.txs[t.ID]; old != nil {
		if old.sameEvent(t) {
			return *old, true, nil
		}
		return Transaction{}, false, apperr.New(apperr.Conflict, "idempotency key %q was already used for a different transaction", t.IdempotencyKey)
	}
	l := b.campaigns[t.CampaignID]
	currency := ""
	if l != nil {
		currency = l.currency
	}
	if err := checkShape(t, l, currency); err != nil {
		return Transaction{}, false, err
	}
	if m := t.Source.Match; m != nil && currency != "" && m.Cap.Currency != currency {
		return Transaction{}, false, apperr.New(apperr.Unprocessable, "the match cap must be in %s", currency)
	}
	if err := checkApproval(t); err != nil {
		return Transaction{}, false, err
	}
	switch t.Kind {
	case KindReversal:
		if err := b.checkReversal(t, l, false); err != nil {
			return Transaction{}, false, err
		}
	case KindMatchEarned:
		if err := b.checkMatch(t, l); err != nil {
			return Transaction{}, false, err
		}
	case KindPledgeReceived, KindPledgeCancelled, KindRelease:
		if info := l.source(SourcePledge, t.Source.ID); info.closed != "" {
			return Transaction{}, false, apperr.New(apperr.Conflict, "pledge %s is already %s", t.Source.ID, closedState(info.closed))
		}
	}
	return Transaction{}, false, b.checkBalances(t, l)
}

// checkReversal checks that reversal t may undo its transaction now. With
// matchesFirst, matches of a receipt that t undoes count as reversed: they
// will be, just before it.
func (b *Book) checkReversal(t Transaction, l *campaignLedger, matchesFirst bool) error {
	orig := b.txs[t.Ref]
	if err := checkReversal(t, orig, b.reversedBy[t.Ref]); err != nil {
		return err
	}
	if orig.Source.Kind == SourcePledge && orig.Kind != KindPledgeCancelled && orig.Kind != KindRelease {
		if info := l.source(SourcePledge, orig.Source.ID); info.closed != "" {
			return apperr.New(apperr.Conflict, "pledge %s is %s; reverse that first", info.ID, closedState(info.closed))
		}
	}
	if matchesFirst {
		return nil
	}
	for _, id := range l.matches[orig.ID] {
		if b.reversedBy[id] == "" {
			return apperr.New(apperr.Conflict, "reverse the matches of %s before the receipt", orig.ID)
		}
	}
	return nil
}

// checkMatch checks that a match follows from a resident's pledge receipt and
// stays within its grant's ratio and cap.
func (b *Book) checkMatch(t Transaction, l *campaignLedger) error {
	receipt := b.txs[t.Ref]
	grant := l.source(SourceGrant, t.Source.ID)
	if receipt == nil || receipt.CampaignID != t.CampaignID || receipt.Kind != KindPledgeReceived || b.reversedBy[receipt.ID] != "" {
		return apperr.New(apperr.Unprocessable, "a match must refer to a pledge receipt of this campaign that stands")
	}
	if p := l.source(SourcePledge, receipt.Source.ID); p == nil || !p.Resident {
		return apperr.New(apperr.Unprocessable, "only pledges by residents are matched")
	}
	if grant.Match == nil || b.reversedBy[grant.created] != "" {
		return apperr.New(apperr.Unprocessable, "grant %s has no matching rule in force", grant.ID)
	}
	amount := t.Total().Amount
	share, _ := mulDivInt64(receipt.Total().Amount, grant.Match.Match, grant.Match.Per)
	if l.matched[receipt.ID+"|"+grant.ID]+amount > share {
		return apperr.New(apperr.Unprocessable, "match exceeds grant %s's ratio for this receipt", grant.ID)
	}
	if -l.balances[account(l.id, ClassMatchSource, grant.ID)]+amount > grant.Match.Cap.Amount {
		return apperr.New(apperr.Unprocessable, "match exceeds grant %s's cap of %s", grant.ID, grant.Match.Cap)
	}
	return nil
}

// checkBalances refuses a transaction that would take an account below zero
// where that is impossible, or overflow one.
func (b *Book) checkBalances(t Transaction, l *campaignLedger) error {
	type delta struct {
		account string
		class   Class
		amount  int64
	}
	var buf [8]delta
	ds := buf[:0]
	add := func(name string, amount int64) {
		for i := range ds {
			if ds[i].account == name {
				ds[i].amount += amount
				return
			}
		}
		a, _ := parseAccount(name)
		ds = append(ds, delta{name, a.Class, amount})
	}
	for _, p := range t.Postings {
		add(p.Source, -p.Amount.Amount)
		add(p.Destination, p.Amount.Amount)
	}
	for _, d := range ds {
		var bal int64
		if l != nil {
			bal = l.balances[d.account]
		}
		next, ok := addInt64(bal, d.amount)
		if !ok || next < -maxSourceDebt {
			return apperr.New(apperr.Unprocessable, "account %s would overflow", d.account)
		}
		if next < 0 && !d.class.isSource() {
			return apperr.New(apperr.Unprocessable, "account %s holds %s, less than the %s this needs",
				d.account, Money{Amount: bal, Currency: t.Postings[0].Amount.Currency}, Money{Amount: -d.amount, Currency: t.Postings[0].Amount.Currency})
		}
	}
	return nil
}

// maxSourceDebt bounds how negative a source account may go, leaving room
// so that sums of class totals cannot overflow.
const maxSourceDebt int64 = 1 << 60

func closedState(k TxKind) PledgeState {
	if k == KindRelease {
		return PledgeReleased
	}
	return PledgeCancelled
}

// apply adds a checked transaction. The caller holds the write lock.
func (b *Book) apply(in Transaction) Transaction {
	t := in
	t.Postings = slices.Clone(in.Postings)
	t.Source.Uses = slices.Clone(in.Source.Uses)
	if in.Source.Match != nil {
		m := *in.Source.Match
		t.Source.Match = &m
	}
	if in.Disbursement != nil {
		d := *in.Disbursement
		t.Disbursement = &d
	}
	l := b.campaigns[t.CampaignID]
	if l == nil {
		l = newCampaignLedger(t.CampaignID)
		b.campaigns[t.CampaignID] = l
	}
	if l.currency == "" {
		l.currency = txCurrency(t)
	}
	t.Seq = int64(len(l.txs)) + 1
	tp := &t
	b.txs[t.ID] = tp
	l.txs = append(l.txs, tp)
	l.register(tp)
	switch t.Kind {
	case KindReversal:
		orig := b.txs[t.Ref]
		b.reversedBy[orig.ID] = t.ID
		switch orig.Kind {
		case KindMatchEarned:
			l.matched[orig.Ref+"|"+orig.Source.ID] -= orig.Total().Amount
		case KindPledgeCancelled, KindRelease:
			l.source(SourcePledge, orig.Source.ID).closed = ""
		case KindPledgeMade:
			// A pledge recorded by mistake is withdrawn for good.
			l.source(SourcePledge, orig.Source.ID).closed = KindPledgeCancelled
		}
	case KindMatchEarned:
		l.matched[t.Ref+"|"+t.Source.ID] += t.Total().Amount
		l.matches[t.Ref] = append(l.matches[t.Ref], t.ID)
	case KindPledgeCancelled, KindRelease:
		l.source(SourcePledge, t.Source.ID).closed = t.Kind
	}
	before := l.committed()
	var day dayTotals
	for _, p := range t.Postings {
		l.post(p, &day)
	}
	l.addDay(t.Time, day)
	l.trackFunded(before, t.Time)
	return t
}

func txCurrency(t Transaction) string {
	if len(t.Postings) > 0 {
		return t.Postings[0].Amount.Currency
	}
	if t.Source.Match != nil {
		return t.Source.Match.Cap.Currency
	}
	return DefaultCurrency
}

func (l *campaignLedger) register(t *Transaction) {
	if !t.Kind.creates() {
		return
	}
	info := &sourceInfo{SourceRef: t.Source, useSet: useSet(t.Source.Uses), created: t.ID}
	l.sources[sourceKey{info.Kind, info.ID}] = info
	switch info.Kind {
	case SourcePledge:
		l.pledges = append(l.pledges, info)
	case SourceGrant:
		l.grants = append(l.grants, info)
	case SourceLoan:
		l.loans = append(l.loans, info)
	}
}

// post applies one posting to balances, class totals and the day's totals.
func (l *campaignLedger) post(p Posting, day *dayTotals) {
	src, _ := parseAccount(p.Source)
	dst, _ := parseAccount(p.Destination)
	a := p.Amount.Amount
	l.balances[p.Source] -= a
	l.balances[p.Destination] += a
	l.classes[src.Class] -= a
	l.classes[dst.Class] += a
	if dst.Class.isCash() {
		l.inflow[p.Destination] += a
	}
	if src.Class.isCash() && dst.Class.isOutstanding() {
		l.inflow[p.Source] -= a // a reversed receipt never came in
	}
	switch {
	case src.Class.isSource():
		day.committed += a
	case dst.Class.isSource():
		day.committed -= a
	}
	switch {
	case src.Class.isOutstanding() && dst.Class.isCash():
		day.received += a
	case src.Class.isCash() && dst.Class.isOutstanding():
		day.received -= a
	}
	switch {
	case dst.Class == ClassDisbursed:
		day.disbursed += a
	case src.Class == ClassDisbursed:
		day.disbursed -= a
	}
}

func (l *campaignLedger) addDay(at time.Time, d dayTotals) {
	d.day = dayOf(at)
	n := len(l.days)
	if n > 0 && l.days[n-1].day == d.day {
		l.days[n-1].add(d)
		return
	}
	i, found := slices.BinarySearchFunc(l.days, d.day, func(x dayTotals, day int64) int { return cmpInt(x.day, day) })
	if found {
		l.days[i].add(d)
		return
	}
	l.days = slices.Insert(l.days, i, d)
}

func (d *dayTotals) add(o dayTotals) {
	d.committed += o.committed
	d.received += o.received
	d.disbursed += o.disbursed
}

func dayOf(t time.Time) int64 {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return d
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// committed is everything promised toward the target: live pledges, grant
// awards, matches and loan commitments (money received stays counted).
func (l *campaignLedger) committed() int64 {
	return -(l.classes[ClassPledgeSource] + l.classes[ClassGrantSource] + l.classes[ClassMatchSource] + l.classes[ClassLoanSource])
}

func (l *campaignLedger) trackFunded(before int64, at time.Time) {
	if !l.targetSet {
		return
	}
	now := l.committed()
	switch {
	case now < l.target:
		l.fundedAt = time.Time{}
	case before < l.target:
		l.fundedAt = at
	}
}

// SetTarget tells the book a campaign's target so that it can note the time
// the target is reached as transactions arrive. Progress calls it when the
// target it is given differs; call it when a campaign is loaded or opened so
// that Progress never has to replay the ledger.
func (b *Book) SetTarget(campaignID string, target Money) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.setTarget(campaignID, target.Amount)
}

func (b *Book) setTarget(campaignID string, target int64) {
	l := b.campaigns[campaignID]
	if l == nil {
		l = newCampaignLedger(campaignID)
		b.campaigns[campaignID] = l
	}
	if l.targetSet && l.target == target {
		return
	}
	l.targetSet, l.target, l.fundedAt = true, target, time.Time{}
	// Replay the running total once to find when the target was reached.
	var running int64
	for _, t := range l.txs {
		before := running
		for _, p := range t.Postings {
			src, _ := parseAccount(p.Source)
			dst, _ := parseAccount(p.Destination)
			if src.Class.isSource() {
				running += p.Amount.Amount
			}
			if dst.Class.isSource() {
				running -= p.Amount.Amount
			}
		}
		switch {
		case running < target:
			l.fundedAt = time.Time{}
		case before < target:
			l.fundedAt = t.Time
		}
	}
}

// Balance returns the balance of an account, in its campaign's currency.
func (b *Book) Balance(account string) Money {
	a, _ := parseAccount(account)
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[a.Campaign]
	if l == nil {
		return Money{Currency: DefaultCurrency}
	}
	return Money{Amount: l.balances[account], Currency: l.currencyOr()}
}

// AccountBalance is one account and its balance.
type AccountBalance struct {
	Account string
	Balance Money
}

// Accounts returns every account of a campaign that has been posted to,
// sorted by name.
func (b *Book) Accounts(campaignID string) []AccountBalance {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[campaignID]
	if l == nil {
		return nil
	}
	out := make([]AccountBalance, 0, len(l.balances))
	for name, bal := range l.balances {
		out = append(out, AccountBalance{name, Money{bal, l.currency}})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

// Transaction returns the transaction with the given id.
func (b *Book) Transaction(id string) (Transaction, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	t := b.txs[id]
	if t == nil {
		return Transaction{}, false
	}
	return *t, true
}

// ReversedBy returns the id of the reversal that undid transaction id, or "".
func (b *Book) ReversedBy(id string) string {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.reversedBy[id]
}

// Transactions returns up to limit transactions of a campaign whose Seq is
// greater than afterSeq, in ledger order: Seq is the cursor of the public
// ledger's pages.
func (b *Book) Transactions(campaignID string, afterSeq int64, limit int) []Transaction {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[campaignID]
	if l == nil || afterSeq < 0 || afterSeq >= int64(len(l.txs)) || limit <= 0 {
		return nil
	}
	end := min(int64(len(l.txs)), afterSeq+int64(limit))
	out := make([]Transaction, 0, end-afterSeq)
	for _, t := range l.txs[afterSeq:end] {
		out = append(out, *t)
	}
	return out
}

// campaignIDs returns the ids of the campaigns in the book, sorted. The
// caller holds the lock.
func (b *Book) campaignIDs() []string {
	ids := make([]string, 0, len(b.campaigns))
	for id := range b.campaigns {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// All returns every transaction in the book, campaign by campaign in ledger order.
func (b *Book) All() []Transaction {
	b.mu.RLock()
	defer b.mu.RUnlock()
	out := make([]Transaction, 0, len(b.txs))
	for _, id := range b.campaignIDs() {
		for _, t := range b.campaigns[id].txs {
			out = append(out, *t)
		}
	}
	return out
}

// Available returns the money a campaign holds that may pay for use:
// unrestricted money, loan money and money restricted to sets including use.
func (b *Book) Available(campaignID string, use Use) Money {
	b.mu.RLock()
	defer b.mu.RUnlock()
	l := b.campaigns[campaignID]
	if l == nil {
		return Money{Currency: DefaultCurrency}
	}
	var sum int64
	for _, s := range l.spendable(use) {
		sum += s.amount
	}
	return Money{Amount: sum, Currency: l.currencyOr()}
}

type held struct {
	account string
	amount  int64
}

// spendable lists the accounts that may pay for use, in the order a
// disbursement draws on them: money restricted to the fewest uses first (it
// can pay for least else), then unrestricted money, then loan money.
func (l *campaignLedger) spendable(use Use) []held {
	var restricted []held
	for name := range l.inflow {
		a, _ := parseAccount(name)
		if a.Class == ClassRestricted && setAllows(a.Key, use) && l.balances[name] > 0 {
			restricted = append(restricted, held{name, l.balances[name]})
		}
	}
	sort.Slice(restricted, func(i, j int) bool {
		ni, nj := len(parseUseSet(keyOf(restricted[i].account))), len(parseUseSet(keyOf(restricted[j].account)))
		if ni != nj {
			return ni < nj
		}
		return restricted[i].account < restricted[j].account
	})
	for _, name := range []string{account(l.id, ClassReceived, ""), account(l.id, ClassFinancing, "")} {
		if l.balances[name] > 0 {
			restricted = append(restricted, held{name, l.balances[name]})
		}
	}
	return restricted
}

func keyOf(name string) string {
	a, _ := parseAccount(name)
	return a.Key
}
