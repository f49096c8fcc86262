//go:build unix

package rootfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// tree writes a root holding files, folders, links (inside and out) and
// a FIFO, beside a secret outside it, and returns the root's path.
func tree(t *testing.T) string {
	t.Helper()
	top := t.TempDir()
	root := filepath.Join(top, "experiments")
	for p, body := range map[string]string{
		"secret.txt":                         "the secret",
		"experiments/a/experiment.yaml":      "name: A\n",
		"experiments/a/results.csv":          "variant,users\n",
		"experiments/team/b/experiment.yaml": "name: B\n",
		"experiments/empty.txt":              "",
	} {
		p = filepath.Join(top, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(root, "nothing"), 0o755); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"out.txt":   "../secret.txt",
		"abs.txt":   filepath.Join(top, "secret.txt"),
		"in.txt":    "a/results.csv",
		"team/up":   "..",
		"a/loop":    "loop",
		"linkdir":   "team",
		"dangling":  "missing",
		"a/escape":  "../../",
		"team/self": ".",
	} {
		if err := os.Symlink(target, filepath.Join(root, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "a", "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// both opens root as an FS twice: as built (fast on Linux) and with the
// os.Root path only.
func both(t *testing.T, root string) map[string]*FS {
	t.Helper()
	fast, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if slow.fast != nil {
		slow.fast.close()
		slow.fast = nil
	}
	t.Cleanup(func() { fast.Close(); slow.Close() })
	noteFast(t, fast)
	return map[string]*FS{"fast": fast, "os.Root": slow}
}

// noteFast fails on the CI machine when f has no openat2 path on Linux,
// which would leave it untested, and elsewhere says so.
func noteFast(t *testing.T, f *FS) {
	t.Helper()
	if runtime.GOOS == "linux" && !f.Fast() {
		if os.Getenv("CI") != "" {
			t.Fatal("openat2 is not available on the CI machine: the fast path goes untested")
		}
		t.Log("openat2 is not available here: only the os.Root path is tested")
	}
}

// TestListingsMatchOSRoot: every folder lists the same names and types
// through openat2 and getdents as through os.Root, a folder too large for
// one getdents call included.
func TestListingsMatchOSRoot(t *testing.T) {
	root := tree(t)
	big := filepath.Join(root, "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 3000 {
		if err := os.WriteFile(filepath.Join(big, fmt.Sprintf("experiment-%04d.yaml", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fss := both(t, root)
	for _, dir := range []string{".", "a", "team", "team/b", "nothing", "big"} {
		var want []string
		for _, name := range []string{"fast", "os.Root"} {
			f := fss[name]
			list, err := f.ReadDir(dir)
			if err != nil {
				t.Fatalf("%s: ReadDir(%s): %v", name, dir, err)
			}
			var got []string
			for _, e := range list {
				got = append(got, e.Name()+" "+e.Type().String())
			}
			if want == nil {
				want = got
				if len(want) == 0 && dir != "nothing" || dir == "big" && len(want) != 3000 {
					t.Fatalf("%s: ReadDir(%s) lists %d entries", name, dir, len(want))
				}
				continue
			}
			if !slices.Equal(got, want) {
				t.Errorf("ReadDir(%s): %s lists %v, the other %v", dir, name, got, want)
			}
		}
	}
}

// TestConfined: links are never followed and nothing outside the root is
// reached, whichever path serves the call; a FIFO opens without blocking.
func TestConfined(t *testing.T) {
	root := tree(t)
	for name, f := range both(t, root) {
		t.Run(name, func(t *testing.T) {
			read := func(p string) (string, error) {
				file, err := f.Open(p)
				if err != nil {
					return "", err
				}
				defer file.Close()
				b, err := io.ReadAll(file)
				return string(b), err
			}
			if got, err := read("a/results.csv"); err != nil || got != "variant,users\n" {
				t.Errorf("a/results.csv = %q, %v", got, err)
			}
			if got, err := read("team/b/experiment.yaml"); err != nil || got != "name: B\n" {
				t.Errorf("team/b/experiment.yaml = %q, %v", got, err)
			}
			for _, p := range []string{"../secret.txt", "/etc/passwd", "a/../../secret.txt", "a/./results.csv", ""} {
				if got, err := read(p); !errors.Is(err, fs.ErrInvalid) {
					t.Errorf("%q: got %q, %v; want an invalid path", p, got, err)
				}
			}
			// Links outside, inside, to folders and in the middle of a
			// path: the fast path refuses them all; os.Root refuses the
			// ones that leave the root. Nothing outside is ever read.
			for _, p := range []string{"out.txt", "abs.txt", "a/escape/secret.txt", "dangling", "a/loop"} {
				if got, err := read(p); err == nil {
					t.Errorf("%q was read: %q", p, got)
				}
			}
			if f.Fast() {
				for _, p := range []string{"in.txt", "linkdir/b/experiment.yaml", "team/self/b/experiment.yaml", "team/up/empty.txt"} {
					if got, err := read(p); err == nil {
						t.Errorf("%q was read through a link: %q", p, got)
					}
				}
				if _, err := f.ReadDir("linkdir"); err == nil {
					t.Error("ReadDir(linkdir) followed the link")
				}
			}
			// A FIFO opens at once and says what it is; it never blocks.
			done := make(chan error, 1)
			go func() {
				file, err := f.Open("a/pipe")
				if err == nil {
					var fi fs.FileInfo
					if fi, err = file.Stat(); err == nil && fi.Mode().Type() != fs.ModeNamedPipe {
						err = errors.New("not reported as a named pipe: " + fi.Mode().String())
					}
					file.Close()
				}
				done <- err
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("a/pipe: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("opening a FIFO blocked")
			}
		})
	}
}

// TestStatAndInfo: Stat of open files and folders and Info of entries
// describe them as os.Lstat does.
func TestStatAndInfo(t *testing.T) {
	root := tree(t)
	for name, f := range both(t, root) {
		for _, p := range []string{".", "a", "a/results.csv", "empty.txt"} {
			file, err := f.Open(p)
			if err != nil {
				t.Fatalf("%s: Open(%s): %v", name, p, err)
			}
			fi, err := file.Stat()
			file.Close()
			if err != nil {
				t.Fatal(err)
			}
			want, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p)))
			if err != nil {
				t.Fatal(err)
			}
			if p == "." {
				want = namedInfo{want, "."} // fs.FS names its root "."
			}
			if fi.Name() != want.Name() || fi.Size() != want.Size() || fi.Mode() != want.Mode() || !fi.ModTime().Equal(want.ModTime()) || fi.IsDir() != want.IsDir() {
				t.Errorf("%s: Stat(%s) = %s %d %v %v, os.Lstat %s %d %v %v", name, p, fi.Name(), fi.Size(), fi.Mode(), fi.ModTime(), want.Name(), want.Size(), want.Mode(), want.ModTime())
			}
		}
		list, err := f.ReadDir(".")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			fi, err := e.Info()
			if err != nil {
				t.Fatalf("%s: Info(%s): %v", name, e.Name(), err)
			}
			want, err := os.Lstat(filepath.Join(root, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode() != want.Mode() || fi.Size() != want.Size() || fi.Mode().Type() != e.Type() {
				t.Errorf("%s: Info(%s) = %v %d (entry type %v), os.Lstat %v %d", name, e.Name(), fi.Mode(), fi.Size(), e.Type(), want.Mode(), want.Size())
			}
		}
	}
}

// TestFSContract runs testing/fstest's checks of the fs.FS contract on a
// tree without links or FIFOs.
func TestFSContract(t *testing.T) {
	root := t.TempDir()
	for p, body := range map[string]string{"a/experiment.yaml": "name: A\n", "a/results.csv": "x\n", "b/c/d.txt": "deep", "top.txt": ""} {
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, f := range both(t, root) {
		if err := fstest.TestFS(f, "a/experiment.yaml", "a/results.csv", "b/c/d.txt", "top.txt"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// namedInfo renames a FileInfo.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (n namedInfo) Name() string { return n.name }
