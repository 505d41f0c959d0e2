package mongodb

import (
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/bson"
)

func TestConditionsCheckAsFiltersMatch(t *testing.T) {
	doc, err := bson.Marshal(bson.D{{Key: "v32", Value: int32(3)}, {Key: "v64", Value: int64(3)}, {Key: "s", Value: "open"},
		{Key: "at", Value: time.Time{}.UTC()}, {Key: "erased", Value: true}, {Key: "kept", Value: false}})
	if err != nil {
		t.Fatal(err)
	}
	raw := bson.Raw(doc)
	for _, tt := range []struct {
		name string
		c    cond
		want bool
	}{
		{"int32 stored, int64 asked", fieldIs("v32", int64(3)), true},
		{"int64 stored, int64 asked", fieldIs("v64", int64(3)), true},
		{"another number", fieldIs("v64", int64(4)), false},
		{"a string", fieldIs("s", "open"), true},
		{"another string", fieldIs("s", "approved"), false},
		{"a number is not a string", fieldIs("s", int64(3)), false},
		{"the zero time", fieldIs("at", time.Time{}.UTC()), true},
		{"a missing field", fieldIs("nope", "x"), false},
		{"true is true", notTrue("erased"), false},
		{"false is not true", notTrue("kept"), true},
		{"missing is not true", notTrue("nope"), true},
	} {
		if got := tt.c.check(raw); got != tt.want {
			t.Errorf("%s: check = %v, want %v", tt.name, got, tt.want)
		}
	}
}
