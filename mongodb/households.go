package mongodb

import (
	"context"
	"strconv"
	"strings"
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
}

// NewHouseholdStore returns a store sealing with ring.
func NewHouseholdStore(db *DB, ring *seal.Keyring) *HouseholdStore {
	return &HouseholdStore{db: db, ring: ring}
}

func (s *HouseholdStore) coll() *mongo.Collection { return s.db.Collection(householdsCollection) }

// householdDoc is a household as stored. Lists inside list entries are
// joined into strings, since the embedded store keeps no arrays nested in
// arrays; validation keeps the separators out of the values.
type householdDoc struct {
	ID          string `bson:"_id"`
	ExternalKey string `bson:"external_key"`
	// Erased marks a remainder document; the household fields are then empty.
	Erased    bool                   `bson:"erased,omitempty"`
	Remainder *householdRemainderDoc `bson:"remainder,omitempty"`
	Owner     string                 `bson:"owner_account_id,omitempty"`
	External  string                 `bson:"external_id,omitempty"`
	Members   []householdMemberDoc   `bson:"members,omitempty"`
	Pets      int                    `bson:"pets,omitempty"`
	Service   bool                   `bson:"service_animal,omitempty"`
	Language  string                 `bson:"language,omitempty"`
	Phone     string                 `bson:"phone,omitempty"` // sealed
	Email     string                 `bson:"email,omitempty"` // sealed
	Lon       *float64               `bson:"lon,omitempty"`
	Lat       *float64               `bson:"lat,omitempty"`
	Address   string                 `bson:"address,omitempty"` // sealed
	Situation string                 `bson:"situation,omitempty"`
	Zip       string                 `bson:"zip_code,omitempty"`
	Tenure    string                 `bson:"tenure_before,omitempty"`
	Income    string                 `bson:"income_band,omitempty"`
	Bedrooms  int                    `bson:"bedrooms,omitempty"`
	Access    string                 `bson:"accessibility,omitempty"`
	Areas     []householdAreaDoc     `bson:"preferred_areas,omitempty"`
	Coop      bool                   `bson:"interested_in_coop,omitempty"`
	LandTrust bool                   `bson:"interested_in_land_trust,omitempty"`
	Disaster  string                 `bson:"fema_disaster_number,omitempty"`
	FEMAReg   string                 `bson:"fema_registration_id,omitempty"` // sealed
	Insurance string                 `bson:"insurance,omitempty"`
	Notes     string                 `bson:"notes,omitempty"` // sealed
	Consents  []householdConsentDoc  `bson:"consents,omitempty"`
	RegBy     string                 `bson:"registered_by,omitempty"`
	RegOrg    string                 `bson:"registered_by_organizer,omitempty"`
	RegMethod string                 `bson:"registration_consent_method,omitempty"`
	NotDup    []string               `bson:"not_duplicate_of,omitempty"`
	Created   string                 `bson:"created_at,omitempty"` // sealed
	Updated   string                 `bson:"updated_at,omitempty"` // sealed
	Version   int64                  `bson:"version"`
}

type householdMemberDoc struct {
	Name          string `bson:"name"`
	PreferredName string `bson:"preferred_name,omitempty"`
	Relationship  string `bson:"relationship"`
	AgeBand       string `bson:"age_band,omitempty"`
	Access        string `bson:"accessibility,omitempty"`
}

type householdAreaDoc struct {
	Lon    float64 `bson:"lon"`
	Lat    float64 `bson:"lat"`
	Radius int     `bson:"radius_m"`
}

type householdConsentDoc struct {
	Purpose     string `bson:"purpose"`
	TextVersion string `bson:"text_version"`
	Partners    string `bson:"partners,omitempty"`
	GivenAt     string `bson:"given_at"` // sealed
	Method      string `bson:"method"`
	RecordedBy  string `bson:"recorded_by,omitempty"`
	WithdrawnAt string `bson:"withdrawn_at,omitempty"` // sealed
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

// List separators: accessibility needs are enum words; partner names are
// checked free of control characters, so a newline never occurs in one.
const (
	householdListSep    = ","
	householdPartnerSep = "\n"
)

func householdExternalKey(h *community.Household) string {
	if h.ExternalID != "" {
		return "x:" + h.ExternalID
	}
	return "id:" + h.ID
}

// sealer seals the fields of one household, binding each to the household
// id and the field's name.
type householdSealer struct {
	ring *seal.Keyring
	id   string
}

func (s householdSealer) ad(field string) []byte {
	return []byte("household/" + s.id + "/" + field)
}

func (s householdSealer) seal(field, v string) string {
	if v == "" {
		return ""
	}
	return s.ring.SealString(v, s.ad(field))
}

func (s householdSealer) sealTime(field string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return s.seal(field, t.UTC().Format(time.RFC3339Nano))
}

func (s householdSealer) open(field, v string) (string, error) {
	if v == "" {
		return "", nil
	}
	pt, err := s.ring.OpenString(v, s.ad(field))
	if err != nil {
		// The cause names no key material or plaintext; the message is
		// safe for a client.
		return "", apperr.Wrap(apperr.Internal, err, "a stored household could not be decrypted")
	}
	return pt, nil
}

func (s householdSealer) openTime(field, v string) (time.Time, error) {
	pt, err := s.open(field, v)
	if err != nil || pt == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, pt)
	if err != nil {
		return time.Time{}, apperr.Wrap(apperr.Internal, err, "a stored household has a malformed date")
	}
	return t, nil
}

func consentField(i int, name string) string {
	return "consents/" + strconv.Itoa(i) + "/" + name
}

func joinList[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = string(x)
	}
	return strings.Join(parts, householdListSep)
}

func splitList[T ~string](s, sep string) []T {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, sep)
	out := make([]T, len(parts))
	for i, p := range parts {
		out[i] = T(p)
	}
	return out
}

// toHouseholdDoc converts a household to its stored form, sealing the
// sensitive fields.
func toHouseholdDoc(ring *seal.Keyring, h *community.Household) *householdDoc {
	s := householdSealer{ring: ring, id: h.ID}
	d := &householdDoc{
		ID:          h.ID,
		ExternalKey: householdExternalKey(h),
		Owner:       h.OwnerAccountID,
		External:    h.ExternalID,
		Pets:        h.Pets.Count,
		Service:     h.Pets.ServiceAnimal,
		Language:    string(h.Language),
		Phone:       s.seal("phone", h.Contact.Phone),
		Email:       s.seal("email", h.Contact.Email),
		Address:     s.seal("address", h.LostHome.Address),
		Situation:   string(h.Current.Situation),
		Zip:         h.Current.ZipCode,
		Tenure:      string(h.TenureBefore),
		Income:      string(h.IncomeBand),
		Bedrooms:    h.Needs.Bedrooms,
		Access:      joinList(h.Needs.Accessibility),
		Coop:        h.InterestedInCoop,
		LandTrust:   h.InterestedInLandTrust,
		Disaster:    h.FEMA.DisasterNumber,
		FEMAReg:     s.seal("fema_registration_id", h.FEMA.RegistrationID),
		Insurance:   string(h.Insurance),
		Notes:       s.seal("notes", h.Notes),
		RegBy:       string(h.RegisteredBy.By),
		RegOrg:      h.RegisteredBy.OrganizerAccountID,
		RegMethod:   string(h.RegisteredBy.ConsentMethod),
		NotDup:      h.NotDuplicateOf,
		Created:     s.sealTime("created_at", h.CreatedAt),
		Updated:     s.sealTime("updated_at", h.UpdatedAt),
		Version:     h.Version,
	}
	if l := h.LostHome.Location; l != nil {
		lon, lat := l.Lon(), l.Lat()
		d.Lon, d.Lat = &lon, &lat
	}
	for _, m := range h.Members {
		d.Members = append(d.Members, householdMemberDoc{
			Name: m.Name, PreferredName: m.PreferredName, Relationship: string(m.Relationship),
			AgeBand: string(m.AgeBand), Access: joinList(m.Accessibility),
		})
	}
	for _, a := range h.PreferredAreas {
		d.Areas = append(d.Areas, householdAreaDoc{Lon: a.Center.Lon(), Lat: a.Center.Lat(), Radius: a.RadiusMetres})
	}
	for i, c := range h.Consents {
		cd := householdConsentDoc{
			Purpose: string(c.Purpose), TextVersion: c.TextVersion, Partners: strings.Join(c.Partners, householdPartnerSep),
			GivenAt: s.sealTime(consentField(i, "given_at"), c.GivenAt), Method: string(c.Method), RecordedBy: c.RecordedBy,
		}
		if c.WithdrawnAt != nil {
			cd.WithdrawnAt = s.sealTime(consentField(i, "withdrawn_at"), *c.WithdrawnAt)
		}
		d.Consents = append(d.Consents, cd)
	}
	return d
}

// fromHouseholdDoc opens a stored household.
func fromHouseholdDoc(ring *seal.Keyring, d *householdDoc) (*community.Household, error) {
	s := householdSealer{ring: ring, id: d.ID}
	h := &community.Household{
		ID:                    d.ID,
		OwnerAccountID:        d.Owner,
		ExternalID:            d.External,
		Pets:                  community.HouseholdPets{Count: d.Pets, ServiceAnimal: d.Service},
		Language:              community.HouseholdLanguage(d.Language),
		Current:               community.HouseholdStay{Situation: community.HouseholdSituation(d.Situation), ZipCode: d.Zip},
		TenureBefore:          community.HouseholdTenure(d.Tenure),
		IncomeBand:            community.HouseholdIncomeBand(d.Income),
		Needs:                 community.HouseholdNeeds{Bedrooms: d.Bedrooms, Accessibility: splitList[community.HouseholdAccessibilityNeed](d.Access, householdListSep)},
		InterestedInCoop:      d.Coop,
		InterestedInLandTrust: d.LandTrust,
		Insurance:             community.HouseholdInsurance(d.Insurance),
		RegisteredBy: community.HouseholdRegistration{
			By: community.HouseholdRegistrant(d.RegBy), OrganizerAccountID: d.RegOrg, ConsentMethod: community.ConsentMethod(d.RegMethod),
		},
		NotDuplicateOf: d.NotDup,
		Version:        d.Version,
	}
	h.FEMA.DisasterNumber = d.Disaster
	var err error
	open := func(dst *string, field, v string) {
		if err == nil {
			*dst, err = s.open(field, v)
		}
	}
	openTime := func(dst *time.Time, field, v string) {
		if err == nil {
			*dst, err = s.openTime(field, v)
		}
	}
	open(&h.Contact.Phone, "phone", d.Phone)
	open(&h.Contact.Email, "email", d.Email)
	open(&h.LostHome.Address, "address", d.Address)
	open(&h.FEMA.RegistrationID, "fema_registration_id", d.FEMAReg)
	open(&h.Notes, "notes", d.Notes)
	openTime(&h.CreatedAt, "created_at", d.Created)
	openTime(&h.UpdatedAt, "updated_at", d.Updated)
	if d.Lon != nil && d.Lat != nil {
		h.LostHome.Location = &orb.Point{*d.Lon, *d.Lat}
	}
	for _, m := range d.Members {
		h.Members = append(h.Members, community.HouseholdMember{
			Name: m.Name, PreferredName: m.PreferredName, Relationship: community.HouseholdRelationship(m.Relationship),
			AgeBand: community.HouseholdAgeBand(m.AgeBand), Accessibility: splitList[community.HouseholdAccessibilityNeed](m.Access, householdListSep),
		})
	}
	for _, a := range d.Areas {
		h.PreferredAreas = append(h.PreferredAreas, community.HouseholdArea{Center: orb.Point{a.Lon, a.Lat}, RadiusMetres: a.Radius})
	}
	for i, cd := range d.Consents {
		c := community.Consent{
			Purpose: community.ConsentPurpose(cd.Purpose), TextVersion: cd.TextVersion,
			Partners: splitList[string](cd.Partners, householdPartnerSep), Method: community.ConsentMethod(cd.Method), RecordedBy: cd.RecordedBy,
		}
		openTime(&c.GivenAt, consentField(i, "given_at"), cd.GivenAt)
		if cd.WithdrawnAt != "" {
			var w time.Time
			openTime(&w, consentField(i, "withdrawn_at"), cd.WithdrawnAt)
			c.WithdrawnAt = &w
		}
		h.Consents = append(h.Consents, c)
	}
	if err != nil {
		return nil, err
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

// CreateHousehold inserts h; a taken id or external id is a Conflict.
func (s *HouseholdStore) CreateHousehold(ctx context.Context, h *community.Household) error {
	doc := toHouseholdDoc(s.ring, h)
	err := s.db.Write(ctx, householdsCollection, "insert", func(ctx context.Context) error {
		_, err := s.coll().InsertOne(ctx, doc)
		return err
	})
	if apperr.Is(err, apperr.Conflict) {
		return apperr.Wrap(apperr.Conflict, err, "a household with this id or external id already exists")
	}
	return err
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
	doc := toHouseholdDoc(s.ring, h)
	var matched int64
	err := s.db.Write(ctx, householdsCollection, "replace", func(ctx context.Context) error {
		res, err := s.coll().ReplaceOne(ctx, bson.D{
			{Key: "_id", Value: h.ID}, {Key: "version", Value: h.Version - 1}, {Key: "erased", Value: bson.D{{Key: "$ne", Value: true}}},
		}, doc)
		if err != nil {
			return err
		}
		matched = res.MatchedCount
		return nil
	})
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Wrap(apperr.Conflict, err, "a household with this external id already exists")
		}
		return err
	}
	if matched == 1 {
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
	var matched int64
	err := s.db.Write(ctx, householdsCollection, "erase", func(ctx context.Context) error {
		res, err := s.coll().ReplaceOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "erased", Value: bson.D{{Key: "$ne", Value: true}}}}, doc)
		if err != nil {
			return err
		}
		matched = res.MatchedCount
		return nil
	})
	if err != nil {
		return err
	}
	if matched == 0 {
		return apperr.New(apperr.NotFound, "household not found")
	}
	return nil
}

// eachDoc calls fn with every stored document, in _id order.
func (s *HouseholdStore) eachDoc(ctx context.Context, op string, fn func(*householdDoc) error) error {
	return s.db.Read(ctx, householdsCollection, op, func(ctx context.Context) error {
		cur, err := s.coll().Find(ctx, bson.D{}, options.Find().SetBatchSize(2000))
		if err != nil {
			return err
		}
		defer cur.Close(ctx)
		for cur.Next(ctx) {
			var doc householdDoc
			if err := cur.Decode(&doc); err != nil {
				return err
			}
			if err := fn(&doc); err != nil {
				return err
			}
		}
		return cur.Err()
	})
}

// EachHousehold calls fn with every stored household (remainders skipped),
// stopping at fn's first error.
func (s *HouseholdStore) EachHousehold(ctx context.Context, fn func(*community.Household) error) error {
	return s.eachDoc(ctx, "find_all", func(d *householdDoc) error {
		if d.Erased {
			return nil
		}
		h, err := fromHouseholdDoc(s.ring, d)
		if err != nil {
			return err
		}
		return fn(h)
	})
}

// HouseholdRemainders returns the remainders of erased households.
func (s *HouseholdStore) HouseholdRemainders(ctx context.Context) ([]community.HouseholdRemainder, error) {
	var out []community.HouseholdRemainder
	err := s.eachDoc(ctx, "find_remainders", func(d *householdDoc) error {
		if d.Erased && d.Remainder != nil {
			out = append(out, fromRemainderDoc(d.Remainder))
		}
		return nil
	})
	return out, err
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
