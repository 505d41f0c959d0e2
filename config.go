package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"commonground/seal"
)

// config is the effective configuration: flags win over COMMONGROUND_*
// environment variables, which win over defaults.
type config struct {
	TileURL                string
	TileAttribution        string
	DataKey                string
	BootstrapAdminEmail    string
	BootstrapAdminPassword string
	Addr                   string
	DataDir                string
	MongoURI               string
	MongoDatabase          string
	LogLevel               slog.Level
	LogFormat              string
	RequestTimeout         time.Duration
	StartTimeout           time.Duration
	MaxInFlight            int64
	CORSOrigins            []string
	Demo                   bool
}

// setting is one configuration value: its flag, its variable, its default,
// and how to check and store it.
type setting struct {
	name  string // flag name; the variable is COMMONGROUND_ + upper snake case
	def   string
	usage string
	set   func(c *config, v string) error
}

func (s setting) envName() string {
	return "COMMONGROUND_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}

var settings = []setting{
	{name: "addr", def: "127.0.0.1:8080", usage: "address to listen on, host:port", set: func(c *config, v string) error {
		host, port, err := net.SplitHostPort(v)
		if err != nil {
			return fmt.Errorf("%q is not host:port", v)
		}
		if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
			return fmt.Errorf("port %q is not a number from 0 to 65535", port)
		}
		if host != "" && net.ParseIP(host) == nil && !validHostname(host) {
			return fmt.Errorf("host %q is not an IP address or host name", host)
		}
		c.Addr = v
		return nil
	}},
	{name: "data-dir", def: "./data", usage: "directory for the embedded database and generated keys", set: func(c *config, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{name: "mongodb-uri", def: "", usage: "MongoDB connection string; empty starts the embedded store in the data directory", set: func(c *config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "mongodb" && u.Scheme != "mongodb+srv") {
				return fmt.Errorf("must be a mongodb:// or mongodb+srv:// URI")
			}
		}
		c.MongoURI = v
		return nil
	}},
	{name: "mongodb-database", def: "commonground", usage: "database name", set: func(c *config, v string) error {
		if v == "" || strings.ContainsAny(v, `/\. "$`) || len(v) > 63 {
			return fmt.Errorf("%q is not a valid database name", v)
		}
		c.MongoDatabase = v
		return nil
	}},
	{name: "log-level", def: "info", usage: "debug, info, warn or error", set: func(c *config, v string) error {
		return c.LogLevel.UnmarshalText([]byte(v))
	}},
	{name: "log-format", def: "text", usage: "text or json", set: func(c *config, v string) error {
		if v != "text" && v != "json" {
			return fmt.Errorf("%q is not text or json", v)
		}
		c.LogFormat = v
		return nil
	}},
	{name: "request-timeout", def: "10s", usage: "longest time a request may take", set: func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 10s", v)
		}
		c.RequestTimeout = d
		return nil
	}},
	{name: "start-timeout", def: "2m", usage: "longest time start-up may take (loading every parcel and household into memory)", set: func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%q is not a positive duration such as 2m", v)
		}
		c.StartTimeout = d
		return nil
	}},
	{name: "max-in-flight", def: "1024", usage: "requests served at once; more get a fast 503", set: func(c *config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return fmt.Errorf("%q is not a positive whole number", v)
		}
		c.MaxInFlight = n
		return nil
	}},
	{name: "data-key", def: "", usage: "base64 AES-256 keys, comma-separated, current first, that encrypt secrets and personal data at rest; empty generates a key file in the data directory", set: func(c *config, v string) error {
		if v != "" {
			if _, err := seal.ParseKeyring(v); err != nil {
				return fmt.Errorf("must be base64 32-byte keys separated by commas")
			}
		}
		c.DataKey = v
		return nil
	}},
	{name: "bootstrap-admin-email", def: "", usage: "email of the first steward account, created at start when no account has it", set: func(c *config, v string) error {
		if v != "" && !strings.Contains(v, "@") {
			return fmt.Errorf("%q is not an email address", v)
		}
		c.BootstrapAdminEmail = v
		return nil
	}},
	{name: "bootstrap-admin-password", def: "", usage: "password of the first steward account (at least 12 characters, not a common password)", set: func(c *config, v string) error {
		c.BootstrapAdminPassword = v
		return nil
	}},
	{name: "tile-url", def: "", usage: "raster tile URL template such as https://tiles.example.org/{z}/{x}/{y}.png drawn over the offline basemap; empty draws none", set: func(c *config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.Contains(v, "{z}") {
				return fmt.Errorf("%q is not an http(s) URL template with {z}, {x} and {y}", v)
			}
		}
		c.TileURL = v
		return nil
	}},
	{name: "tile-attribution", def: "", usage: "the credit line the tile provider requires, shown on the map", set: func(c *config, v string) error {
		if len(v) > 500 {
			return fmt.Errorf("is longer than 500 characters")
		}
		c.TileAttribution = v
		return nil
	}},
	{name: "cors-origins", def: "", usage: "comma-separated origins allowed to call the API from a browser; empty turns CORS off", set: func(c *config, v string) error {
		c.CORSOrigins = nil
		for _, o := range strings.Split(v, ",") {
			o = strings.TrimSpace(o)
			if o == "" {
				continue
			}
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" {
				return fmt.Errorf("%q is not an origin such as https://example.org", o)
			}
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
		return nil
	}},
	{name: "demo", def: "false", usage: "seed the synthetic demo dataset at start: true or false", set: func(c *config, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("%q is not true or false", v)
		}
		c.Demo = b
		return nil
	}},
}

func validHostname(h string) bool {
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// errUsage means the arguments were wrong or --help was asked for; the
// message has been printed.
type errUsage struct{ msg string }

func (e errUsage) Error() string { return e.msg }

// parseConfig reads flags from args and variables from getenv.
func parseConfig(args []string, getenv func(string) string, out io.Writer) (config, error) {
	fs := flag.NewFlagSet("commonground", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	values := make([]*string, len(settings))
	for i, s := range settings {
		values[i] = fs.String(s.name, "", s.usage)
	}
	fs.Usage = func() { printUsage(out) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			printUsage(out)
			return config{}, errUsage{}
		}
		return config{}, errUsage{msg: err.Error()}
	}
	if fs.NArg() > 0 {
		return config{}, errUsage{msg: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var c config
	for i, s := range settings {
		v, source := s.def, "default"
		if env, ok := lookup(getenv, s.envName()); ok {
			v, source = env, s.envName()
		}
		if given[s.name] {
			v, source = *values[i], "--"+s.name
		}
		if err := s.set(&c, v); err != nil {
			return config{}, fmt.Errorf("invalid %s (from %s): %v", s.envName(), source, err)
		}
	}
	if c.TileURL != "" && c.TileAttribution == "" {
		return config{}, fmt.Errorf("invalid COMMONGROUND_TILE_ATTRIBUTION: a tile provider's credit line is required with COMMONGROUND_TILE_URL")
	}
	if (c.BootstrapAdminEmail == "") != (c.BootstrapAdminPassword == "") {
		return config{}, fmt.Errorf("invalid COMMONGROUND_BOOTSTRAP_ADMIN_PASSWORD: COMMONGROUND_BOOTSTRAP_ADMIN_EMAIL and _PASSWORD go together")
	}
	return c, nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func printUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: commonground [flags]\n\nServes the Common Ground API and web app. Every flag can also be set with\nits environment variable; a flag wins.\n\n")
	for _, s := range settings {
		def := s.def
		if def == "" {
			def = `""`
		}
		fmt.Fprintf(w, "  --%s\n        %s\n        env %s, default %s\n", s.name, s.usage, s.envName(), def)
	}
}

// logValues lists the effective configuration for the start-up log, with
// secrets masked.
func (c config) logValues() []any {
	mongo := "embedded"
	if c.MongoURI != "" {
		mongo = maskURI(c.MongoURI)
	}
	return []any{
		"addr", c.Addr, "data_dir", c.DataDir, "mongodb", mongo, "mongodb_database", c.MongoDatabase,
		"log_level", c.LogLevel.String(), "log_format", c.LogFormat, "request_timeout", c.RequestTimeout.String(),
		"max_in_flight", c.MaxInFlight, "cors_origins", strings.Join(c.CORSOrigins, ","),
		"data_key", mask(c.DataKey, "generated key file"), "bootstrap_admin", c.BootstrapAdminEmail != "",
	}
}

// mask shows whether a secret is set without showing it.
func mask(secret, unset string) string {
	if secret == "" {
		return unset
	}
	return "set (hidden)"
}

// maskURI hides the password of a connection string.
func maskURI(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.Redacted()
}

func newLogger(c config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
