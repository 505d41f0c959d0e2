package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/paulmach/orb"

	"commonground/apperr"
	"commonground/auth"
	"commonground/geo"
)

// Who sees what of parcels. Candidate parcels are the organizers' working
// data: where a co-op is looking and what it would pay can raise prices if
// it is public, and owners are private people. So organizers and stewards
// see every parcel with every field; everyone else (residents, the public
// fund map) sees only the parcels the community is buying or owns
// (under_contract, acquired), without owner, notes or rejection reason.
// Writes and matching are for organizers and stewards.

// geoLocator gives the campaign map the geometry of a campaign's parcel.
// Organizers attach a parcel to a campaign to raise money for it in
// public, so the map shows its outline whatever its status.
type geoLocator struct{ parcels *geo.Parcels }

func (l geoLocator) ParcelGeoJSON(_ context.Context, id string) (json.RawMessage, bool) {
	p, err := l.parcels.Get(id)
	if err != nil {
		return nil, false
	}
	return geo.AppendGeometry(nil, p.Geometry), true
}

// Size limits of the geo routes.
const (
	importLimit  = 100 << 20 // a county's parcels as one FeatureCollection
	featureLimit = 16 << 20  // one feature of up to DefaultMaxVertices positions
	importBatch  = 500       // parcels written to the store at once during an import
	defaultLimit = 500
	maxLimit     = 5000
	maxNearestK  = 1000
)

func isStaff(p *auth.Principal) bool {
	return p.HasRole(auth.RoleOrganizer) || p.HasRole(auth.RoleSteward)
}

// publiclyVisible is what a non-staff caller may see.
func publiclyVisible(p *geo.Parcel) bool {
	return p.Status == geo.StatusUnderContract || p.Status == geo.StatusAcquired
}

// parcelProperties are the properties of a parcel Feature sent to the API:
// Regrid's names for the assessor fields (parcelnumb, geoid), money in minor
// units of currency. Unknown properties are ignored, so that a Regrid or
// assessor export can be imported as it is.
type parcelProperties struct {
	Source           string   `json:"source"`
	SourceID         string   `json:"source_id"`
	APN              string   `json:"parcelnumb"`
	CountyFIPS       string   `json:"geoid"`
	Address          string   `json:"address"`
	Owner            string   `json:"owner"`
	OwnerType        string   `json:"owner_type"`
	LandUse          string   `json:"land_use"`
	Zoning           string   `json:"zoning"`
	DeededAcres      float64  `json:"deeded_acres"`
	LandValue        int64    `json:"land_value"`
	ImprovementValue int64    `json:"improvement_value"`
	AskingPrice      int64    `json:"asking_price"`
	Currency         string   `json:"currency"`
	Utilities        []string `json:"utilities"`
	Notes            string   `json:"notes"`
	Status           string   `json:"status"`
	RejectedReason   string   `json:"rejected_reason"`
}

// decodeProperties decodes a feature's properties into dst, naming a value
// of the wrong type under prefix.
func decodeProperties(raw json.RawMessage, dst any, prefix string) error {
	if len(raw) == 0 {
		return nil
	}
	err := json.Unmarshal(raw, dst)
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typ):
		return apperr.Validation([]apperr.FieldError{{Field: prefix + "." + typ.Field,
			Reason: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), typ.Value)}})
	}
	return apperr.Validation([]apperr.FieldError{{Field: prefix, Reason: "must be a JSON object"}})
}

// parcelFromFeature builds the parcel a feature describes, or the fields
// that break a rule named under prefix ("" for a single feature,
// "features.N" in an import).
func parcelFromFeature(f geo.Feature, prefix string) (*geo.Parcel, error) {
	pp := join(prefix, "properties")
	var in parcelProperties
	if err := decodeProperties(f.Properties, &in, pp); err != nil {
		return nil, err
	}
	p := &geo.Parcel{
		Source: in.Source, SourceID: in.SourceID, APN: in.APN, CountyFIPS: in.CountyFIPS, Address: in.Address,
		Owner: in.Owner, OwnerType: in.OwnerType, LandUse: in.LandUse, Zoning: in.Zoning, DeededAcres: in.DeededAcres,
		LandValue: in.LandValue, ImprovementValue: in.ImprovementValue, AskingPrice: in.AskingPrice,
		Currency: in.Currency, Utilities: in.Utilities, Notes: in.Notes, Status: geo.ParcelStatus(in.Status),
		RejectedReason: in.RejectedReason, Geometry: f.Geometry,
	}
	// The feature's own id is the source id when the properties name none.
	if p.SourceID == "" && f.ID != "" {
		p.SourceID = f.ID
	}
	if p.SourceID != "" && p.Source == "" {
		p.Source = "import"
	}
	if p.Currency == "" {
		p.Currency = "USD"
	}
	if p.Status == "" {
		p.Status = geo.StatusIdentified
	}
	var fs apperr.Fields
	p.Check(&fs, pp)
	if err := fs.Err(); err != nil {
		return nil, err
	}
	return p, nil
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// hazardShare is one hazard kind a parcel meets.
type hazardShare struct {
	Kind     string  `json:"kind"`
	Share    float64 `json:"share"`
	Severity string  `json:"severity"`
}

// parcelOut is the properties member of a parcel Feature the API sends.
type parcelOut struct {
	ID               string        `json:"id"`
	Source           string        `json:"source,omitempty"`
	SourceID         string        `json:"source_id,omitempty"`
	APN              string        `json:"parcelnumb,omitempty"`
	CountyFIPS       string        `json:"geoid,omitempty"`
	Address          string        `json:"address,omitempty"`
	Owner            string        `json:"owner,omitempty"`
	OwnerType        string        `json:"owner_type,omitempty"`
	LandUse          string        `json:"land_use,omitempty"`
	Zoning           string        `json:"zoning,omitempty"`
	DeededAcres      float64       `json:"deeded_acres,omitempty"`
	ComputedAcres    float64       `json:"computed_acres"`
	LandValue        int64         `json:"land_value,omitempty"`
	ImprovementValue int64         `json:"improvement_value,omitempty"`
	AskingPrice      int64         `json:"asking_price,omitempty"`
	Currency         string        `json:"currency"`
	Utilities        []string      `json:"utilities,omitempty"`
	Notes            string        `json:"notes,omitempty"`
	Status           string        `json:"status"`
	RejectedReason   string        `json:"rejected_reason,omitempty"`
	HazardFree       bool          `json:"hazard_free"`
	Hazards          []hazardShare `json:"hazards"`
	DistanceM        *float64      `json:"distance_m,omitempty"`
	CreatedAt        time.Time     `json:"created_at"`
	UpdatedAt        time.Time     `json:"updated_at"`
}

func round(v float64, digits int) float64 {
	k := math.Pow10(digits)
	return math.Round(v*k) / k
}

// toParcelOut is what caller may see of p.
func toParcelOut(p *geo.Parcel, sc geo.Screening, staff bool) parcelOut {
	out := parcelOut{
		ID: p.ID, Source: p.Source, SourceID: p.SourceID, APN: p.APN, CountyFIPS: p.CountyFIPS, Address: p.Address,
		LandUse: p.LandUse, Zoning: p.Zoning, DeededAcres: p.DeededAcres, ComputedAcres: round(p.Acres, 4),
		LandValue: p.LandValue, ImprovementValue: p.ImprovementValue, AskingPrice: p.AskingPrice, Currency: p.Currency,
		Utilities: p.Utilities, Status: string(p.Status), HazardFree: sc.Clear(), Hazards: []hazardShare{},
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
	if staff {
		out.Owner, out.OwnerType, out.Notes, out.RejectedReason = p.Owner, p.OwnerType, p.Notes, p.RejectedReason
	}
	for _, k := range sc.Kinds {
		out.Hazards = append(out.Hazards, hazardShare{Kind: string(k.Kind), Share: round(k.Share, 4), Severity: severityName(k.MaxSeverity)})
	}
	return out
}

// appendParcel appends p as a GeoJSON Feature. A map response holds
// hundreds of parcels, so the properties are appended by hand rather than
// through reflection, and the geometry comes from the cache.
func (s *Server) appendParcel(dst []byte, p *geo.Parcel, staff bool, dist *float64) []byte {
	dst = append(dst, `{"type":"Feature","id":`...)
	dst = appendJSONString(dst, p.ID)
	dst = append(dst, `,"geometry":`...)
	dst = append(dst, s.geometryJSON(p)...)
	dst = append(dst, `,"properties":`...)
	dst = appendParcelProps(dst, toParcelOut(p, s.deps.Geo.Screening(p.ID), staff), dist)
	return append(dst, '}')
}

// appendParcelProps writes out as json.Marshal would (the same members,
// omitempty alike), without reflection.
func appendParcelProps(dst []byte, out parcelOut, dist *float64) []byte {
	str := func(name, v string, always bool) {
		if v == "" && !always {
			return
		}
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = appendJSONString(dst, v)
	}
	num := func(name string, v float64, always bool) {
		if v == 0 && !always {
			return
		}
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
	}
	integer := func(name string, v int64) {
		if v == 0 {
			return
		}
		dst = append(dst, ',', '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = strconv.AppendInt(dst, v, 10)
	}
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, out.ID)
	str("source", out.Source, false)
	str("source_id", out.SourceID, false)
	str("parcelnumb", out.APN, false)
	str("geoid", out.CountyFIPS, false)
	str("address", out.Address, false)
	str("owner", out.Owner, false)
	str("owner_type", out.OwnerType, false)
	str("land_use", out.LandUse, false)
	str("zoning", out.Zoning, false)
	num("deeded_acres", out.DeededAcres, false)
	num("computed_acres", out.ComputedAcres, true)
	integer("land_value", out.LandValue)
	integer("improvement_value", out.ImprovementValue)
	integer("asking_price", out.AskingPrice)
	str("currency", out.Currency, true)
	if len(out.Utilities) > 0 {
		dst = append(dst, `,"utilities":[`...)
		for i, u := range out.Utilities {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, u)
		}
		dst = append(dst, ']')
	}
	str("notes", out.Notes, false)
	str("status", out.Status, true)
	str("rejected_reason", out.RejectedReason, false)
	dst = append(dst, `,"hazard_free":`...)
	dst = strconv.AppendBool(dst, out.HazardFree)
	dst = append(dst, `,"hazards":[`...)
	for i, h := range out.Hazards {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"kind":`...)
		dst = appendJSONString(dst, h.Kind)
		dst = append(dst, `,"share":`...)
		dst = strconv.AppendFloat(dst, h.Share, 'f', -1, 64)
		dst = append(dst, `,"severity":`...)
		dst = appendJSONString(dst, h.Severity)
		dst = append(dst, '}')
	}
	dst = append(dst, ']')
	if dist != nil {
		num("distance_m", *dist, true)
	}
	dst = append(dst, `,"created_at":"`...)
	dst = out.CreatedAt.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, `","updated_at":"`...)
	dst = out.UpdatedAt.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"', '}')
}

// appendJSONString appends v as a JSON string. Input text is checked to be
// UTF-8, so only quotes, backslashes and control characters need escapes.
func appendJSONString(dst []byte, v string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, v[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, v[start:]...)
	return append(dst, '"')
}

// geometryCacheSize bounds the encoded geometries kept: about the parcels
// of a county.
const geometryCacheSize = 250_000

// geometryCache keeps each parcel's normalized GeoJSON geometry, which is
// most of a map response and the same for every caller. Parcels are
// immutable values (an update stores a new one), so the pointer is the
// key; when the cache is full it starts over, dropping stale versions.
type geometryCache struct {
	mu sync.RWMutex
	m  map[*geo.Parcel][]byte
}

func (s *Server) geometryJSON(p *geo.Parcel) []byte {
	c := &s.geoms
	c.mu.RLock()
	b, ok := c.m[p]
	c.mu.RUnlock()
	if ok {
		return b
	}
	b = geo.AppendGeometry(nil, p.Geometry)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= geometryCacheSize {
		c.m = make(map[*geo.Parcel][]byte)
	}
	c.m[p] = b
	c.mu.Unlock()
	return b
}

// writeGeoJSON sends a GeoJSON document.
func writeGeoJSON(c *fiber.Ctx, status int, body []byte) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, geo.ContentType)
	return c.Send(body)
}

func (s *Server) sendParcel(c *fiber.Ctx, status int, p *geo.Parcel) error {
	return writeGeoJSON(c, status, s.appendParcel(nil, p, isStaff(principal(c)), nil))
}

// sendParcels sends a FeatureCollection; dists, when not nil, gives each
// parcel's distance_m. A result cut at the limit says so in a header, as
// GeoJSON has no member for it.
func (s *Server) sendParcels(c *fiber.Ctx, ps []*geo.Parcel, dists []float64, more bool) error {
	staff := isStaff(principal(c))
	body := make([]byte, 0, 64+len(ps)*900)
	body = append(body, `{"type":"FeatureCollection","features":[`...)
	for i, p := range ps {
		if i > 0 {
			body = append(body, ',')
		}
		var d *float64
		if dists != nil {
			v := round(dists[i], 1)
			d = &v
		}
		body = s.appendParcel(body, p, staff, d)
	}
	body = append(body, "]}"...)
	if more {
		c.Set("X-Result-Truncated", "true")
	}
	return writeGeoJSON(c, fiber.StatusOK, body)
}

// getVisibleParcel returns the parcel if the caller may see it; NotFound
// otherwise, so hidden parcels are not revealed.
func (s *Server) getVisibleParcel(c *fiber.Ctx) (*geo.Parcel, error) {
	id := c.Params("id")
	p, err := s.deps.Geo.Get(id)
	if err != nil {
		return nil, err
	}
	if !isStaff(principal(c)) && !publiclyVisible(p) {
		return nil, apperr.New(apperr.NotFound, "no parcel has id %s", id)
	}
	return p, nil
}

// createParcel stores one Feature (a re-sent source id updates).
func (s *Server) createParcel(c *fiber.Ctx) error {
	if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := readBody(c, featureLimit)
	if err != nil {
		return err
	}
	f, err := geo.DecodeFeature(body, geo.Rules{})
	if err != nil {
		return err
	}
	p, err := parcelFromFeature(f, "")
	if err != nil {
		return err
	}
	res, err := s.deps.Geo.Put(c.UserContext(), []*geo.Parcel{p})
	if err != nil {
		return err
	}
	saved, err := s.deps.Geo.Get(res[0].ID)
	if err != nil {
		return err
	}
	status := fiber.StatusCreated
	if !res[0].Created {
		status = fiber.StatusOK
	}
	c.Location("/api/v1/parcels/" + saved.ID)
	return s.sendParcel(c, status, saved)
}

// importOutcome is one feature's line of an import report.
type importOutcome struct {
	Index    int                 `json:"index"`
	Status   string              `json:"status"` // accepted, updated or rejected
	ID       string              `json:"id,omitempty"`
	SourceID string              `json:"source_id,omitempty"`
	Reason   string              `json:"reason,omitempty"`
	Errors   []apperr.FieldError `json:"errors,omitempty"`
}

// importReport answers an import: how many features were accepted (new),
// updated (re-imported) and rejected, and a line per feature.
type importReport struct {
	Accepted int             `json:"accepted"`
	Updated  int             `json:"updated"`
	Rejected int             `json:"rejected"`
	Features []importOutcome `json:"features"`
}

func (r *importReport) reject(index int, err error) {
	out := importOutcome{Index: index, Status: "rejected"}
	var ae *apperr.Error
	if errors.As(err, &ae) && len(ae.Fields) > 0 {
		out.Errors = ae.Fields
		reasons := make([]string, len(ae.Fields))
		for i, f := range ae.Fields {
			reasons[i] = f.Field + ": " + f.Reason
		}
		out.Reason = strings.Join(reasons, "; ")
	} else if ae != nil {
		out.Reason = ae.Message
	} else {
		out.Reason = "the feature could not be read"
	}
	r.Rejected++
	r.Features = append(r.Features, out)
}

func (r *importReport) stored(index int, res geo.PutResult, sourceID string) {
	out := importOutcome{Index: index, Status: "accepted", ID: res.ID, SourceID: sourceID}
	if res.Created {
		r.Accepted++
	} else {
		out.Status = "updated"
		r.Updated++
	}
	r.Features = append(r.Features, out)
}

// finish turns the report into the response. Every feature rejected is a
// 422 problem naming each feature's fields (nothing was stored); otherwise
// 200 with the report, whose rejected lines name the index and reasons.
// A document that breaks off (truncated, malformed JSON) is a 422 naming
// where it broke; the complete features before that point were stored,
// and re-sending the corrected file updates them instead of duplicating.
func (r *importReport) finish(c *fiber.Ctx, docErr error) error {
	if docErr != nil {
		if !apperr.Is(docErr, apperr.Unprocessable) {
			return docErr
		}
		var ae *apperr.Error
		errors.As(docErr, &ae)
		fields := append([]apperr.FieldError(nil), ae.Fields...)
		for _, f := range r.Features {
			fields = append(fields, f.Errors...)
		}
		return &apperr.Error{Kind: apperr.Unprocessable, Fields: fields, Message: fmt.Sprintf(
			"the FeatureCollection is broken; %d features before the break were stored, %d were rejected",
			r.Accepted+r.Updated, r.Rejected)}
	}
	if r.Rejected > 0 && r.Accepted+r.Updated == 0 {
		var fields []apperr.FieldError
		for _, f := range r.Features {
			fields = append(fields, f.Errors...)
		}
		return &apperr.Error{Kind: apperr.Unprocessable, Fields: fields,
			Message: fmt.Sprintf("none of the %d features could be imported", r.Rejected)}
	}
	if r.Features == nil {
		r.Features = []importOutcome{}
	}
	// Rejections are recorded as read, acceptances when their batch is
	// written: put the lines back in document order.
	sort.Slice(r.Features, func(i, j int) bool { return r.Features[i].Index < r.Features[j].Index })
	return writeJSON(c, fiber.StatusOK, r)
}

// importParcels streams a FeatureCollection into the store, importBatch
// parcels at a time, so a 100 MB file never sits in memory.
func (s *Server) importParcels(c *fiber.Ctx) error {
	if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := bodyReader(c, importLimit)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	var report importReport
	var batch []*geo.Parcel
	var batchIdx []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		res, err := s.deps.Geo.Put(ctx, batch)
		if err != nil {
			return err
		}
		for i, r := range res {
			report.stored(batchIdx[i], r, batch[i].SourceID)
		}
		batch, batchIdx = batch[:0], batchIdx[:0]
		return nil
	}
	fr := geo.NewFeatureReader(body, geo.Rules{})
	for fr.Next() {
		i := fr.Index()
		f, err := fr.Feature()
		if err == nil {
			var p *geo.Parcel
			if p, err = parcelFromFeature(f, fmt.Sprintf("features.%d", i)); err == nil {
				batch, batchIdx = append(batch, p), append(batchIdx, i)
				if len(batch) == importBatch {
					if err := flush(); err != nil {
						return err
					}
				}
				continue
			}
		}
		report.reject(i, err)
	}
	if err := flush(); err != nil {
		return err
	}
	return report.finish(c, fr.Err())
}

func (s *Server) getParcel(c *fiber.Ctx) error {
	p, err := s.getVisibleParcel(c)
	if err != nil {
		return err
	}
	return s.sendParcel(c, fiber.StatusOK, p)
}

// parcelPatch changes the fields it sends.
type parcelPatch struct {
	Status         *string   `json:"status"`
	RejectedReason *string   `json:"rejected_reason"`
	AskingPrice    *int64    `json:"asking_price"`
	Notes          *string   `json:"notes"`
	Owner          *string   `json:"owner"`
	OwnerType      *string   `json:"owner_type"`
	Utilities      *[]string `json:"utilities"`
}

func (s *Server) updateParcel(c *fiber.Ctx) error {
	var req parcelPatch
	if err := s.decodeJSON(c, &req); err != nil {
		return err
	}
	u := geo.ParcelUpdate{RejectedReason: req.RejectedReason, AskingPrice: req.AskingPrice, Notes: req.Notes,
		Owner: req.Owner, OwnerType: req.OwnerType, Utilities: req.Utilities}
	if req.Status != nil {
		st := geo.ParcelStatus(*req.Status)
		u.Status = &st
	}
	p, err := s.deps.Geo.Update(c.UserContext(), strings.Clone(c.Params("id")), u)
	if err != nil {
		return err
	}
	return s.sendParcel(c, fiber.StatusOK, p)
}

func (s *Server) deleteParcel(c *fiber.Ctx) error {
	if err := s.deps.Geo.Delete(c.UserContext(), strings.Clone(c.Params("id"))); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// parcelQuery reads the filters and limit shared by the list and search
// routes. Unknown filter values are named in a 422.
func (s *Server) parcelQuery(c *fiber.Ctx) (geo.ParcelFilter, int, error) {
	var fs apperr.Fields
	var f geo.ParcelFilter
	if v := c.Query("status"); v != "" {
		for _, st := range strings.Split(v, ",") {
			f.Statuses = append(f.Statuses, geo.ParcelStatus(strings.TrimSpace(st)))
		}
	}
	num := func(name string) float64 {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
			fs.Add(name, "must be a number of at least 0")
		}
		return x
	}
	money := func(name string) int64 {
		v := c.Query(name)
		if v == "" {
			return 0
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x < 0 {
			fs.Add(name, "must be a whole amount in minor units, at least 0")
		}
		return x
	}
	f.MinAcres, f.MaxAcres = num("min_acres"), num("max_acres")
	f.MinPrice, f.MaxPrice = money("min_price"), money("max_price")
	limit := defaultLimit
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			fs.Add("limit", "must be a whole number from 1 to %d", maxLimit)
		}
		limit = n
	}
	hazardFree := false
	if v := c.Query("hazard_free"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			fs.Add("hazard_free", "must be true or false")
		}
		hazardFree = b
	}
	if err := fs.Err(); err != nil {
		return f, 0, err
	}
	if err := f.Check(); err != nil {
		return f, 0, err
	}
	staff := isStaff(principal(c))
	screened := s.deps.Geo
	f.Keep = func(p *geo.Parcel) bool {
		return (staff || publiclyVisible(p)) && (!hazardFree || screened.HazardFree(p))
	}
	return f, limit, nil
}

// parseFloats reads n comma-separated numbers.
func parseFloats(v string, n int) ([]float64, bool) {
	parts := strings.Split(v, ",")
	if len(parts) != n {
		return nil, false
	}
	out := make([]float64, n)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, false
		}
		out[i] = x
	}
	return out, true
}

func parseBBox(v string) (geo.Bound, error) {
	x, ok := parseFloats(v, 4)
	if !ok {
		return geo.Bound{}, apperr.Validation([]apperr.FieldError{{Field: "bbox", Reason: "must be west,south,east,north in degrees"}})
	}
	b := geo.Bound{West: x[0], South: x[1], East: x[2], North: x[3]}
	return b, b.Check("bbox")
}

// listParcels answers a map viewport (bbox) or a nearest query (near, k).
func (s *Server) listParcels(c *fiber.Ctx) error {
	f, limit, err := s.parcelQuery(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	bbox, near := c.Query("bbox"), c.Query("near")
	switch {
	case bbox != "" && near != "":
		return apperr.Validation([]apperr.FieldError{{Field: "near", Reason: "send either bbox or near, not both"}})
	case near != "":
		x, ok := parseFloats(near, 2)
		if !ok {
			return apperr.Validation([]apperr.FieldError{{Field: "near", Reason: "must be lon,lat in degrees"}})
		}
		k := 10
		if v := c.Query("k"); v != "" {
			if k, err = strconv.Atoi(v); err != nil || k < 1 || k > maxNearestK {
				return apperr.Validation([]apperr.FieldError{{Field: "k", Reason: fmt.Sprintf("must be a whole number from 1 to %d", maxNearestK)}})
			}
		}
		ns, err := s.deps.Geo.Nearest(ctx, orb.Point{x[0], x[1]}, k, f)
		if err != nil {
			return err
		}
		ps, ds := make([]*geo.Parcel, len(ns)), make([]float64, len(ns))
		for i, n := range ns {
			ps[i], ds[i] = n.Item.Value, n.Distance
		}
		return s.sendParcels(c, ps, ds, false)
	case bbox != "":
		b, err := parseBBox(bbox)
		if err != nil {
			return err
		}
		ps, more, err := s.deps.Geo.InBound(ctx, b, f, limit)
		if err != nil {
			return err
		}
		return s.sendParcels(c, ps, nil, more)
	}
	return apperr.Validation([]apperr.FieldError{{Field: "bbox", Reason: "send bbox=west,south,east,north or near=lon,lat"}})
}

// searchParcels returns the parcels meeting a Polygon or MultiPolygon sent
// as the body (a GeoJSON geometry), with the list filters as query.
func (s *Server) searchParcels(c *fiber.Ctx) error {
	if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := readBody(c, featureLimit)
	if err != nil {
		return err
	}
	shape, err := geo.DecodeGeometry(body, geo.Rules{Kinds: geo.Polygonal})
	if err != nil {
		return err
	}
	f, limit, err := s.parcelQuery(c)
	if err != nil {
		return err
	}
	ps, more, err := s.deps.Geo.InShape(c.UserContext(), shape, f, limit)
	if err != nil {
		return err
	}
	return s.sendParcels(c, ps, nil, more)
}
