package policy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"runtime"
	"sort"
	"strings"
)

// Where each platform keeps the policy.
const (
	// AppID is the app's identifier, the macOS preference domain (FyneApp.toml's ID).
	AppID = "com.rescuecompanion.app"
	// RegistryPath is the policy key under HKEY_LOCAL_MACHINE on Windows.
	RegistryPath = `SOFTWARE\Policies\RescueCompanion`
	// ManagedPreferencesDir is where macOS puts the preferences that profiles enforce.
	ManagedPreferencesDir = "/Library/Managed Preferences"
	// TOMLPath is the policy file on Linux and the other Unix systems.
	TOMLPath = "/etc/rescue-companion/policy.toml"
)

// registrySource names the registry key in messages.
const registrySource = `HKLM\` + RegistryPath

// ErrUnknownSetting is wrapped by the error for a name in a policy source that is not a
// managed setting. A misspelt name is an error rather than ignored, because it would
// otherwise leave a setting unmanaged without anyone noticing.
var ErrUnknownSetting = errors.New("unknown setting")

// Policy is what IT has set: each value overrides the user's setting and locks it.
type Policy struct {
	// Values maps a contract key ("dynamics.url") to a string, a bool or an int.
	Values map[string]any
	// Source says where the policy was read, for messages and the settings screen: the
	// registry key or the file(s). It is "" when no policy source exists.
	Source string

	origins map[string]origin // where each value came from, when Load read it
}

// origin is where one value was written: the source and the name it has there.
type origin struct{ source, name string }

// SourceOf says where the value of key came from (macOS may merge two files).
func (p Policy) SourceOf(key string) string {
	if o, ok := p.origins[key]; ok {
		return o.source
	}
	return p.Source
}

// originOf is the source and name of key's value, for messages.
func (p Policy) originOf(key string) origin {
	if o, ok := p.origins[key]; ok {
		return o
	}
	return origin{p.Source, key}
}

func (p *Policy) set(key string, value any, o origin) {
	if p.Values == nil {
		p.Values = map[string]any{}
	}
	if p.origins == nil {
		p.origins = map[string]origin{}
	}
	p.Values[key] = value
	p.origins[key] = o
}

// ValueError is one bad value in a policy. Its text is one line that names the source, the
// name as written there, the contract key and the value, e.g.
//
//	policy HKLM\SOFTWARE\Policies\RescueCompanion: TenantId (dynamics.tenant_id): "abc" is not a GUID
type ValueError struct {
	Source string // the registry key or the file
	Name   string // the name as written in the source: a value name, a plist key or a TOML key
	Key    string // the contract key
	Value  string // the value as text; "" when it cannot be shown as text
	Reason string
}

func (e *ValueError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", label(e.Source), e.Name)
	if e.Key != e.Name {
		fmt.Fprintf(&b, " (%s)", e.Key)
	}
	b.WriteString(": ")
	if e.Value != "" {
		fmt.Fprintf(&b, "%q ", e.Value)
	}
	b.WriteString(e.Reason)
	return b.String()
}

func unknownSetting(source, name string) error {
	return fmt.Errorf("%s: %w %q", label(source), ErrUnknownSetting, name)
}

// label starts a message about a policy source.
func label(source string) string {
	if source == "" {
		return "policy"
	}
	return "policy " + source
}

// RegistryReader reads the values of one key under HKEY_LOCAL_MACHINE. Values are a string for
// REG_SZ and REG_EXPAND_SZ (not expanded), a uint64 for REG_DWORD and REG_QWORD, a []string for
// REG_MULTI_SZ and a []byte for any other type. A missing key is an error matching
// fs.ErrNotExist.
type RegistryReader interface {
	Values(path string) (map[string]any, error)
}

// FileReader reads a whole file; a missing file is an error matching fs.ErrNotExist.
type FileReader interface {
	ReadFile(path string) ([]byte, error)
}

type osFiles struct{}

func (osFiles) ReadFile(path string) ([]byte, error) { return os.ReadFile(path) }

// Sources says where Load looks. DefaultSources returns this machine's; tests build their own.
type Sources struct {
	GOOS     string         // "windows" reads Registry, "darwin" managed preferences, others TOMLPath
	Registry RegistryReader // Windows
	Files    FileReader     // macOS and Linux
	User     string         // macOS: the short name of the user whose managed preferences apply
	// PlistToXML converts a binary property list file to XML (macOS writes managed preferences
	// in either form). When nil, a binary file is an error.
	PlistToXML func(ctx context.Context, path string) ([]byte, error)
}

// DefaultSources returns the sources of the running system.
func DefaultSources() Sources {
	s := Sources{GOOS: runtime.GOOS, Registry: systemRegistry(), Files: osFiles{}}
	if s.GOOS == "darwin" {
		// The user comes from the process's uid, not from $USER, so that nobody escapes their own
		// managed preferences by naming another user.
		if u, err := user.Current(); err == nil {
			s.User = u.Username
		}
		s.PlistToXML = plutilToXML
	}
	return s
}

// Load reads the policy of the running system from its default place. With no policy set it
// returns an empty Policy and no error. An error means a policy exists but cannot be used in
// full (unreadable, malformed, an unknown name or a value of the wrong type); the Policy then
// holds what could be read. The caller should not fall back to the user's settings as if
// nothing were managed, since IT's settings would silently not apply.
func Load(ctx context.Context) (Policy, error) {
	return DefaultSources().Load(ctx)
}

// Load reads the policy from s; see the package function Load.
func (s Sources) Load(ctx context.Context) (Policy, error) {
	if err := ctx.Err(); err != nil {
		return Policy{}, err
	}
	switch s.GOOS {
	case "windows":
		if s.Registry == nil {
			return Policy{}, errors.New("policy: no registry reader")
		}
		return fromRegistry(s.Registry)
	case "darwin":
		return s.loadManagedPreferences(ctx)
	}
	return s.loadTOML(TOMLPath)
}

// fromNamedValues converts the values of a registry key or a plist dictionary, in name order
// so that messages come in a stable order. foldCase matches names without regard to case, as
// the registry does.
func fromNamedValues(source string, raw map[string]any, foldCase bool) (Policy, error) {
	p := Policy{Source: source}
	var errs []error
	seen := map[string]string{} // contract key -> the name that set it
	for _, name := range sortedKeys(raw) {
		s, ok := byName(name, foldCase)
		if !ok {
			errs = append(errs, unknownSetting(source, name))
			continue
		}
		if first, twice := seen[s.Key]; twice {
			errs = append(errs, &ValueError{
				Source: source, Name: name, Key: s.Key,
				Reason: fmt.Sprintf("is set a second time (also as %s)", first),
			})
			continue
		}
		seen[s.Key] = name
		if err := p.add(s, raw[name], origin{source, name}); err != nil {
			errs = append(errs, err)
		}
	}
	return p, errors.Join(errs...)
}

// add converts one raw value of setting s and records it, unless it counts as not set.
func (p *Policy) add(s setting, raw any, o origin) error {
	value, notSet, reason := convert(s.Kind, raw)
	if notSet {
		return nil
	}
	if reason != "" {
		return &ValueError{Source: o.source, Name: o.name, Key: s.Key, Value: display(raw), Reason: reason}
	}
	p.set(s.Key, value, o)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
