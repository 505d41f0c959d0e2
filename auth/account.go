// Package auth is Common Ground's identity domain: accounts and their
// validation, password hashing, access and refresh tokens, roles and the
// authorization policy, login throttling and the audit event type.
//
// It does no HTTP and no database I/O. It declares the Store it needs (see
// store.go); the mongodb package implements it and the server package turns
// requests into calls here. Errors are apperr kinds with messages safe to
// show a user.
package auth

import (
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"commonground/apperr"
	"github.com/google/uuid"
)

// Role is a global role of an account.
type Role string

// The global roles. Every account is a resident; organizer and steward are
// granted by a steward.
const (
	RoleResident  Role = "resident"  // default on register: a displaced household's account
	RoleOrganizer Role = "organizer" // screens parcels, runs campaigns, manages membership
	RoleSteward   Role = "steward"   // administrator: accounts, roles, audit, exports
)

// Roles lists every global role in order of increasing power.
var Roles = []Role{RoleResident, RoleOrganizer, RoleSteward}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Locale is the language an account prefers for the web app and messages.
type Locale string

// The supported locales. Many of the Almeda Fire's displaced residents speak
// Spanish, so both are first-class.
const (
	LocaleEnglish Locale = "en"
	LocaleSpanish Locale = "es"
)

// Valid reports whether l is a supported locale.
func (l Locale) Valid() bool { return l == LocaleEnglish || l == LocaleSpanish }

// Limits on account fields. They bound what a client can make the service
// store and are checked before anything else looks at the values.
const (
	MaxEmailLength       = 254 // RFC 5321 path limit
	MaxDisplayNameLength = 100 // in characters
)

// Account is a person who can sign in. Email is stored normalized (see
// NormalizeEmail) and is unique. PasswordHash is an encoded argon2id hash
// (see Hasher) and never leaves the server.
type Account struct {
	ID           string
	Email        string
	DisplayName  string
	Locale       Locale
	Roles        []Role
	PasswordHash string
	Disabled     bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// HasRole reports whether the account holds role r.
func (a *Account) HasRole(r Role) bool { return slices.Contains(a.Roles, r) }

// Principal returns the principal this account acts as.
func (a *Account) Principal() *Principal {
	return &Principal{AccountID: a.ID, Roles: slices.Clone(a.Roles)}
}

// NewID returns a new random identifier for an account, a refresh-token
// family or an audit event. The ids are UUIDv7: they sort by creation time,
// which gives lists a stable cursor order.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// NormalizeEmail trims surrounding space and lower-cases an address so that
// "Maria@Example.org " and "maria@example.org" are the same account. Lowering
// the local part is not what RFC 5321 promises, but no mail provider our
// residents use distinguishes case there, and two accounts differing only in
// case would be a support trap.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// checkEmail adds a field error when email (already normalized) is not a
// single plain address.
func checkEmail(f *apperr.Fields, field, email string) {
	switch {
	case email == "":
		f.Add(field, "must not be empty")
	case len(email) > MaxEmailLength:
		f.Add(field, "must be at most %d characters", MaxEmailLength)
	case !validEmail(email):
		f.Add(field, "must be an email address such as name@example.org")
	}
}

func validEmail(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 1 || at == len(email)-1 || !strings.Contains(email[at+1:], ".") {
		return false
	}
	if strings.ContainsAny(email, " \t\r\n<>\",;()[]\\") {
		return false
	}
	// mail.ParseAddress accepts display names and comments; requiring its
	// result to equal the input leaves only a bare addr-spec.
	a, err := mail.ParseAddress(email)
	return err == nil && a.Address == email
}

func checkDisplayName(f *apperr.Fields, field, name string) {
	switch {
	case strings.TrimSpace(name) == "":
		f.Add(field, "must not be empty")
	case !utf8.ValidString(name):
		f.Add(field, "must be valid UTF-8")
	case utf8.RuneCountInString(name) > MaxDisplayNameLength:
		f.Add(field, "must be at most %d characters", MaxDisplayNameLength)
	case strings.ContainsFunc(name, isControl):
		f.Add(field, "must not contain control characters")
	}
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

func checkLocale(f *apperr.Fields, field string, l Locale) {
	if !l.Valid() {
		f.Add(field, "must be %q or %q", LocaleEnglish, LocaleSpanish)
	}
}

func checkRoles(f *apperr.Fields, field string, roles []Role) {
	if len(roles) == 0 {
		f.Add(field, "must hold at least the %q role", RoleResident)
	}
	seen := make(map[Role]bool, len(roles))
	for i, r := range roles {
		switch {
		case !r.Valid():
			f.Add(fieldIndex(field, i), "must be one of resident, organizer, steward")
		case seen[r]:
			f.Add(fieldIndex(field, i), "is listed twice")
		}
		seen[r] = true
	}
}

func fieldIndex(field string, i int) string {
	return field + "." + strconv.Itoa(i)
}

// Registration is what a person gives to create an account.
type Registration struct {
	Email       string
	Password    string
	DisplayName string
	Locale      Locale // empty means English
}

// Validate normalizes r in place and returns an Unprocessable error naming
// every bad field: email, password, display_name, locale.
func (r *Registration) Validate() error {
	r.Email = NormalizeEmail(r.Email)
	r.DisplayName = strings.TrimSpace(r.DisplayName)
	if r.Locale == "" {
		r.Locale = LocaleEnglish
	}
	var f apperr.Fields
	checkEmail(&f, "email", r.Email)
	checkPassword(&f, "password", r.Password)
	checkDisplayName(&f, "display_name", r.DisplayName)
	checkLocale(&f, "locale", r.Locale)
	return f.Err()
}

// NewAccount validates r and returns a resident account for it with the
// password hashed by h. The caller stores it; a duplicate email is the
// store's Conflict.
func NewAccount(r Registration, h *Hasher, now time.Time) (*Account, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	hash, err := h.Hash(r.Password)
	if err != nil {
		return nil, err
	}
	now = now.UTC()
	return &Account{
		ID:           NewID(),
		Email:        r.Email,
		DisplayName:  r.DisplayName,
		Locale:       r.Locale,
		Roles:        []Role{RoleResident},
		PasswordHash: hash,
		CreatedAt:    now,
		UpdatedAt:    now,
	}, nil
}

// Validate checks a stored or about-to-be-stored account and names every bad
// field. It does not check the password rule (the hash is all it has).
func (a *Account) Validate() error {
	var f apperr.Fields
	if _, err := uuid.Parse(a.ID); err != nil {
		f.Add("id", "must be a UUID")
	}
	if NormalizeEmail(a.Email) != a.Email {
		f.Add("email", "must be normalized (trimmed, lower case)")
	} else {
		checkEmail(&f, "email", a.Email)
	}
	checkDisplayName(&f, "display_name", a.DisplayName)
	checkLocale(&f, "locale", a.Locale)
	checkRoles(&f, "roles", a.Roles)
	if a.PasswordHash == "" {
		f.Add("password_hash", "must not be empty")
	}
	if a.CreatedAt.IsZero() {
		f.Add("created_at", "must be set")
	}
	if a.UpdatedAt.Before(a.CreatedAt) {
		f.Add("updated_at", "must not be before created_at")
	}
	return f.Err()
}

// ProfileUpdate is a change a person makes to their own account; a nil field
// means "leave as is".
type ProfileUpdate struct {
	DisplayName *string
	Locale      *Locale
}

// Apply validates u, naming every bad field, and applies it to a.
func (u ProfileUpdate) Apply(a *Account, now time.Time) error {
	var f apperr.Fields
	var name string
	if u.DisplayName != nil {
		name = strings.TrimSpace(*u.DisplayName)
		checkDisplayName(&f, "display_name", name)
	}
	if u.Locale != nil {
		checkLocale(&f, "locale", *u.Locale)
	}
	if err := f.Err(); err != nil {
		return err
	}
	if u.DisplayName != nil {
		a.DisplayName = name
	}
	if u.Locale != nil {
		a.Locale = *u.Locale
	}
	a.UpdatedAt = now.UTC()
	return nil
}

// NormalizeRoles validates a role list given by a steward, naming every bad
// entry under field "roles", and returns it deduplicated in the order of
// Roles with resident always included: every account is a resident.
func NormalizeRoles(roles []Role) ([]Role, error) {
	var f apperr.Fields
	for i, r := range roles {
		if !r.Valid() {
			f.Add(fieldIndex("roles", i), "must be one of resident, organizer, steward")
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	out := []Role{RoleResident}
	for _, r := range Roles[1:] {
		if slices.Contains(roles, r) {
			out = append(out, r)
		}
	}
	return out, nil
}
