package geo

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"commonground/apperr"
)

// ParcelStatus is where a candidate parcel stands in the acquisition
// pipeline.
type ParcelStatus string

// The pipeline: identified → evaluating → negotiating → under_contract →
// acquired, or rejected (with a reason) from any step before acquired.
const (
	StatusIdentified    ParcelStatus = "identified"
	StatusEvaluating    ParcelStatus = "evaluating"
	StatusNegotiating   ParcelStatus = "negotiating"
	StatusUnderContract ParcelStatus = "under_contract"
	StatusAcquired      ParcelStatus = "acquired"
	StatusRejected      ParcelStatus = "rejected"
)

// ParcelStatuses lists the statuses in pipeline order.
var ParcelStatuses = []ParcelStatus{StatusIdentified, StatusEvaluating, StatusNegotiating, StatusUnderContract, StatusAcquired, StatusRejected}

func (s ParcelStatus) rank() int {
	for i, v := range ParcelStatuses {
		if v == s {
			return i
		}
	}
	return -1
}

// Valid reports whether s is a known status.
func (s ParcelStatus) Valid() bool { return s.rank() >= 0 }

// CanMoveTo reports whether the pipeline allows going from s to next. A
// parcel moves forward one step or more (a seller may skip negotiation),
// back one step (a deal that stalls), to rejected from any open step, and
// from rejected back to identified (reconsidered). Acquired is final.
func (s ParcelStatus) CanMoveTo(next ParcelStatus) bool {
	switch {
	case s == next:
		return true
	case s == StatusAcquired:
		return false
	case next == StatusRejected:
		return true
	case s == StatusRejected:
		return next == StatusIdentified
	}
	return next.rank() > s.rank() || next.rank() == s.rank()-1
}

// Limits on parcel text, so one import cannot fill the store with prose.
const (
	maxParcelText  = 500
	maxParcelNotes = 5000
	maxUtilities   = 20
)

// Parcel is a candidate piece of land with what assessor and Regrid-style
// parcel data carry. Money is in minor units of Currency.
type Parcel struct {
	ID string
	// Source names where the parcel came from ("jackson-county-assessor")
	// and SourceID its id there; together they make ID, so importing the
	// same source again updates instead of duplicating.
	Source   string
	SourceID string

	APN        string // assessor's parcel number (Regrid parcelnumb)
	CountyFIPS string // county FIPS code (Regrid geoid)
	Address    string
	// Owner and OwnerType are shown to organizers and stewards only.
	Owner     string
	OwnerType string
	LandUse   string
	Zoning    string

	// DeededAcres is the area the deed states (0 when unknown); Acres is
	// the geodesic area of Geometry.
	DeededAcres float64
	Acres       float64

	LandValue        int64
	ImprovementValue int64
	AskingPrice      int64 // 0 when not listed
	Currency         string

	Utilities      []string
	Notes          string
	Status         ParcelStatus
	RejectedReason string

	Geometry  orb.Geometry // Polygon or MultiPolygon, valid under Rules{}
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ParcelID is the id of the parcel with sourceID in source: a hash, so
// the same source record always maps to the same parcel.
func ParcelID(source, sourceID string) string {
	h := sha256.Sum256([]byte("parcel\x00" + source + "\x00" + sourceID))
	return "pcl_" + hex.EncodeToString(h[:12])
}

// newID returns prefix and 24 random hex digits, for parcels and zones
// imported without a source id.
func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return prefix + hex.EncodeToString(b[:])
}

// Center is the point distances to a parcel are measured from: the centre
// of its bounding box.
func (p *Parcel) Center() orb.Point { return p.Geometry.Bound().Center() }

// Check names every field of p that breaks a rule, under prefix (for
// example "features.3.properties"). The geometry is checked by the decoder.
func (p *Parcel) Check(f *apperr.Fields, prefix string) {
	text := func(name, v string, limit int) {
		if !utf8.ValidString(v) {
			f.Add(join(prefix, name), "must be valid UTF-8")
		} else if utf8.RuneCountInString(v) > limit {
			f.Add(join(prefix, name), "must be at most %d characters", limit)
		}
	}
	for _, t := range []struct{ name, v string }{
		{"source", p.Source}, {"source_id", p.SourceID}, {"parcelnumb", p.APN}, {"geoid", p.CountyFIPS},
		{"address", p.Address}, {"owner", p.Owner}, {"owner_type", p.OwnerType}, {"land_use", p.LandUse},
		{"zoning", p.Zoning}, {"rejected_reason", p.RejectedReason},
	} {
		text(t.name, t.v, maxParcelText)
	}
	text("notes", p.Notes, maxParcelNotes)
	if p.SourceID != "" && p.Source == "" {
		f.Add(join(prefix, "source"), "is required with source_id")
	}
	if d := p.DeededAcres; d < 0 || math.IsNaN(d) || math.IsInf(d, 0) || d > 1e7 {
		f.Add(join(prefix, "deeded_acres"), "must be a number from 0 to 10000000")
	}
	for _, m := range []struct {
		name string
		v    int64
	}{{"land_value", p.LandValue}, {"improvement_value", p.ImprovementValue}, {"asking_price", p.AskingPrice}} {
		if m.v < 0 {
			f.Add(join(prefix, m.name), "must not be negative")
		}
	}
	if !validCurrency(p.Currency) {
		f.Add(join(prefix, "currency"), "must be an ISO 4217 code such as USD")
	}
	if len(p.Utilities) > maxUtilities {
		f.Add(join(prefix, "utilities"), "must list at most %d utilities", maxUtilities)
	}
	for i, u := range p.Utilities {
		if u == "" || utf8.RuneCountInString(u) > 50 {
			f.Add(join(prefix, fmt.Sprintf("utilities.%d", i)), "must be 1 to 50 characters")
		}
	}
	switch {
	case !p.Status.Valid():
		f.Add(join(prefix, "status"), "must be identified, evaluating, negotiating, under_contract, acquired or rejected")
	case p.Status == StatusRejected && p.RejectedReason == "":
		f.Add(join(prefix, "rejected_reason"), "is required when the status is rejected")
	case p.Status != StatusRejected && p.RejectedReason != "":
		f.Add(join(prefix, "rejected_reason"), "is only for a rejected parcel")
	}
}

func validCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// ParcelUpdate changes the fields that are not nil (PATCH semantics).
type ParcelUpdate struct {
	Status         *ParcelStatus
	RejectedReason *string
	AskingPrice    *int64
	Notes          *string
	Owner          *string
	OwnerType      *string
	Utilities      *[]string
}

// apply returns p changed by u, or the fields that break a rule.
func (u ParcelUpdate) apply(p *Parcel, now time.Time) (*Parcel, error) {
	n := *p
	var f apperr.Fields
	if u.Status != nil {
		if !p.Status.CanMoveTo(*u.Status) && u.Status.Valid() {
			f.Add("status", "cannot move from %s to %s", p.Status, *u.Status)
		}
		n.Status = *u.Status
		if n.Status != StatusRejected && u.RejectedReason == nil {
			n.RejectedReason = ""
		}
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&n.RejectedReason, u.RejectedReason)
	set(&n.Notes, u.Notes)
	set(&n.Owner, u.Owner)
	set(&n.OwnerType, u.OwnerType)
	if u.AskingPrice != nil {
		n.AskingPrice = *u.AskingPrice
	}
	if u.Utilities != nil {
		n.Utilities = append([]string(nil), (*u.Utilities)...)
	}
	n.Check(&f, "")
	if err := f.Err(); err != nil {
		return nil, err
	}
	n.UpdatedAt = now
	return &n, nil
}
