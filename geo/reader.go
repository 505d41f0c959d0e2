package geo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"commonground/apperr"
)

// FeatureReader reads a GeoJSON FeatureCollection one feature at a time, so
// a 100 MB import never holds more than one feature in memory. Use it like
// bufio.Scanner:
//
//	fr := geo.NewFeatureReader(body, geo.Rules{})
//	for fr.Next() {
//		f, err := fr.Feature() // err: this feature is rejected, go on
//	}
//	if err := fr.Err(); err != nil { /* the document is broken */ }
type FeatureReader struct {
	dec     *json.Decoder
	rules   Rules
	state   int // 0 before "features", 1 inside, 2 after
	index   int // index of the current feature
	feature Feature
	ferr    error
	err     error
	sawType bool
}

// NewFeatureReader returns a reader of the FeatureCollection in r.
func NewFeatureReader(r io.Reader, rules Rules) *FeatureReader {
	return &FeatureReader{dec: json.NewDecoder(r), rules: rules, index: -1}
}

// Next advances to the next feature and reports whether there is one. It
// returns false at the end of the collection or when the document is broken;
// Err tells which.
func (r *FeatureReader) Next() bool {
	if r.err != nil || r.state == 2 {
		return false
	}
	if r.state == 0 {
		if !r.openFeatures() {
			return false
		}
	}
	if !r.dec.More() {
		r.closeFeatures()
		return false
	}
	r.index++
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		r.fail(fmt.Sprintf("features.%d", r.index), err)
		return false
	}
	var f apperr.Fields
	r.feature = decodeFeature(&f, fmt.Sprintf("features.%d", r.index), raw, r.rules)
	r.ferr = f.Err()
	if r.ferr != nil {
		r.feature = Feature{}
	}
	return true
}

// Index returns the position of the current feature in the collection,
// counting from 0.
func (r *FeatureReader) Index() int { return r.index }

// Feature returns the current feature, or an Unprocessable error whose
// fields start with "features.N." when it breaks a rule. Reading can go on
// after such an error.
func (r *FeatureReader) Feature() (Feature, error) { return r.feature, r.ferr }

// Err returns the error that stopped reading: Unprocessable naming the
// first feature that could not be read (a truncated or malformed document)
// or the member that is wrong. It is nil after a complete collection.
func (r *FeatureReader) Err() error { return r.err }

func (r *FeatureReader) fail(field string, err error) {
	// An error of the underlying reader that already has a kind (a body
	// over its size limit) is the answer as it is.
	var ae *apperr.Error
	if errors.As(err, &ae) {
		r.err = err
		return
	}
	reason := "is not valid JSON"
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		reason = "the document ends before this feature is complete"
	case errors.As(err, &syn):
		reason = fmt.Sprintf("is not valid JSON at byte %d", syn.Offset)
	}
	var f apperr.Fields
	f.Add(field, "%s", reason)
	r.err = f.Err()
}

func (r *FeatureReader) failField(field, reason string) {
	var f apperr.Fields
	f.Add(field, "%s", reason)
	r.err = f.Err()
}

// openFeatures walks the top-level object up to the "features" array,
// checking "type" and skipping other members ("bbox", "crs", foreign ones).
func (r *FeatureReader) openFeatures() bool {
	tok, err := r.dec.Token()
	if err != nil || tok != json.Delim('{') {
		r.failField("type", "the document must be a GeoJSON FeatureCollection object")
		return false
	}
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			r.fail("features.0", err)
			return false
		}
		key, _ := tok.(string)
		switch key {
		case "type":
			var typ string
			if err := r.dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
				r.failField("type", `must be "FeatureCollection"`)
				return false
			}
			r.sawType = true
		case "features":
			tok, err := r.dec.Token()
			if err != nil || tok != json.Delim('[') {
				r.failField("features", "must be an array of features")
				return false
			}
			r.state = 1
			return true
		default:
			var skip json.RawMessage
			if err := r.dec.Decode(&skip); err != nil {
				r.fail(key, err)
				return false
			}
		}
	}
	r.failField("features", "is required")
	return false
}

// closeFeatures reads the rest of the document after the array, so that a
// collection truncated after its last feature is still reported.
func (r *FeatureReader) closeFeatures() {
	r.state = 2
	next := fmt.Sprintf("features.%d", r.index+1)
	if _, err := r.dec.Token(); err != nil { // ']'
		r.fail(next, err)
		return
	}
	for r.dec.More() {
		tok, err := r.dec.Token()
		if err != nil {
			r.fail(next, err)
			return
		}
		key, _ := tok.(string)
		if key == "type" {
			var typ string
			if err := r.dec.Decode(&typ); err != nil || typ != "FeatureCollection" {
				r.failField("type", `must be "FeatureCollection"`)
				return
			}
			r.sawType = true
			continue
		}
		var skip json.RawMessage
		if err := r.dec.Decode(&skip); err != nil {
			r.fail(key, err)
			return
		}
	}
	if _, err := r.dec.Token(); err != nil { // '}'
		r.fail(next, err)
		return
	}
	if !r.sawType {
		r.failField("type", `must be "FeatureCollection"`)
	}
}
