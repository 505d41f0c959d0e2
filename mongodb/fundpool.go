package mongodb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/fundpool"
)

// The fund pool's collections. The ledger is append-only: its documents are
// inserted once, keyed by transaction id, and never updated or deleted.
const (
	collLedger        = "fundpool_ledger"
	collCampaigns     = "fundpool_campaigns"
	collPledges       = "fundpool_pledges"
	collGrants        = "fundpool_grants"
	collLoans         = "fundpool_loans"
	collDisbursements = "fundpool_disbursements"
	collIdempotency   = "fundpool_idempotency"
)

// PoolStore keeps the fund pool: the ledger, campaigns, sources of money,
// disbursements and idempotency records. Single documents are read by _id;
// lists come from in-memory indexes loaded by Load and updated on each write,
// because the embedded server scans a collection for any other filter.
type PoolStore struct {
	db *DB

	mu            sync.RWMutex
	campaigns     map[string]fundpool.Campaign
	pledges       map[string][]fundpool.Pledge // by campaign, in creation order
	pledgeByID    map[string]fundpool.Pledge
	grants        map[string][]fundpool.Grant
	grantByID     map[string]fundpool.Grant
	loans         map[string][]fundpool.LoanCommitment
	disbursements map[string][]string // by campaign: ids in creation order
	disbByID      map[string]fundpool.Disbursement
	// keys holds the ids of the idempotency records, so that a request with
	// a new key (nearly every one) costs no read. Another process sharing
	// the database may hold keys this one has not seen; a request that
	// slips through runs again, and the ledger's own key on each
	// transaction answers it with the first result.
	keys map[string]struct{}
	// recent holds the latest idempotency records in full, so that a retry
	// soon after its first request (nearly every retry) costs no read.
	recent recentRecords
}

// Bounds of the idempotency records kept in memory.
const (
	maxRecentRecords = 4096
	maxRecentBytes   = 8 << 20
)

// recentRecords is a first-in, first-out cache of idempotency records,
// bounded in count and in bytes of stored responses.
type recentRecords struct {
	byID  map[string]fundpool.IdempotencyRecord
	order []string // ids, oldest first
	bytes int
}

func (r *recentRecords) add(id string, rec fundpool.IdempotencyRecord) {
	if r.byID == nil {
		r.byID = map[string]fundpool.IdempotencyRecord{}
	}
	if _, ok := r.byID[id]; ok || len(rec.Body) > maxRecentBytes {
		return
	}
	rec.Body = slices.Clone(rec.Body)
	r.byID[id] = rec
	r.order = append(r.order, id)
	r.bytes += len(rec.Body)
	for len(r.order) > maxRecentRecords || r.bytes > maxRecentBytes {
		r.evict()
	}
}

func (r *recentRecords) evict() {
	old := r.order[0]
	r.order[0] = ""
	r.order = r.order[1:]
	r.bytes -= len(r.byID[old].Body)
	delete(r.byID, old)
}

// dropBefore forgets the records created before t, as the store does.
func (r *recentRecords) dropBefore(t time.Time) {
	for len(r.order) > 0 && r.byID[r.order[0]].CreatedAt.Before(t) {
		r.evict()
	}
}

var _ fundpool.Store = (*PoolStore)(nil)

// NewPoolStore returns a store over db with empty indexes; call Load before use.
func NewPoolStore(db *DB) *PoolStore {
	return &PoolStore{
		db:        db,
		campaigns: map[string]fundpool.Campaign{},
		pledges:   map[string][]fundpool.Pledge{}, pledgeByID: map[string]fundpool.Pledge{},
		grants: map[string][]fundpool.Grant{}, grantByID: map[string]fundpool.Grant{},
		loans:         map[string][]fundpool.LoanCommitment{},
		disbursements: map[string][]string{}, disbByID: map[string]fundpool.Disbursement{},
		keys: map[string]struct{}{},
	}
}

// Load reads campaigns, sources and disbursements into memory (one Find per
// collection). The ledger is read separately by LoadTransactions.
func (s *PoolStore) Load(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	err = loadAll(ctx, s.db, collCampaigns, func(d *campaignDoc) {
		s.campaigns[d.ID] = fromCampaignDoc(*d)
	})
	if err == nil {
		var ps []fundpool.Pledge
		err = loadAll(ctx, s.db, collPledges, func(d *pledgeDoc) { ps = append(ps, fromPledgeDoc(*d)) })
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].CreatedAt.Before(ps[j].CreatedAt) })
		for _, p := range ps {
			s.addPledge(p)
		}
	}
	if err == nil {
		var gs []fundpool.Grant
		err = loadAll(ctx, s.db, collGrants, func(d *grantDoc) { gs = append(gs, fromGrantDoc(*d)) })
		sort.SliceStable(gs, func(i, j int) bool { return gs[i].AwardedAt.Before(gs[j].AwardedAt) })
		for _, g := range gs {
			s.addGrant(g)
		}
	}
	if err == nil {
		var ls []fundpool.LoanCommitment
		err = loadAll(ctx, s.db, collLoans, func(d *loanDoc) { ls = append(ls, fromLoanDoc(*d)) })
		sort.SliceStable(ls, func(i, j int) bool { return ls[i].CommittedAt.Before(ls[j].CommittedAt) })
		for _, l := range ls {
			s.loans[l.CampaignID] = append(s.loans[l.CampaignID], l)
		}
	}
	if err == nil {
		var ds []fundpool.Disbursement
		err = loadAll(ctx, s.db, collDisbursements, func(d *disbursementDoc) { ds = append(ds, fromDisbursementDoc(*d)) })
		sort.SliceStable(ds, func(i, j int) bool { return ds[i].ProposedAt.Before(ds[j].ProposedAt) })
		for _, d := range ds {
			s.disbByID[d.ID] = d
			s.disbursements[d.CampaignID] = append(s.disbursements[d.CampaignID], d.ID)
		}
	}
	if err == nil {
		s.keys, err = s.loadKeys(ctx)
	}
	return err
}

func (s *PoolStore) loadKeys(ctx context.Context) (map[string]struct{}, error) {
	keys := map[string]struct{}{}
	err := s.db.Read(ctx, collIdempotency, "load_ids", func(ctx context.Context) error {
		cur, err := s.db.Collection(collIdempotency).Find(ctx, bson.D{}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}}))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var d struct {
				ID string `bson:"_id"`
			}
			if err := cur.Decode(&d); err != nil {
				return err
			}
			keys[d.ID] = struct{}{}
		}
		return cur.Err()
	})
	return keys, err
}

// insert stores a new record. Records are inserted in groups: the pledges
// of many clients at once share one write.
func (s *PoolStore) insert(ctx context.Context, coll string, doc any) error {
	return s.db.InsertGrouped(ctx, coll, doc)
}

func (s *PoolStore) findByID(ctx context.Context, coll, id string, doc any) error {
	return s.db.Read(ctx, coll, "find_by_id", func(ctx context.Context) error {
		return s.db.Collection(coll).FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(doc)
	})
}

// replaceIf replaces the document id if it also matches the field condition,
// answering Conflict when it does not: the store's compare-and-set.
func (s *PoolStore) replaceIf(ctx context.Context, coll, id, field string, value any, doc any, what string) error {
	matched, err := s.db.replaceIf(ctx, coll, "replace", id, doc, fieldIs(field, value))
	if err == nil && !matched {
		err = apperr.New(apperr.Conflict, "%s was changed by someone else; reload and try again", what)
	}
	return err
}

// notFound turns the store's NotFound into one naming the record.
func notFound(err error, format string, args ...any) error {
	if apperr.KindOf(err) == apperr.NotFound {
		return apperr.New(apperr.NotFound, format, args...)
	}
	return err
}

// Ledger

// AppendTransactions inserts txs under their ids in one ordered write; a
// second transaction with the same id (the same idempotency key) is refused
// by the primary key.
func (s *PoolStore) AppendTransactions(ctx context.Context, txs []fundpool.Transaction) error {
	if len(txs) == 1 {
		return s.db.Write(ctx, collLedger, "insert", func(ctx context.Context) error {
			_, err := s.db.Collection(collLedger).InsertOne(ctx, toTxDoc(txs[0]))
			return err
		})
	}
	docs := make([]any, len(txs))
	for i, t := range txs {
		docs[i] = toTxDoc(t)
	}
	return s.db.Write(ctx, collLedger, "insert_many", func(ctx context.Context) error {
		_, err := s.db.Collection(collLedger).InsertMany(ctx, docs)
		return err
	})
}

// FindTransactionByID returns a stored transaction.
func (s *PoolStore) FindTransactionByID(ctx context.Context, id string) (fundpool.Transaction, error) {
	var d txDoc
	if err := s.findByID(ctx, collLedger, id, &d); err != nil {
		return fundpool.Transaction{}, notFound(err, "transaction %s not found", id)
	}
	return fromTxDoc(d), nil
}

// LoadTransactions calls fn with every stored transaction.
func (s *PoolStore) LoadTransactions(ctx context.Context, fn func(fundpool.Transaction) error) error {
	var ferr error
	err := loadAll(ctx, s.db, collLedger, func(d *txDoc) {
		if ferr == nil {
			ferr = fn(fromTxDoc(*d))
		}
	})
	if err != nil {
		return err
	}
	return ferr
}

// Campaigns

// CreateCampaign stores a new campaign.
func (s *PoolStore) CreateCampaign(ctx context.Context, c fundpool.Campaign) error {
	if err := s.insert(ctx, collCampaigns, toCampaignDoc(c)); err != nil {
		return conflictAs(err, fmt.Sprintf("campaign %s already exists", c.ID))
	}
	s.mu.Lock()
	s.campaigns[c.ID] = cloneCampaign(c)
	s.mu.Unlock()
	return nil
}

// FindCampaignByID returns a campaign from memory.
func (s *PoolStore) FindCampaignByID(_ context.Context, id string) (fundpool.Campaign, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.campaigns[id]
	if !ok {
		return fundpool.Campaign{}, apperr.New(apperr.NotFound, "campaign not found")
	}
	return cloneCampaign(c), nil
}

// FindCampaigns filters the campaigns in memory.
func (s *PoolStore) FindCampaigns(_ context.Context, f fundpool.CampaignFilter) ([]fundpool.Campaign, int, error) {
	s.mu.RLock()
	var all []fundpool.Campaign
	for _, c := range s.campaigns {
		if len(f.Status) > 0 && !slices.Contains(f.Status, c.Status) {
			continue
		}
		if f.CommunityID != "" && c.CommunityID != f.CommunityID {
			continue
		}
		if f.ParcelID != "" && !slices.Contains(c.ParcelIDs, f.ParcelID) {
			continue
		}
		all = append(all, c)
	}
	s.mu.RUnlock()
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	total := len(all)
	start := min(max(f.Offset, 0), total)
	end := total
	if f.Limit > 0 {
		end = min(start+f.Limit, total)
	}
	out := make([]fundpool.Campaign, 0, end-start)
	for _, c := range all[start:end] {
		out = append(out, cloneCampaign(c))
	}
	return out, total, nil
}

// UpdateCampaign replaces c if the stored version is c.Version-1.
func (s *PoolStore) UpdateCampaign(ctx context.Context, c fundpool.Campaign) error {
	if err := s.replaceIf(ctx, collCampaigns, c.ID, "version", c.Version-1, toCampaignDoc(c), "the campaign"); err != nil {
		return err
	}
	s.mu.Lock()
	s.campaigns[c.ID] = cloneCampaign(c)
	s.mu.Unlock()
	return nil
}

func cloneCampaign(c fundpool.Campaign) fundpool.Campaign {
	c.ParcelIDs = slices.Clone(c.ParcelIDs)
	c.Budget = slices.Clone(c.Budget)
	return c
}

// Sources

// CreatePledge stores a pledge record.
func (s *PoolStore) CreatePledge(ctx context.Context, p fundpool.Pledge) error {
	if err := s.insert(ctx, collPledges, toPledgeDoc(p)); err != nil {
		return conflictAs(err, fmt.Sprintf("pledge %s already exists", p.ID))
	}
	s.mu.Lock()
	s.addPledge(p)
	s.mu.Unlock()
	return nil
}

func (s *PoolStore) addPledge(p fundpool.Pledge) {
	p.Schedule = slices.Clone(p.Schedule)
	s.pledges[p.CampaignID] = append(s.pledges[p.CampaignID], p)
	s.pledgeByID[p.ID] = p
}

// FindPledgeByID returns a pledge from memory.
func (s *PoolStore) FindPledgeByID(_ context.Context, id string) (fundpool.Pledge, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.pledgeByID[id]
	if !ok {
		return fundpool.Pledge{}, apperr.New(apperr.NotFound, "pledge not found")
	}
	p.Schedule = slices.Clone(p.Schedule)
	return p, nil
}

// FindPledges returns a campaign's pledges in the order they were made.
func (s *PoolStore) FindPledges(_ context.Context, campaignID string) ([]fundpool.Pledge, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.pledges[campaignID]), nil
}

// CreateGrant stores a grant record.
func (s *PoolStore) CreateGrant(ctx context.Context, g fundpool.Grant) error {
	if err := s.insert(ctx, collGrants, toGrantDoc(g)); err != nil {
		return conflictAs(err, fmt.Sprintf("grant %s already exists", g.ID))
	}
	s.mu.Lock()
	s.addGrant(g)
	s.mu.Unlock()
	return nil
}

func (s *PoolStore) addGrant(g fundpool.Grant) {
	g.Uses = slices.Clone(g.Uses)
	s.grants[g.CampaignID] = append(s.grants[g.CampaignID], g)
	s.grantByID[g.ID] = g
}

// FindGrantByID returns a grant from memory.
func (s *PoolStore) FindGrantByID(_ context.Context, id string) (fundpool.Grant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.grantByID[id]
	if !ok {
		return fundpool.Grant{}, apperr.New(apperr.NotFound, "grant not found")
	}
	return g, nil
}

// FindGrants returns a campaign's grants in the order they were awarded.
func (s *PoolStore) FindGrants(_ context.Context, campaignID string) ([]fundpool.Grant, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.grants[campaignID]), nil
}

// CreateLoan stores a loan commitment.
func (s *PoolStore) CreateLoan(ctx context.Context, l fundpool.LoanCommitment) error {
	if err := s.insert(ctx, collLoans, toLoanDoc(l)); err != nil {
		return conflictAs(err, fmt.Sprintf("loan %s already exists", l.ID))
	}
	s.mu.Lock()
	s.loans[l.CampaignID] = append(s.loans[l.CampaignID], l)
	s.mu.Unlock()
	return nil
}

// FindLoans returns a campaign's loan commitments.
func (s *PoolStore) FindLoans(_ context.Context, campaignID string) ([]fundpool.LoanCommitment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.loans[campaignID]), nil
}

// Disbursements

// CreateDisbursement stores a proposed disbursement.
func (s *PoolStore) CreateDisbursement(ctx context.Context, d fundpool.Disbursement) error {
	if err := s.insert(ctx, collDisbursements, toDisbursementDoc(d)); err != nil {
		return conflictAs(err, fmt.Sprintf("disbursement %s already exists", d.ID))
	}
	s.mu.Lock()
	s.disbByID[d.ID] = d
	s.disbursements[d.CampaignID] = append(s.disbursements[d.CampaignID], d.ID)
	s.mu.Unlock()
	return nil
}

// FindDisbursementByID returns a disbursement from memory.
func (s *PoolStore) FindDisbursementByID(_ context.Context, id string) (fundpool.Disbursement, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d, ok := s.disbByID[id]
	if !ok {
		return fundpool.Disbursement{}, apperr.New(apperr.NotFound, "disbursement not found")
	}
	return d, nil
}

// FindDisbursements returns a campaign's disbursements in the order proposed.
func (s *PoolStore) FindDisbursements(_ context.Context, campaignID string) ([]fundpool.Disbursement, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.disbursements[campaignID]
	out := make([]fundpool.Disbursement, len(ids))
	for i, id := range ids {
		out[i] = s.disbByID[id]
	}
	return out, nil
}

// UpdateDisbursement replaces d if its stored state is from.
func (s *PoolStore) UpdateDisbursement(ctx context.Context, d fundpool.Disbursement, from fundpool.DisbursementState) error {
	if err := s.replaceIf(ctx, collDisbursements, d.ID, "state", string(from), toDisbursementDoc(d), "the disbursement"); err != nil {
		return err
	}
	s.mu.Lock()
	s.disbByID[d.ID] = d
	s.mu.Unlock()
	return nil
}

// Idempotency

// idempotencyID keys a record by its scope and key without either's text
// limiting the other.
func idempotencyID(scope, key string) string {
	h := sha256.Sum256([]byte(scope + "\x00" + key))
	return hex.EncodeToString(h[:])
}

// FindIdempotency returns the record of (scope, key).
func (s *PoolStore) FindIdempotency(ctx context.Context, scope, key string) (fundpool.IdempotencyRecord, error) {
	id := idempotencyID(scope, key)
	s.mu.RLock()
	_, known := s.keys[id]
	s.mu.RUnlock()
	if !known {
		return fundpool.IdempotencyRecord{}, apperr.New(apperr.NotFound, "no request with this key")
	}
	s.mu.RLock()
	rec, ok := s.recent.byID[id]
	s.mu.RUnlock()
	if ok {
		rec.Body = slices.Clone(rec.Body)
		return rec, nil
	}
	var d idempotencyDoc
	if err := s.findByID(ctx, collIdempotency, id, &d); err != nil {
		return fundpool.IdempotencyRecord{}, notFound(err, "no request with this key")
	}
	return fundpool.IdempotencyRecord{Scope: d.Scope, Key: d.Key, Fingerprint: d.Fingerprint, Status: d.Status, Body: d.Body, CreatedAt: d.CreatedAt}, nil
}

// SaveIdempotency stores r; an existing (scope, key) is a Conflict.
func (s *PoolStore) SaveIdempotency(ctx context.Context, r fundpool.IdempotencyRecord) error {
	id := idempotencyID(r.Scope, r.Key)
	err := s.insert(ctx, collIdempotency, idempotencyDoc{
		ID: id, Scope: r.Scope, Key: r.Key, Fingerprint: r.Fingerprint,
		Status: r.Status, Body: r.Body, CreatedAt: r.CreatedAt.UTC(),
	})
	if err == nil || apperr.KindOf(err) == apperr.Conflict {
		s.mu.Lock()
		s.keys[id] = struct{}{}
		if err == nil {
			r.CreatedAt = r.CreatedAt.UTC().Truncate(time.Millisecond)
			s.recent.add(id, r)
		}
		s.mu.Unlock()
	}
	return err
}

// DeleteIdempotencyBefore removes records created before t. It scans the
// collection, which is acceptable for a periodic background job.
func (s *PoolStore) DeleteIdempotencyBefore(ctx context.Context, t time.Time) (int, error) {
	var n int
	err := s.db.Write(ctx, collIdempotency, "delete_before", func(ctx context.Context) error {
		res, err := s.db.Collection(collIdempotency).DeleteMany(ctx, bson.D{{Key: "created_at", Value: bson.D{{Key: "$lt", Value: t.UTC()}}}})
		if err != nil {
			return err
		}
		n = int(res.DeletedCount)
		return nil
	})
	if err != nil || n == 0 {
		return n, err
	}
	keys, err := s.loadKeys(ctx)
	if err != nil {
		return n, err
	}
	s.mu.Lock()
	s.keys = keys
	s.recent.dropBefore(t)
	s.mu.Unlock()
	return n, nil
}

// Documents and converters. Times are stored in UTC; money as int64 minor
// units beside its currency.

type fundMoneyDoc struct {
	Amount   int64  `bson:"amount_minor"`
	Currency string `bson:"currency"`
}

func toFundMoneyDoc(m fundpool.Money) fundMoneyDoc { return fundMoneyDoc{m.Amount, m.Currency} }
func fromFundMoneyDoc(m fundMoneyDoc) fundpool.Money {
	return fundpool.Money{Amount: m.Amount, Currency: m.Currency}
}

type postingDoc struct {
	Source      string       `bson:"source"`
	Destination string       `bson:"destination"`
	Amount      fundMoneyDoc `bson:"amount"`
}

type matchDoc struct {
	Match int64        `bson:"match"`
	Per   int64        `bson:"per"`
	Cap   fundMoneyDoc `bson:"cap"`
}

type sourceDoc struct {
	Kind     string    `bson:"kind,omitempty"`
	ID       string    `bson:"id,omitempty"`
	Resident bool      `bson:"resident,omitempty"`
	Funder   string    `bson:"funder,omitempty"`
	Program  string    `bson:"program,omitempty"`
	Uses     []string  `bson:"uses,omitempty"`
	Match    *matchDoc `bson:"match,omitempty"`
}

type disbursementRefDoc struct {
	ID         string `bson:"id"`
	Use        string `bson:"use"`
	Payee      string `bson:"payee"`
	ProposedBy string `bson:"proposed_by"`
	ApprovedBy string `bson:"approved_by"`
}

type txDoc struct {
	ID             string              `bson:"_id"`
	CampaignID     string              `bson:"campaign_id"`
	Seq            int64               `bson:"seq"`
	Kind           string              `bson:"kind"`
	Time           time.Time           `bson:"time"`
	IdempotencyKey string              `bson:"idempotency_key"`
	Memo           string              `bson:"memo,omitempty"`
	Postings       []postingDoc        `bson:"postings"`
	Source         sourceDoc           `bson:"source"`
	Disbursement   *disbursementRefDoc `bson:"disbursement,omitempty"`
	Ref            string              `bson:"ref,omitempty"`
	Explanation    string              `bson:"explanation,omitempty"`
}

func usesToStrings(us []fundpool.Use) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = string(u)
	}
	return out
}

func usesFromStrings(ss []string) []fundpool.Use {
	if len(ss) == 0 {
		return nil
	}
	out := make([]fundpool.Use, len(ss))
	for i, s := range ss {
		out[i] = fundpool.Use(s)
	}
	return out
}

func toMatchDoc(m *fundpool.MatchRule) *matchDoc {
	if m == nil {
		return nil
	}
	return &matchDoc{m.Match, m.Per, toFundMoneyDoc(m.Cap)}
}

func fromMatchDoc(m *matchDoc) *fundpool.MatchRule {
	if m == nil {
		return nil
	}
	return &fundpool.MatchRule{Match: m.Match, Per: m.Per, Cap: fromFundMoneyDoc(m.Cap)}
}

func toTxDoc(t fundpool.Transaction) txDoc {
	d := txDoc{
		ID: t.ID, CampaignID: t.CampaignID, Seq: t.Seq, Kind: string(t.Kind), Time: t.Time.UTC(),
		IdempotencyKey: t.IdempotencyKey, Memo: t.Memo, Ref: t.Ref, Explanation: t.Explanation,
		Postings: make([]postingDoc, len(t.Postings)),
		Source: sourceDoc{
			Kind: string(t.Source.Kind), ID: t.Source.ID, Resident: t.Source.Resident, Funder: t.Source.Funder,
			Program: t.Source.Program, Match: toMatchDoc(t.Source.Match),
		},
	}
	if len(t.Source.Uses) > 0 {
		d.Source.Uses = usesToStrings(t.Source.Uses)
	}
	for i, p := range t.Postings {
		d.Postings[i] = postingDoc{p.Source, p.Destination, toFundMoneyDoc(p.Amount)}
	}
	if r := t.Disbursement; r != nil {
		d.Disbursement = &disbursementRefDoc{r.ID, string(r.Use), r.Payee, r.ProposedBy, r.ApprovedBy}
	}
	return d
}

func fromTxDoc(d txDoc) fundpool.Transaction {
	t := fundpool.Transaction{
		ID: d.ID, CampaignID: d.CampaignID, Seq: d.Seq, Kind: fundpool.TxKind(d.Kind), Time: d.Time.UTC(),
		IdempotencyKey: d.IdempotencyKey, Memo: d.Memo, Ref: d.Ref, Explanation: d.Explanation,
		Source: fundpool.SourceRef{
			Kind: fundpool.SourceKind(d.Source.Kind), ID: d.Source.ID, Resident: d.Source.Resident,
			Funder: d.Source.Funder, Program: d.Source.Program, Uses: usesFromStrings(d.Source.Uses),
			Match: fromMatchDoc(d.Source.Match),
		},
	}
	if len(d.Postings) > 0 {
		t.Postings = make([]fundpool.Posting, len(d.Postings))
		for i, p := range d.Postings {
			t.Postings[i] = fundpool.Posting{Source: p.Source, Destination: p.Destination, Amount: fromFundMoneyDoc(p.Amount)}
		}
	}
	if r := d.Disbursement; r != nil {
		t.Disbursement = &fundpool.DisbursementRef{ID: r.ID, Use: fundpool.Use(r.Use), Payee: r.Payee, ProposedBy: r.ProposedBy, ApprovedBy: r.ApprovedBy}
	}
	return t
}

type fundTextDoc struct {
	En string `bson:"en,omitempty"`
	Es string `bson:"es,omitempty"`
}

type budgetLineDoc struct {
	Category string       `bson:"category"`
	Label    string       `bson:"label,omitempty"`
	Amount   fundMoneyDoc `bson:"amount"`
}

type campaignDoc struct {
	ID          string          `bson:"_id"`
	CommunityID string          `bson:"community_id,omitempty"`
	Title       fundTextDoc     `bson:"title"`
	Story       fundTextDoc     `bson:"story"`
	ParcelIDs   []string        `bson:"parcel_ids"`
	Budget      []budgetLineDoc `bson:"budget"`
	Target      fundMoneyDoc    `bson:"target"`
	Deadline    time.Time       `bson:"deadline"`
	Mode        string          `bson:"mode"`
	Status      string          `bson:"status"`
	CreatedBy   string          `bson:"created_by"`
	CreatedAt   time.Time       `bson:"created_at"`
	UpdatedAt   time.Time       `bson:"updated_at"`
	OpenedAt    time.Time       `bson:"opened_at"`
	FundedAt    time.Time       `bson:"funded_at"`
	ClosedAt    time.Time       `bson:"closed_at"`
	Version     int64           `bson:"version"`
}

// utc keeps the zero time zero: a stored zero time reads back as the zero
// time only if it went in as the zero time.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func toCampaignDoc(c fundpool.Campaign) campaignDoc {
	d := campaignDoc{
		ID: c.ID, CommunityID: c.CommunityID, Title: fundTextDoc(c.Title), Story: fundTextDoc(c.Story),
		ParcelIDs: slices.Clone(c.ParcelIDs), Target: toFundMoneyDoc(c.Target), Deadline: utc(c.Deadline),
		Mode: string(c.Mode), Status: string(c.Status), CreatedBy: c.CreatedBy,
		CreatedAt: utc(c.CreatedAt), UpdatedAt: utc(c.UpdatedAt), OpenedAt: utc(c.OpenedAt),
		FundedAt: utc(c.FundedAt), ClosedAt: utc(c.ClosedAt), Version: c.Version,
	}
	if d.ParcelIDs == nil {
		d.ParcelIDs = []string{}
	}
	d.Budget = make([]budgetLineDoc, len(c.Budget))
	for i, l := range c.Budget {
		d.Budget[i] = budgetLineDoc{string(l.Category), l.Label, toFundMoneyDoc(l.Amount)}
	}
	return d
}

// fromTime reads a stored time, keeping the zero time zero.
func fromTime(t time.Time) time.Time {
	if t.IsZero() || t.Equal(time.Time{}.UTC()) {
		return time.Time{}
	}
	return t.UTC()
}

func fromCampaignDoc(d campaignDoc) fundpool.Campaign {
	c := fundpool.Campaign{
		ID: d.ID, CommunityID: d.CommunityID, Title: fundpool.Text(d.Title), Story: fundpool.Text(d.Story),
		Target: fromFundMoneyDoc(d.Target), Deadline: fromTime(d.Deadline), Mode: fundpool.Mode(d.Mode),
		Status: fundpool.Status(d.Status), CreatedBy: d.CreatedBy, CreatedAt: fromTime(d.CreatedAt),
		UpdatedAt: fromTime(d.UpdatedAt), OpenedAt: fromTime(d.OpenedAt), FundedAt: fromTime(d.FundedAt),
		ClosedAt: fromTime(d.ClosedAt), Version: d.Version,
	}
	if len(d.ParcelIDs) > 0 {
		c.ParcelIDs = d.ParcelIDs
	}
	for _, l := range d.Budget {
		c.Budget = append(c.Budget, fundpool.BudgetLine{Category: fundpool.BudgetCategory(l.Category), Label: l.Label, Amount: fromFundMoneyDoc(l.Amount)})
	}
	return c
}

type instalmentDoc struct {
	Due    time.Time    `bson:"due"`
	Amount fundMoneyDoc `bson:"amount"`
}

type pledgeDoc struct {
	ID          string          `bson:"_id"`
	CampaignID  string          `bson:"campaign_id"`
	PledgerKind string          `bson:"pledger_kind"`
	Name        string          `bson:"name"`
	AccountID   string          `bson:"account_id,omitempty"`
	ResidentID  string          `bson:"resident_id,omitempty"`
	Amount      fundMoneyDoc    `bson:"amount"`
	Schedule    []instalmentDoc `bson:"schedule,omitempty"`
	Anonymous   bool            `bson:"anonymous"`
	CreatedAt   time.Time       `bson:"created_at"`
}

func toPledgeDoc(p fundpool.Pledge) pledgeDoc {
	d := pledgeDoc{
		ID: p.ID, CampaignID: p.CampaignID, PledgerKind: string(p.Pledger.Kind), Name: p.Pledger.Name,
		AccountID: p.Pledger.AccountID, ResidentID: p.Pledger.ResidentID, Amount: toFundMoneyDoc(p.Amount),
		Anonymous: p.Anonymous, CreatedAt: utc(p.CreatedAt),
	}
	for _, in := range p.Schedule {
		d.Schedule = append(d.Schedule, instalmentDoc{utc(in.Due), toFundMoneyDoc(in.Amount)})
	}
	return d
}

func fromPledgeDoc(d pledgeDoc) fundpool.Pledge {
	p := fundpool.Pledge{
		ID: d.ID, CampaignID: d.CampaignID,
		Pledger:   fundpool.Pledger{Kind: fundpool.PledgerKind(d.PledgerKind), Name: d.Name, AccountID: d.AccountID, ResidentID: d.ResidentID},
		Amount:    fromFundMoneyDoc(d.Amount),
		Anonymous: d.Anonymous, CreatedAt: fromTime(d.CreatedAt),
	}
	for _, in := range d.Schedule {
		p.Schedule = append(p.Schedule, fundpool.Instalment{Due: fromTime(in.Due), Amount: fromFundMoneyDoc(in.Amount)})
	}
	return p
}

type grantDoc struct {
	ID              string       `bson:"_id"`
	CampaignID      string       `bson:"campaign_id"`
	Funder          string       `bson:"funder"`
	Program         string       `bson:"program,omitempty"`
	AwardID         string       `bson:"award_id,omitempty"`
	Awarded         fundMoneyDoc `bson:"awarded"`
	Uses            []string     `bson:"uses"`
	Match           *matchDoc    `bson:"match,omitempty"`
	ReportingDuties string       `bson:"reporting_duties,omitempty"`
	AwardedAt       time.Time    `bson:"awarded_at"`
}

func toGrantDoc(g fundpool.Grant) grantDoc {
	return grantDoc{
		ID: g.ID, CampaignID: g.CampaignID, Funder: g.Funder, Program: g.Program, AwardID: g.AwardID,
		Awarded: toFundMoneyDoc(g.Awarded), Uses: usesToStrings(g.Uses), Match: toMatchDoc(g.Match),
		ReportingDuties: g.ReportingDuties, AwardedAt: utc(g.AwardedAt),
	}
}

func fromGrantDoc(d grantDoc) fundpool.Grant {
	return fundpool.Grant{
		ID: d.ID, CampaignID: d.CampaignID, Funder: d.Funder, Program: d.Program, AwardID: d.AwardID,
		Awarded: fromFundMoneyDoc(d.Awarded), Uses: usesFromStrings(d.Uses), Match: fromMatchDoc(d.Match),
		ReportingDuties: d.ReportingDuties, AwardedAt: fromTime(d.AwardedAt),
	}
}

type loanDoc struct {
	ID          string       `bson:"_id"`
	CampaignID  string       `bson:"campaign_id"`
	Lender      string       `bson:"lender"`
	Amount      fundMoneyDoc `bson:"amount"`
	Terms       string       `bson:"terms,omitempty"`
	CommittedAt time.Time    `bson:"committed_at"`
}

func toLoanDoc(l fundpool.LoanCommitment) loanDoc {
	return loanDoc{l.ID, l.CampaignID, l.Lender, toFundMoneyDoc(l.Amount), l.Terms, utc(l.CommittedAt)}
}

func fromLoanDoc(d loanDoc) fundpool.LoanCommitment {
	return fundpool.LoanCommitment{ID: d.ID, CampaignID: d.CampaignID, Lender: d.Lender, Amount: fromFundMoneyDoc(d.Amount), Terms: d.Terms, CommittedAt: fromTime(d.CommittedAt)}
}

type disbursementDoc struct {
	ID            string       `bson:"_id"`
	CampaignID    string       `bson:"campaign_id"`
	Amount        fundMoneyDoc `bson:"amount"`
	Use           string       `bson:"use"`
	Payee         string       `bson:"payee"`
	Memo          string       `bson:"memo,omitempty"`
	State         string       `bson:"state"`
	ProposedBy    string       `bson:"proposed_by"`
	ProposedAt    time.Time    `bson:"proposed_at"`
	DecidedBy     string       `bson:"decided_by,omitempty"`
	DecidedAt     time.Time    `bson:"decided_at"`
	TransactionID string       `bson:"transaction_id,omitempty"`
	PostedAt      time.Time    `bson:"posted_at"`
}

func toDisbursementDoc(d fundpool.Disbursement) disbursementDoc {
	return disbursementDoc{
		ID: d.ID, CampaignID: d.CampaignID, Amount: toFundMoneyDoc(d.Amount), Use: string(d.Use), Payee: d.Payee,
		Memo: d.Memo, State: string(d.State), ProposedBy: d.ProposedBy, ProposedAt: utc(d.ProposedAt),
		DecidedBy: d.DecidedBy, DecidedAt: utc(d.DecidedAt), TransactionID: d.TransactionID, PostedAt: utc(d.PostedAt),
	}
}

func fromDisbursementDoc(d disbursementDoc) fundpool.Disbursement {
	return fundpool.Disbursement{
		ID: d.ID, CampaignID: d.CampaignID, Amount: fromFundMoneyDoc(d.Amount), Use: fundpool.Use(d.Use), Payee: d.Payee,
		Memo: d.Memo, State: fundpool.DisbursementState(d.State), ProposedBy: d.ProposedBy, ProposedAt: fromTime(d.ProposedAt),
		DecidedBy: d.DecidedBy, DecidedAt: fromTime(d.DecidedAt), TransactionID: d.TransactionID, PostedAt: fromTime(d.PostedAt),
	}
}

type idempotencyDoc struct {
	ID          string    `bson:"_id"`
	Scope       string    `bson:"scope"`
	Key         string    `bson:"key"`
	Fingerprint string    `bson:"fingerprint"`
	Status      int       `bson:"status"`
	Body        []byte    `bson:"body"`
	CreatedAt   time.Time `bson:"created_at"`
}
