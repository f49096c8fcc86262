package load

import (
	"path"
	"strings"
)

// Hints that turn a bare "not found" into what the user most likely meant
// (docs/formats.md).

// columnHint is "; did you mean X?" for a missing CSV column whose name is
// a near-miss of one the header has, else "".
func columnHint(name string, t *table) string {
	var names []string
	for _, h := range t.header {
		if h != "" && h != name {
			names = append(names, h)
		}
	}
	if s := suggest(name, names); s != "" {
		return "; did you mean " + quote(s) + "?"
	}
	return ""
}

// indexFiles builds the folder → file names index nearFileHint reads.
func (l *loader) indexFiles() {
	l.files = make(map[string][]string)
	for q, k := range l.entries {
		if k == kindFile {
			d := path.Dir(q)
			l.files[d] = append(l.files[d], path.Base(q))
		}
	}
}

// nearFileHint is "; did you mean X?" for the missing data file p (written
// rel in experiment.yaml) when its folder holds a regular file of a nearby
// name, else "". It only reads the index the walk built, so experiments
// may be loaded concurrently.
func (l *loader) nearFileHint(rel, p string) string {
	dir, base := path.Split(p)
	names := l.files[path.Clean(dir)]
	s := ""
	for _, n := range names {
		if strings.EqualFold(n, base) {
			s = n // the same name in another case
			break
		}
	}
	if s == "" {
		s = suggest(base, names)
	}
	if s == "" || s == base {
		return ""
	}
	want, _ := strings.CutSuffix(rel, path.Base(rel))
	return "; did you mean " + quote(want+s) + "?"
}
