package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"commonground/apperr"
)

// maxJSONDepth bounds how deeply a request body may nest; no wire type here
// comes close, and the bound stops a crafted body before the decoder recurses.
const maxJSONDepth = 32

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// writeJSON sends v as JSON with the given status.
func writeJSON(c *fiber.Ctx, status int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode response: %w", err)
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(body)
}

// requireMediaType answers 415 unless the request's content type is one of
// want or, for "application/json", any "+json" type.
func requireMediaType(c *fiber.Ctx, want ...string) error {
	ct := c.Get(fiber.HeaderContentType)
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil {
		for _, w := range want {
			if mt == w || (w == fiber.MIMEApplicationJSON && strings.HasSuffix(mt, "+json")) {
				return nil
			}
		}
	}
	if ct == "" {
		ct = "none"
	}
	return &fiber.Error{Code: fiber.StatusUnsupportedMediaType,
		Message: fmt.Sprintf("content type %s is not supported; send %s", ct, strings.Join(want, " or "))}
}

// bodyReader returns the request body as a stream that fails with a 413 once
// more than limit bytes have been read. A declared Content-Length over the
// limit is refused before anything is read.
func bodyReader(c *fiber.Ctx, limit int64) (io.Reader, error) {
	if cl := c.Request().Header.ContentLength(); cl > 0 && int64(cl) > limit {
		// The rest of the body stays unread, so the connection cannot carry
		// another request.
		c.Context().SetConnectionClose()
		return nil, tooLarge(limit)
	}
	var r io.Reader
	if stream := c.Context().RequestBodyStream(); stream != nil {
		r = stream
	} else {
		r = bytes.NewReader(c.Request().Body())
	}
	return &limitedReader{r: r, left: limit + 1, limit: limit, onExceed: c.Context().SetConnectionClose}, nil
}

func tooLarge(limit int64) error {
	return apperr.New(apperr.TooLarge, "the request body is larger than the %s this route accepts", byteSize(limit))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

type limitedReader struct {
	r        io.Reader
	left     int64
	limit    int64
	onExceed func()
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, tooLarge(l.limit)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left <= 0 {
		l.onExceed()
		return n, tooLarge(l.limit)
	}
	return n, err
}

// readBody reads the whole body, at most limit bytes, into a fresh slice
// that the handler may keep.
func readBody(c *fiber.Ctx, limit int64) ([]byte, error) {
	r, err := bodyReader(c, limit)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, err
		}
		return nil, apperr.Wrap(apperr.Invalid, err, "the request body could not be read")
	}
	return body, nil
}

// decodeJSON reads a JSON body of at most the server's body limit into dst,
// a pointer to a wire struct. It answers 415 for another content type, 413
// for a body over the limit, and 400 naming the problem for malformed JSON,
// values of the wrong type and every unknown field.
func (s *Server) decodeJSON(c *fiber.Ctx, dst any) error {
	return decodeJSONLimit(c, dst, s.cfg.BodyLimit)
}

func decodeJSONLimit(c *fiber.Ctx, dst any, limit int64) error {
	if err := requireMediaType(c, fiber.MIMEApplicationJSON); err != nil {
		return err
	}
	body, err := readBody(c, limit)
	if err != nil {
		return err
	}
	return unmarshalStrict(body, dst)
}

// unmarshalStrict decodes one JSON value into dst, refusing trailing data,
// unknown fields and nesting deeper than maxJSONDepth.
func unmarshalStrict(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return apperr.New(apperr.Invalid, "the request body is empty; send a JSON object")
	}
	if off, ok := tooDeep(body, maxJSONDepth); ok {
		return apperr.New(apperr.Invalid, "the JSON body nests deeper than %d levels (at byte offset %d)", maxJSONDepth, off)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() || hasTrailing(dec) {
			return apperr.New(apperr.Invalid, "the request body has data after the JSON value (at byte offset %d)", dec.InputOffset())
		}
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return apperr.New(apperr.Invalid, "malformed JSON at byte offset %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, "malformed JSON: the body ends early (at byte offset %d)", len(body))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return &apperr.Error{Kind: apperr.Invalid, Message: "the request body has values of the wrong type",
			Fields: []apperr.FieldError{{Field: field, Reason: fmt.Sprintf("must be %s, not %s", jsonKind(typ.Type), typ.Value)}}}
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		unknown := unknownFields(body, reflect.TypeOf(dst))
		fields := make([]apperr.FieldError, 0, len(unknown))
		for _, f := range unknown {
			fields = append(fields, apperr.FieldError{Field: f, Reason: "unknown field"})
		}
		return &apperr.Error{Kind: apperr.Invalid, Message: "the request body has unknown fields", Fields: fields}
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	return apperr.Wrap(apperr.Invalid, err, "the request body is not valid JSON for this route")
}

func hasTrailing(dec *json.Decoder) bool {
	_, err := dec.Token()
	return err != io.EOF
}

// tooDeep reports whether body nests arrays and objects deeper than max, and
// where, without decoding it.
func tooDeep(body []byte, max int) (int, bool) {
	depth := 0
	inString, escaped := false, false
	for i, b := range body {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		switch b {
		case '"':
			inString = true
		case '[', '{':
			depth++
			if depth > max {
				return i, true
			}
		case ']', '}':
			depth--
		}
	}
	return 0, false
}

// jsonKind names a Go type as a JSON reader would.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// unknownFields lists every member of body that t's JSON fields do not
// name, as dotted paths ("members.2.nickname"), in the order they appear.
func unknownFields(body []byte, t reflect.Type) []string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	var out []string
	walkUnknown(v, t, "", &out)
	return out
}

func walkUnknown(v any, t reflect.Type, prefix string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	join := func(k string) string {
		if prefix == "" {
			return k
		}
		return prefix + "." + k
	}
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			keys := make([]string, 0, len(val))
			for k := range val {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				ft, ok := fields[k]
				if !ok {
					// encoding/json matches names case-insensitively.
					for name, f := range fields {
						if strings.EqualFold(name, k) {
							ft, ok = f, true
							break
						}
					}
				}
				if !ok {
					*out = append(*out, join(k))
					continue
				}
				walkUnknown(val[k], ft, join(k), out)
			}
		case reflect.Map:
			for k, e := range val {
				walkUnknown(e, t.Elem(), join(k), out)
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, e := range val {
				walkUnknown(e, t.Elem(), join(fmt.Sprint(i)), out)
			}
		}
	}
}

// jsonFields maps the JSON names of a struct's fields to their types,
// following embedded structs as encoding/json does.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					fields[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = f.Type
	}
	return fields
}
