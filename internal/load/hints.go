package load

import (
	"path"
	"strings"
)

// Hints that turn a bare "not found" into what the user most likely meant
// (docs/formats.md).

// didYouMean is "; did you mean X?" when name is a near-miss of one of
// names (a CSV header, arm labels), else "".
func didYouMean(name string, names []string) string {
	var others []string
	for _, h := range names {
		if h != "" && h != name {
			others = append(others, h)
		}
	}
	if s := suggest(name, others); s != "" {
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
