package history

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"strings"
	"testing"
	"testing/fstest"
)

// countingSource is a Source over a listing per folder, counting calls.
type countingSource struct {
	dirs  map[string][]Entry
	files map[string]string
	lists map[string]int
	reads map[string]int
}

func (s *countingSource) List(dir string) ([]Entry, error) {
	s.lists[dir]++
	es, ok := s.dirs[dir]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return es, nil
}

func (s *countingSource) Read(name string, max int64) ([]byte, error) {
	s.reads[name]++
	b, ok := s.files[name]
	if !ok {
		return nil, errors.New("no such file")
	}
	return []byte(b), nil
}

func newCounting() *countingSource {
	return &countingSource{
		dirs: map[string][]Entry{
			".":        {{Name: "a", Kind: Dir}, {Name: "b", Kind: Dir}, {Name: "experimentos.yaml", Kind: File, Size: 3}, {Name: "..", Kind: Dir}, {Name: "x/y", Kind: File}, {Name: "", Kind: File}},
			"a":        {{Name: "exp", Kind: Dir}, {Name: "other", Kind: Dir}},
			"a/exp":    {{Name: "experiment.yaml", Kind: File, Size: 5}, {Name: "results.csv", Kind: Symlink}, {Name: "big.csv", Kind: File, Size: 1 << 30}, {Name: "lying.csv", Kind: File, Size: 2}},
			"a/other":  {{Name: "experiment.yaml", Kind: File, Size: 5}},
			"b":        {{Name: "data.csv", Kind: File, Size: 4}},
			"a/exp/zz": nil,
		},
		files: map[string]string{"experimentos.yaml": "x: 1", "a/exp/experiment.yaml": "name", "b/data.csv": "d,e\n", "a/exp/lying.csv": strings.Repeat("z", 100)},
		lists: map[string]int{}, reads: map[string]int{},
	}
}

func TestFS(t *testing.T) {
	t.Parallel()
	src := newCounting()
	fsys := NewFS(src, []string{"a/exp", "b/data.csv", "experimentos.yaml"}, 10)
	// Only the kept paths and the folders on the way are visible; hostile
	// names are dropped.
	var seen []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		seen = append(seen, p+":"+d.Type().String())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := ".:d--------- a:d--------- a/exp:d--------- a/exp/big.csv:---------- a/exp/experiment.yaml:---------- a/exp/lying.csv:---------- a/exp/results.csv:L--------- b:d--------- b/data.csv:---------- experimentos.yaml:----------"
	if got := strings.Join(seen, " "); got != want {
		t.Errorf("walk =\n%s\nwant\n%s", got, want)
	}
	// Files read once, only when listed as files, never past the bound.
	for range 2 {
		b, err := fs.ReadFile(fsys, "a/exp/experiment.yaml")
		if err != nil || string(b) != "name" {
			t.Fatalf("read = %q, %v", b, err)
		}
	}
	for _, c := range []struct{ name, err string }{
		{"a/exp/results.csv", "not a regular file"},
		{"a/exp/big.csv", "larger than 10 bytes"},
		{"a/exp/lying.csv", "larger than 10 bytes"},
		{"a/other/experiment.yaml", "file does not exist"},
		{"a/exp/results.csv/x", "file does not exist"},
		{"../etc/passwd", "invalid argument"},
	} {
		if _, err := fs.ReadFile(fsys, c.name); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ReadFile(%s) error = %v, want %q", c.name, err, c.err)
		}
	}
	f, err := fsys.Open("a/exp/results.csv")
	if err != nil {
		t.Fatalf("open the link: %v", err)
	}
	if fi, _ := f.Stat(); fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("a link stats as %v", fi.Mode())
	}
	if _, err := io.ReadAll(f); err == nil {
		t.Error("a link read")
	}
	for dir, n := range src.lists {
		if n != 1 {
			t.Errorf("%s listed %d times", dir, n)
		}
	}
	if _, ok := src.lists["a/other"]; ok {
		t.Error("a folder outside the kept paths was listed")
	}
	if wantReads := map[string]int{"a/exp/experiment.yaml": 1, "a/exp/lying.csv": 1}; !maps.Equal(src.reads, wantReads) {
		t.Errorf("reads = %v, want %v", src.reads, wantReads)
	}
	// The fs.FS contract, over the readable part of the tree.
	clean := newCounting()
	clean.dirs["."] = clean.dirs["."][:3]
	clean.dirs["a"] = clean.dirs["a"][:1]
	clean.dirs["a/exp"] = clean.dirs["a/exp"][:1]
	if err := fstest.TestFS(NewFS(clean, nil, 1<<20), "experimentos.yaml", "a/exp/experiment.yaml", "b/data.csv"); err != nil {
		t.Errorf("fstest: %v", err)
	}
}

// failingSource fails one read as the network would.
type failingSource struct{ *countingSource }

func (s failingSource) Read(name string, max int64) ([]byte, error) {
	if name == "b/data.csv" {
		return nil, fmt.Errorf("%w: 502 Bad Gateway", ErrUnavailable)
	}
	if name == "a/exp/experiment.yaml" {
		return nil, errors.New("a submodule, not a file") // the tree's content
	}
	return s.countingSource.Read(name, max)
}

func TestFSErr(t *testing.T) {
	t.Parallel()
	fsys := NewFS(failingSource{newCounting()}, nil, 1<<20)
	if _, err := fs.ReadFile(fsys, "a/exp/experiment.yaml"); err == nil || fsys.Err() != nil {
		t.Fatalf("a content error: %v, Err %v; want an error and no Err", err, fsys.Err())
	}
	if _, err := fs.ReadFile(fsys, "b/data.csv"); err == nil {
		t.Fatal("read a failed file")
	}
	if err := fsys.Err(); err == nil || !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "502") {
		t.Errorf("Err = %v, want the source's failure", err)
	}
}
