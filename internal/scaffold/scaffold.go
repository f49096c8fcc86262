// Package scaffold creates a new experiment folder for `experimentos init`:
// experiment.yaml with every key commented with its default and meaning,
// and a header-only results.csv. It never overwrites: the experiment's
// folder is created with a single mkdir, which fails when it exists, so two
// concurrent inits of one id cannot both write.
package scaffold

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"sync"
	"text/template"

	_ "embed"
)

// Files written into a new experiment's folder.
const (
	ConfigFile = "experiment.yaml"
	DataFile   = "results.csv"
)

// CSVHeader is the header of a new results.csv: the columns every
// experiment needs. Guardrail columns (guardrail_*) are added by the user.
const CSVHeader = "variant,users,conversions\n"

// segmentRE is compiled on first use, not at start-up, which every other
// command would pay for (docs/performance.md#start-up).
var segmentRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`) })

// maxIDLen bounds an id; a path this long is a mistake, not an experiment.
const maxIDLen = 200

// ErrExists is returned (wrapped) when the experiment's folder exists.
var ErrExists = errors.New("already exists")

// IDError says why an experiment id is not valid.
type IDError struct {
	ID     string
	Reason string
}

func (e *IDError) Error() string { return fmt.Sprintf("invalid experiment id %q: %s", e.ID, e.Reason) }

// CheckID validates an experiment id: "/"-separated segments, each
// matching [a-z0-9][a-z0-9._-]* (docs/formats.md#experiment-ids).
func CheckID(id string) error {
	switch {
	case id == "":
		return &IDError{id, "it is empty"}
	case len(id) > maxIDLen:
		return &IDError{id, fmt.Sprintf("it is longer than %d characters", maxIDLen)}
	}
	for _, seg := range strings.Split(id, "/") {
		switch {
		case seg == "":
			return &IDError{id, "it has an empty path segment (a leading, trailing or double /)"}
		case seg == "." || seg == "..":
			return &IDError{id, "it has a . or .. segment"}
		case !segmentRE().MatchString(seg):
			return &IDError{id, fmt.Sprintf("segment %q must start with a lower-case letter or digit and hold only a-z, 0-9, '.', '_' and '-'", seg)}
		}
	}
	return nil
}

// Options configure Create.
type Options struct {
	// SchemaRef is written on experiment.yaml's first line as
	// "# yaml-language-server: $schema=<SchemaRef>"; empty omits the line.
	SchemaRef string
}

// Created lists what Create wrote, as paths below the experiments root.
type Created struct {
	Dir, Config, Data string
}

// Create makes root/id with experiment.yaml and results.csv. The
// experiments root and the id's parent folders are created when missing;
// the experiment's own folder must not exist (ErrExists), and no parent may
// itself be an experiment. Everything is written through an os.Root on
// root, so nothing lands outside it.
func Create(root, id string, opts Options) (Created, error) {
	if err := CheckID(id); err != nil {
		return Created{}, err
	}
	// The reference goes into a YAML comment line: a line break or other
	// control character would let it write YAML of its own.
	if strings.ContainsFunc(opts.SchemaRef, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return Created{}, fmt.Errorf("schema reference %q holds a control character", opts.SchemaRef)
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return Created{}, fmt.Errorf("create experiments root: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return Created{}, fmt.Errorf("open experiments root: %w", err)
	}
	defer r.Close()

	// A parent folder that is an experiment would nest one experiment in
	// another's folder.
	segs := strings.Split(id, "/")
	for i := 1; i < len(segs); i++ {
		parent := strings.Join(segs[:i], "/")
		if _, err := r.Stat(path.Join(parent, ConfigFile)); err == nil {
			return Created{}, fmt.Errorf("%s is an experiment already; put %s beside it, not inside it", parent, segs[len(segs)-1])
		}
	}
	if dir := path.Dir(id); dir != "." {
		if err := r.MkdirAll(dir, 0o755); err != nil {
			return Created{}, fmt.Errorf("create %s: %w", dir, err)
		}
	}
	if err := r.Mkdir(id, 0o755); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Created{}, fmt.Errorf("experiment folder %s: %w; init never overwrites", id, ErrExists)
		}
		return Created{}, fmt.Errorf("create %s: %w", id, err)
	}
	c := Created{Dir: id, Config: path.Join(id, ConfigFile), Data: path.Join(id, DataFile)}
	if err := write(r, c.Config, Config(id, opts)); err != nil {
		return Created{}, err
	}
	if err := write(r, c.Data, []byte(CSVHeader)); err != nil {
		return Created{}, err
	}
	return c, nil
}

// write creates name exclusively (the folder is new, so it cannot exist).
func write(r *os.Root, name string, b []byte) error {
	f, err := r.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

//go:embed experiment.yaml.tmpl
var configTmpl string

// configTemplate is parsed on first use, like segmentRE.
var configTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("experiment.yaml").Parse(configTmpl))
})

// Config returns the experiment.yaml that Create writes for id.
func Config(id string, opts Options) []byte {
	var b bytes.Buffer
	data := struct{ ID, Name, SchemaRef string }{id, DisplayName(id), opts.SchemaRef}
	if err := configTemplate().Execute(&b, data); err != nil {
		panic("scaffold: " + err.Error()) // the template and its data are ours
	}
	return b.Bytes()
}

// DisplayName turns an id's last segment into a starting display name:
// "growth/checkout-copy" → "Checkout copy". Ids hold only [a-z0-9._-], so
// the name needs no YAML escaping inside double quotes.
func DisplayName(id string) string {
	s := path.Base(id)
	s = strings.NewReplacer("-", " ", "_", " ", ".", " ").Replace(s)
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return id
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
