package apperr

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOf(t *testing.T) {
	base := New(NotFound, "parcel %s not found", "p1")
	tests := []struct {
		name string
		err  error
		want Kind
	}{
		{"nil", nil, ""},
		{"plain error", errors.New("boom"), Internal},
		{"domain error", base, NotFound},
		{"wrapped domain error", fmt.Errorf("loading: %w", base), NotFound},
		{"validation", Validation([]FieldError{{Field: "lon", Reason: "out of range"}}), Unprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := KindOf(tt.err); got != tt.want {
				t.Errorf("KindOf() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFieldsErrNilWhenEmpty(t *testing.T) {
	var f Fields
	if err := f.Err(); err != nil {
		t.Fatalf("empty Fields.Err() = %v, want nil", err)
	}
	f.Add("email", "must contain %q", "@")
	err := f.Err()
	var e *Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Reason != `must contain "@"` {
		t.Fatalf("Fields.Err() = %#v", err)
	}
}

func TestWrapHidesCauseFromMessage(t *testing.T) {
	cause := errors.New("sqlite: no such table")
	e := Wrap(Unavailable, cause, "the database is unavailable")
	if e.Message != "the database is unavailable" {
		t.Errorf("Message = %q", e.Message)
	}
	if !errors.Is(e, cause) {
		t.Errorf("Wrap lost its cause")
	}
}
