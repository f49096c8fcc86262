package load

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/experimentos/experimentos/internal/experiment"
)

var codes = []string{
	experiment.CodeUnreadable, experiment.CodeMissingColumn, experiment.CodeBadVariants,
	experiment.CodeBadValue, experiment.CodeConversionsExceed, experiment.CodeBadConfig,
	experiment.CodeBadDates, experiment.CodeEventsPerUser, experiment.CodeDuplicateColumn,
	experiment.CodePathEscape, experiment.CodeLimitExceeded,
}

// checkInvariants holds for any input: no error for a usable root, every
// issue has a known code, a severity, a message and a file, and an
// experiment with data has both arms.
func checkInvariants(t testing.TB, exps []*experiment.Experiment, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("Root: %v", err)
	}
	for _, e := range exps {
		if e.ID == "" || e.Path == "" || e.Name == "" {
			t.Errorf("experiment without id, path or name: %+v", e)
		}
		for _, is := range e.Issues {
			if !slices.Contains(codes, is.Code) || is.File == "" || is.Message == "" || is.Line < 0 || is.Col < 0 ||
				is.Severity != experiment.SeverityBlocked && is.Severity != experiment.SeverityWarning {
				t.Errorf("%s: malformed issue %#v", e.ID, is)
			}
		}
		if e.Data != nil {
			for _, a := range e.Data.Arms {
				if a.Users <= 0 {
					t.Errorf("%s: data with an empty arm: %+v", e.ID, e.Data)
				}
			}
		}
	}
}

// corpusFiles returns every file below testdata/load.
func corpusFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := make(map[string][]byte)
	err := filepath.WalkDir(corpus, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(p)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var tokens = []string{"\x00", "\xff", "\"", ",", "\n", "\r\n", "[", "]", "{", "}", ": ", "- ", "*a", "&a ", "<<: ", "---\n",
	"\t", "9999999999999999999999", "-1", "1e3", "NaN", "control", "treatment", "guardrail_", "../", "/", "~", "!!str ", "#"}

// mutate returns b with a few random edits.
func mutate(r *rand.Rand, b []byte) []byte {
	b = slices.Clone(b)
	for range 1 + r.IntN(4) {
		i := 0
		if len(b) > 0 {
			i = r.IntN(len(b) + 1)
		}
		switch r.IntN(5) {
		case 0:
			if i < len(b) {
				b[i] = byte(r.IntN(256))
			}
		case 1:
			if i < len(b) {
				b = slices.Delete(b, i, min(len(b), i+1+r.IntN(8)))
			}
		case 2:
			b = slices.Insert(b, i, []byte(tokens[r.IntN(len(tokens))])...)
		case 3:
			if i < len(b) {
				j := min(len(b), i+r.IntN(32))
				b = slices.Insert(b, i, b[i:j]...)
			}
		case 4:
			b = slices.Insert(b, i, byte(r.IntN(256)))
		}
	}
	return b
}

// TestNoPanic feeds every corpus file as results.csv, experiment.yaml and
// experimentos.yaml, and random mutations of the good cases, through Root.
func TestNoPanic(t *testing.T) {
	t.Parallel()
	files := corpusFiles(t)
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range files {
			if !yield(k) {
				return
			}
		}
	})
	for _, name := range names {
		b := files[name]
		for _, fsys := range []fstest.MapFS{
			{"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": {Data: b}},
			{"exp/experiment.yaml": {Data: b}, "exp/results.csv": mfile(goodCSV)},
			{"experimentos.yaml": {Data: b}, "exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": mfile(goodCSV)},
		} {
			exps, err := Root(fsys, "experiments", Options{})
			checkInvariants(t, exps, err)
		}
	}

	r := rand.New(rand.NewPCG(1, 2))
	var good []string
	for _, name := range names {
		if strings.Contains(name, "/good/") {
			good = append(good, name)
		}
	}
	const perFile = 150
	seen := make(map[string]int)
	for _, name := range good {
		// The case's root is testdata/load/good/<case>.
		rest := strings.SplitN(strings.TrimPrefix(name, corpus+"/good/"), "/", 2)
		caseDir := corpus + "/good/" + rest[0] + "/"
		for i := range perFile {
			fsys := fstest.MapFS{}
			for other, b := range files {
				if rel, ok := strings.CutPrefix(other, caseDir); ok {
					fsys[rel] = &fstest.MapFile{Data: b}
				}
			}
			fsys[rest[1]] = &fstest.MapFile{Data: mutate(r, files[name])}
			exps, err := Root(fsys, "experiments", Options{})
			checkInvariants(t, exps, err)
			if t.Failed() {
				t.Fatalf("mutation %d of %s: %q", i, name, fsys[rest[1]].Data)
			}
			for _, e := range exps {
				for _, is := range e.Issues {
					seen[is.Code]++
				}
			}
		}
	}
	// Mutations that never raise an issue would mean the mutator stopped
	// mutating: the test would then prove nothing.
	if len(seen) == 0 {
		t.Errorf("%d mutations raised no issue at all", perFile*len(good))
	}
	t.Logf("issue codes raised by %d mutations: %v", perFile*len(good), seen)
}

func seed(f *testing.F, ext string) {
	for name, b := range corpusFiles(f) {
		if strings.HasSuffix(name, ext) {
			f.Add(b)
		}
	}
}

func FuzzCSV(f *testing.F) {
	seed(f, ".csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{"exp/experiment.yaml": mfile(goodYAML), "exp/results.csv": {Data: b}}
		exps, err := Root(fsys, "experiments", Options{})
		checkInvariants(t, exps, err)
	})
}

func FuzzYAML(f *testing.F) {
	seed(f, ".yaml")
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{
			"experimentos.yaml":   {Data: b},
			"exp/experiment.yaml": {Data: b},
			"exp/results.csv":     mfile(goodCSV),
		}
		exps, err := Root(fsys, "experiments", Options{})
		checkInvariants(t, exps, err)
	})
}

// BenchmarkRoot10000 loads 10,000 small experiments from an fstest.MapFS.
// MapFS lists a folder by scanning the whole map, so most of the time is
// the MapFS itself; see the "indexed" sub-benchmark for the loader alone.
func BenchmarkRoot10000(b *testing.B) {
	fsys := fstest.MapFS{}
	for i := range 10000 {
		id := fmt.Sprintf("team-%02d/exp-%05d", i%100, i)
		fsys[id+"/experiment.yaml"] = mfile(goodYAML)
		fsys[id+"/results.csv"] = mfile(goodCSV)
	}
	run := func(b *testing.B, fsys fs.FS) {
		b.ReportAllocs()
		for b.Loop() {
			exps, err := Root(fsys, "experiments", Options{})
			if err != nil || len(exps) != 10000 || exps[0].Blocked() {
				b.Fatalf("Root: %d experiments, %v", len(exps), err)
			}
		}
	}
	b.Run("mapfs", func(b *testing.B) { run(b, fsys) })
	b.Run("indexed", func(b *testing.B) { run(b, newIndexedFS(b, fsys)) })
}

// indexedFS answers ReadDir from a precomputed listing of a MapFS.
type indexedFS struct {
	fstest.MapFS
	dirs map[string][]fs.DirEntry
}

func newIndexedFS(tb testing.TB, m fstest.MapFS) indexedFS {
	x := indexedFS{MapFS: m, dirs: make(map[string][]fs.DirEntry)}
	err := fs.WalkDir(m, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			x.dirs[p], err = m.ReadDir(p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

func (x indexedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if d, ok := x.dirs[name]; ok {
		return d, nil
	}
	return x.MapFS.ReadDir(name)
}
