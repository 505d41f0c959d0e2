package mongodb

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"

	"commonground/apperr"
	"commonground/community"
	"commonground/seal"
)

const householdsCollection = "households"

func init() {
	collections = append(collections, householdsCollection)
	indexes = append(indexes, IndexSet{Collection: householdsCollection, Indexes: []mongo.IndexModel{{
		// external_key is "x:" + the external id, or "id:" + the household
		// id when there is none: a plain unique index then guards non-empty
		// external ids without the partial index the embedded store lacks.
		Keys:    bson.D{{Key: "external_key", Value: 1}},
		Options: options.Index().SetUnique(true).SetName("external_key_unique"),
	}}})
}

var _ community.HouseholdStore = (*HouseholdStore)(nil)

// HouseholdStore keeps households in the households collection. The FEMA
// registration id, phone, email, address, notes and every date are sealed
// with the data key, bound to the household and field by associated data
// ("household/ID/phone"), so a copy of the database reveals none of them and
// a sealed value moved to another record does not open.
//
// An erased household's document is replaced, in one write, by its
// anonymous remainder, which keeps the same _id and nothing else of it.
type HouseholdStore struct {
	db   *DB
	ring *seal.Keyring

	// Concurrent registrations are committed together (group commit): the
	// embedded store runs one write at a time and each pays a disk sync, so
	// households that arrive while a write runs go into the next single
	// InsertMany. queue holds them; leading is true while a caller writes.
	mu      sync.Mutex
	queue   []*householdInsert
	leading bool

	snap householdSnapshots
}

// householdInsert is one household waiting for a group commit.
type householdInsert struct {
	doc  *householdDoc
	done chan error
}

// NewHouseholdStore returns a store sealing with ring.
func NewHouseholdStore(db *DB, ring *seal.Keyring) *HouseholdStore {
	return &HouseholdStore{db: db, ring: ring}
}

func (s *HouseholdStore) coll() *mongo.Collection { return s.db.Collection(householdsCollection) }

// householdDoc is a household as stored: the keys the store needs in
// clear (id, external key, version) and the whole record sealed as one
// value under the data key, bound to the household by associated data
// ("household/ID/record"). Nothing in the record is ever queried by the
// database (lists are served from memory), and one sealed value instead of
// thirty fields makes the start-up scan several times faster on the
// embedded store, whose per-field decoding dominates a full read.
//
// An erased household keeps only its anonymous remainder.
type householdDoc struct {
	ID          string                 `bson:"_id"`
	ExternalKey string                 `bson:"external_key"`
	Version     int64                  `bson:"version"`
	Record      []byte                 `bson:"record,omitempty"` // sealed JSON of householdRecord
	Erased      bool                   `bson:"erased,omitempty"`
	Remainder   *householdRemainderDoc `bson:"remainder,omitempty"`
}

// householdRecord is the sealed part of a household document. Its JSON
// names are the storage format: change them only with a migration.
type householdRecord struct {
	Owner     string                `json:"owner_account_id,omitempty"`
	External  string                `json:"external_id,omitempty"`
	Members   []householdMemberDoc  `json:"members,omitempty"`
	Pets      int                   `json:"pets,omitempty"`
	Service   bool                  `json:"service_animal,omitempty"`
	Language  string                `json:"language,omitempty"`
	Phone     string                `json:"phone,omitempty"`
	Email     string                `json:"email,omitempty"`
	Lon       *float64              `json:"lon,omitempty"`
	Lat       *float64              `json:"lat,omitempty"`
	Address   string                `json:"address,omitempty"`
	Situation string                `json:"situation,omitempty"`
	Zip       string                `json:"zip_code,omitempty"`
	Tenure    string                `json:"tenure_before,omitempty"`
	Income    string                `json:"income_band,omitempty"`
	Bedrooms  int                   `json:"bedrooms,omitempty"`
	Access    []string              `json:"accessibility,omitempty"`
	Areas     []householdAreaDoc    `json:"preferred_areas,omitempty"`
	Coop      bool                  `json:"interested_in_coop,omitempty"`
	LandTrust bool                  `json:"interested_in_land_trust,omitempty"`
	Disaster  string                `json:"fema_disaster_number,omitempty"`
	FEMAReg   string                `json:"fema_registration_id,omitempty"`
	Insurance string                `json:"insurance,omitempty"`
	Notes     string                `json:"notes,omitempty"`
	Consents  []householdConsentDoc `json:"consents,omitempty"`
	RegBy     string                `json:"registered_by,omitempty"`
	RegOrg    string                `json:"registered_by_organizer,omitempty"`
	RegMethod string                `json:"registration_consent_method,omitempty"`
	NotDup    []string              `json:"not_duplicate_of,omitempty"`
	Claim     *householdClaimDoc    `json:"claim,omitempty"`
	Voters    []householdVoterDoc   `json:"voters,omitempty"`
	VoterCode *householdClaimDoc    `json:"voter_code,omitempty"`
	Created   time.Time             `json:"created_at"`
	Updated   time.Time             `json:"updated_at"`
}

type householdClaimDoc struct {
	CodeHash string    `json:"code_hash"`
	IssuedBy string    `json:"issued_by"`
	IssuedAt time.Time `json:"issued_at"`
	Expires  time.Time `json:"expires"`
}

type householdVoterDoc struct {
	AccountID string    `json:"account_id"`
	LinkedAt  time.Time `json:"linked_at"`
}

type householdMemberDoc struct {
	Name          string   `json:"name"`
	PreferredName string   `json:"preferred_name,omitempty"`
	Relationship  string   `json:"relationship"`
	AgeBand       string   `json:"age_band,omitempty"`
	Access        []string `json:"accessibility,omitempty"`
}

type householdAreaDoc struct {
	Lon    float64 `json:"lon"`
	Lat    float64 `json:"lat"`
	Radius int     `json:"radius_m"`
}

type householdConsentDoc struct {
	Purpose     string     `json:"purpose"`
	TextVersion string     `json:"text_version"`
	Partners    []string   `json:"partners,omitempty"`
	GivenAt     time.Time  `json:"given_at"`
	Method      string     `json:"method"`
	RecordedBy  string     `json:"recorded_by,omitempty"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
}

type householdRemainderDoc struct {
	ErasedMonth string `bson:"erased_month"`
	Size        int    `bson:"size"`
	Bedrooms    int    `bson:"bedrooms"`
	Access      bool   `bson:"accessibility_needed"`
	Situation   string `bson:"situation,omitempty"`
	Disaster    string `bson:"fema_disaster_number,omitempty"`
	Statistics  bool   `bson:"count_in_statistics"`
}

func householdExternalKey(h *community.Household) string {
	if h.ExternalID != "" {
		return "x:" + h.ExternalID
	}
	return "id:" + h.ID
}

func householdAD(id string) []byte { return []byte("household/" + id + "/record") }

func strs[T ~string](xs []T) []string {
	if len(xs) == 0 {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

func enums[T ~string](xs []string) []T {
	if len(xs) == 0 {
		return nil
	}
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

// toHouseholdDoc converts a household to its stored form, sealing the record.
func toHouseholdDoc(ring *seal.Keyring, h *community.Household) (*householdDoc, error) {
	r := householdRecord{
		Owner: h.OwnerAccountID, External: h.ExternalID,
		Pets: h.Pets.Count, Service: h.Pets.ServiceAnimal, Language: string(h.Language),
		Phone: h.Contact.Phone, Email: h.Contact.Email, Address: h.LostHome.Address,
		Situation: string(h.Current.Situation), Zip: h.Current.ZipCode,
		Tenure: string(h.TenureBefore), Income: string(h.IncomeBand),
		Bedrooms: h.Needs.Bedrooms, Access: strs(h.Needs.Accessibility),
		Coop: h.InterestedInCoop, LandTrust: h.InterestedInLandTrust,
		Disaster: h.FEMA.DisasterNumber, FEMAReg: h.FEMA.RegistrationID,
		Insurance: string(h.Insurance), Notes: h.Notes,
		RegBy: string(h.RegisteredBy.By), RegOrg: h.RegisteredBy.OrganizerAccountID, RegMethod: string(h.RegisteredBy.ConsentMethod),
		NotDup: h.NotDuplicateOf, Created: h.CreatedAt, Updated: h.UpdatedAt,
	}
	r.Claim, r.VoterCode = toClaimDoc(h.Claim), toClaimDoc(h.VoterCode)
	for _, v := range h.Voters {
		r.Voters = append(r.Voters, householdVoterDoc{AccountID: v.AccountID, LinkedAt: v.LinkedAt})
	}
	if l := h.LostHome.Location; l != nil {
		lon, lat := l.Lon(), l.Lat()
		r.Lon, r.Lat = &lon, &lat
	}
	for _, m := range h.Members {
		r.Members = append(r.Members, householdMemberDoc{
			Name: m.Name, PreferredName: m.PreferredName, Relationship: string(m.Relationship),
			AgeBand: string(m.AgeBand), Access: strs(m.Accessibility),
		})
	}
	for _, a := range h.PreferredAreas {
		r.Areas = append(r.Areas, householdAreaDoc{Lon: a.Center.Lon(), Lat: a.Center.Lat(), Radius: a.RadiusMetres})
	}
	for _, c := range h.Consents {
		r.Consents = append(r.Consents, householdConsentDoc{
			Purpose: string(c.Purpose), TextVersion: c.TextVersion, Partners: c.Partners, GivenAt: c.GivenAt,
			Method: string(c.Method), RecordedBy: c.RecordedBy, WithdrawnAt: c.WithdrawnAt,
		})
	}
	plain, err := encodeHouseholdRecord(&r)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "the household could not be encoded")
	}
	return &householdDoc{ID: h.ID, ExternalKey: householdExternalKey(h), Version: h.Version, Record: ring.Seal(plain, householdAD(h.ID))}, nil
}

// householdRecordDeflateJSON marks a record encoded as deflated JSON, the
// first byte of every sealed record, so that the encoding can change later.
// Deflating halves the stored size, and the embedded store's cost of a
// full read grows with the bytes it decodes. (Compressing before
// encrypting leaks length only to someone who can mix their own text with
// a secret and watch the size, which storage at rest does not allow.)
const householdRecordDeflateJSON = 1

var householdFlateWriters = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return w
}}

var householdFlateReaders = sync.Pool{New: func() any { return flate.NewReader(bytes.NewReader(nil)) }}

func encodeHouseholdRecord(r *householdRecord) ([]byte, error) {
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.Grow(len(plain)/2 + 16)
	buf.WriteByte(householdRecordDeflateJSON)
	w := householdFlateWriters.Get().(*flate.Writer)
	defer householdFlateWriters.Put(w)
	w.Reset(&buf)
	if _, err := w.Write(plain); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decodeHouseholdRecord(b []byte) (*householdRecord, error) {
	if len(b) == 0 || b[0] != householdRecordDeflateJSON {
		return nil, fmt.Errorf("unknown household record encoding")
	}
	fr := householdFlateReaders.Get().(io.ReadCloser)
	defer householdFlateReaders.Put(fr)
	if err := fr.(flate.Resetter).Reset(bytes.NewReader(b[1:]), nil); err != nil {
		return nil, err
	}
	plain, err := io.ReadAll(fr)
	if err != nil {
		return nil, err
	}
	var r householdRecord
	if err := json.Unmarshal(plain, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// fromHouseholdDoc opens a stored household.
func fromHouseholdDoc(ring *seal.Keyring, d *householdDoc) (*community.Household, error) {
	plain, err := ring.Open(d.Record, householdAD(d.ID))
	if err != nil {
		// The cause names no key material or plaintext.
		return nil, apperr.Wrap(apperr.Internal, err, "a stored household could not be decrypted")
	}
	r, err := decodeHouseholdRecord(plain)
	if err != nil {
		return nil, apperr.Wrap(apperr.Internal, err, "a stored household could not be decoded")
	}
	h := &community.Household{
		ID: d.ID, OwnerAccountID: r.Owner, ExternalID: r.External,
		Pets:         community.HouseholdPets{Count: r.Pets, ServiceAnimal: r.Service},
		Language:     community.HouseholdLanguage(r.Language),
		Contact:      community.HouseholdContact{Phone: r.Phone, Email: r.Email},
		LostHome:     community.HouseholdLostHome{Address: r.Address},
		Current:      community.HouseholdStay{Situation: community.HouseholdSituation(r.Situation), ZipCode: r.Zip},
		TenureBefore: community.HouseholdTenure(r.Tenure), IncomeBand: community.HouseholdIncomeBand(r.Income),
		Needs:            community.HouseholdNeeds{Bedrooms: r.Bedrooms, Accessibility: enums[community.HouseholdAccessibilityNeed](r.Access)},
		InterestedInCoop: r.Coop, InterestedInLandTrust: r.LandTrust,
		FEMA:      community.HouseholdFEMA{DisasterNumber: r.Disaster, RegistrationID: r.FEMAReg},
		Insurance: community.HouseholdInsurance(r.Insurance),
		Notes:     r.Notes,
		RegisteredBy: community.HouseholdRegistration{
			By: community.HouseholdRegistrant(r.RegBy), OrganizerAccountID: r.RegOrg, ConsentMethod: community.ConsentMethod(r.RegMethod),
		},
		NotDuplicateOf: r.NotDup, CreatedAt: r.Created, UpdatedAt: r.Updated, Version: d.Version,
	}
	if r.Lon != nil && r.Lat != nil {
		h.LostHome.Location = &orb.Point{*r.Lon, *r.Lat}
	}
	h.Claim, h.VoterCode = fromClaimDoc(r.Claim), fromClaimDoc(r.VoterCode)
	for _, v := range r.Voters {
		h.Voters = append(h.Voters, community.HouseholdVoter{AccountID: v.AccountID, LinkedAt: v.LinkedAt.UTC()})
	}
	for _, m := range r.Members {
		h.Members = append(h.Members, community.HouseholdMember{
			Name: m.Name, PreferredName: m.PreferredName, Relationship: community.HouseholdRelationship(m.Relationship),
			AgeBand: community.HouseholdAgeBand(m.AgeBand), Accessibility: enums[community.HouseholdAccessibilityNeed](m.Access),
		})
	}
	for _, a := range r.Areas {
		h.PreferredAreas = append(h.PreferredAreas, community.HouseholdArea{Center: orb.Point{a.Lon, a.Lat}, RadiusMetres: a.Radius})
	}
	for _, c := range r.Consents {
		h.Consents = append(h.Consents, community.Consent{
			Purpose: community.ConsentPurpose(c.Purpose), TextVersion: c.TextVersion, Partners: c.Partners, GivenAt: c.GivenAt,
			Method: community.ConsentMethod(c.Method), RecordedBy: c.RecordedBy, WithdrawnAt: c.WithdrawnAt,
		})
	}
	return h, nil
}

func toRemainderDoc(r community.HouseholdRemainder) *householdRemainderDoc {
	return &householdRemainderDoc{
		ErasedMonth: r.ErasedMonth, Size: r.Size, Bedrooms: r.Bedrooms, Access: r.AccessibilityNeeded,
		Situation: string(r.Situation), Disaster: r.DisasterNumber, Statistics: r.CountInStatistics,
	}
}

func fromRemainderDoc(d *householdRemainderDoc) community.HouseholdRemainder {
	return community.HouseholdRemainder{
		ErasedMonth: d.ErasedMonth, Size: d.Size, Bedrooms: d.Bedrooms, AccessibilityNeeded: d.Access,
		Situation: community.HouseholdSituation(d.Situation), DisasterNumber: d.Disaster, CountInStatistics: d.Statistics,
	}
}

// CreateHousehold inserts h; a taken id or external id is a Conflict. It
// returns only once the insert has succeeded or failed, never earlier (not
// even when ctx ends), so that a caller's answer always matches the store.
func (s *HouseholdStore) CreateHousehold(ctx context.Context, h *community.Household) error {
	doc, err := toHouseholdDoc(s.ring, h)
	if err != nil {
		return err
	}
	req := &householdInsert{doc: doc, done: make(chan error, 1)}
	s.mu.Lock()
	s.queue = append(s.queue, req)
	lead := !s.leading
	s.leading = true
	s.mu.Unlock()
	if lead {
		s.commit(ctx)
	}
	return <-req.done
}

// commit writes everything queued in one InsertMany, then hands the lead
// to a new goroutine if more arrived meanwhile, so that no caller waits for
// batches after its own.
func (s *HouseholdStore) commit(ctx context.Context) {
	s.mu.Lock()
	batch := s.queue
	s.queue = nil
	s.mu.Unlock()

	// The batch carries other callers' households: it must not end with
	// this caller's request.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	errs := s.insertMany(wctx, batch)
	cancel()
	for i, req := range batch {
		req.done <- errs[i]
	}

	s.mu.Lock()
	if len(s.queue) > 0 {
		s.mu.Unlock()
		go s.commit(context.WithoutCancel(ctx))
		return
	}
	s.leading = false
	s.mu.Unlock()
}

// insertMany inserts the batch unordered and returns each insert's error.
func (s *HouseholdStore) insertMany(ctx context.Context, batch []*householdInsert) []error {
	docs := make([]any, len(batch))
	for i, req := range batch {
		docs[i] = req.doc
	}
	errs := make([]error, len(batch))
	var bwe mongo.BulkWriteException
	ids := make([]string, len(batch))
	for i, req := range batch {
		ids[i] = req.doc.ID
	}
	err := s.stamped(ctx, ids, func() error {
		return s.db.Write(ctx, householdsCollection, "insert", func(ctx context.Context) error {
			_, err := s.coll().InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
			if errors.As(err, &bwe) && bwe.WriteConcernError == nil && len(bwe.WriteErrors) > 0 {
				return nil // reported per document below
			}
			return err
		})
	})
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(errs) {
			continue
		}
		if we.Code == 11000 || (we.Code == 1 && strings.Contains(we.Message, "UNIQUE constraint failed")) {
			errs[we.Index] = apperr.Wrap(apperr.Conflict, we, "a household with this id or external id already exists")
		} else {
			errs[we.Index] = apperr.Wrap(apperr.Internal, we, "database error")
		}
	}
	return errs
}

// HouseholdByID returns the household, or NotFound (also for an erased one).
func (s *HouseholdStore) HouseholdByID(ctx context.Context, id string) (*community.Household, error) {
	var doc householdDoc
	err := s.db.Read(ctx, householdsCollection, "find_by_id", func(ctx context.Context) error {
		return s.coll().FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc)
	})
	if err == nil && doc.Erased {
		err = apperr.New(apperr.NotFound, "household not found")
	}
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Wrap(apperr.NotFound, err, "household not found")
		}
		return nil, err
	}
	return fromHouseholdDoc(s.ring, &doc)
}

// UpdateHousehold replaces the stored household when its version is
// h.Version-1, and answers Conflict when it is not (a stale copy) and
// NotFound when there is no such household.
func (s *HouseholdStore) UpdateHousehold(ctx context.Context, h *community.Household) error {
	doc, err := toHouseholdDoc(s.ring, h)
	if err != nil {
		return err
	}
	var matched bool
	err = s.stamped(ctx, []string{h.ID}, func() error {
		ok, err := s.db.replaceIf(ctx, householdsCollection, "replace", h.ID, doc, fieldIs("version", h.Version-1), notTrue("erased"))
		matched = ok
		return err
	})
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Wrap(apperr.Conflict, err, "a household with this external id already exists")
		}
		return err
	}
	if matched {
		return nil
	}
	if _, err := s.HouseholdByID(ctx, h.ID); err != nil {
		return err
	}
	return apperr.New(apperr.Conflict, "the household was changed meanwhile; reload it and try again")
}

// DeleteHousehold replaces the household's document with remainder, in one
// write, so that no moment exists where both or neither are stored.
func (s *HouseholdStore) DeleteHousehold(ctx context.Context, id string, remainder community.HouseholdRemainder) error {
	doc := &householdDoc{ID: id, ExternalKey: "erased:" + id, Erased: true, Remainder: toRemainderDoc(remainder)}
	var matched bool
	err := s.stamped(ctx, []string{id}, func() error {
		ok, err := s.db.replaceIf(ctx, householdsCollection, "erase", id, doc, notTrue("erased"))
		matched = ok
		return err
	})
	if err != nil {
		return err
	}
	if !matched {
		return apperr.New(apperr.NotFound, "household not found")
	}
	return nil
}

// EachHousehold calls fn with every stored household (remainders skipped),
// stopping at fn's first error; it reads as LoadHouseholds does.
func (s *HouseholdStore) EachHousehold(ctx context.Context, fn func(*community.Household) error) error {
	_, err := s.LoadHouseholds(ctx, fn)
	return err
}

// HouseholdRemainders returns the remainders of erased households.
func (s *HouseholdStore) HouseholdRemainders(ctx context.Context) ([]community.HouseholdRemainder, error) {
	return s.LoadHouseholds(ctx, func(*community.Household) error { return nil })
}

// CountHouseholds returns the number of stored household documents,
// remainders included, by a count the database does itself; the load test
// compares it with the number of registrations it saw succeed.
func (s *HouseholdStore) CountHouseholds(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Read(ctx, householdsCollection, "count", func(ctx context.Context) error {
		var err error
		n, err = s.coll().CountDocuments(ctx, bson.D{})
		return err
	})
	return n, err
}

// CreateHouseholds inserts many households in one write, for bulk loads
// (benchmarks and demo data); a taken id or external id is a Conflict and
// may leave the households before it stored.
func (s *HouseholdStore) CreateHouseholds(ctx context.Context, hs []*community.Household) error {
	docs := make([]any, len(hs))
	for i, h := range hs {
		d, err := toHouseholdDoc(s.ring, h)
		if err != nil {
			return err
		}
		docs[i] = d
	}
	ids := make([]string, len(hs))
	for i, h := range hs {
		ids[i] = h.ID
	}
	return s.stamped(ctx, ids, func() error {
		return s.db.Write(ctx, householdsCollection, "insert_many", func(ctx context.Context) error {
			_, err := s.coll().InsertMany(ctx, docs)
			return err
		})
	})
}

func toClaimDoc(c *community.HouseholdClaim) *householdClaimDoc {
	if c == nil {
		return nil
	}
	return &householdClaimDoc{CodeHash: c.CodeHash, IssuedBy: c.IssuedBy, IssuedAt: c.IssuedAt, Expires: c.Expires}
}

func fromClaimDoc(d *householdClaimDoc) *community.HouseholdClaim {
	if d == nil {
		return nil
	}
	return &community.HouseholdClaim{CodeHash: d.CodeHash, IssuedBy: d.IssuedBy, IssuedAt: d.IssuedAt.UTC(), Expires: d.Expires.UTC()}
}
