//go:build linux

package rootfs

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestBeneath: the kernel refuses a path that leaves the root even when
// fs.ValidPath is not asked first, so RESOLVE_BENEATH is what confines.
func TestBeneath(t *testing.T) {
	root := tree(t)
	f, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if noteFast(t, f); !f.Fast() {
		t.Skip("openat2 is not available here")
	}
	for _, p := range []string{"../secret.txt", "a/../../secret.txt", filepath.Join(filepath.Dir(root), "secret.txt")} {
		fd, err := f.fast.openat(p, 0)
		if err == nil {
			unix.Close(fd)
			t.Errorf("openat(%q) opened a file outside the root", p)
		} else if !errors.Is(err, unix.EXDEV) {
			t.Errorf("openat(%q) = %v, want EXDEV (outside the root)", p, err)
		}
	}
	if fd, err := f.fast.openat("a/../a/results.csv", 0); err != nil {
		t.Errorf("a path that stays inside was refused: %v", err)
	} else {
		unix.Close(fd)
	}
}

// record is one struct linux_dirent64 of reclen bytes.
func record(name string, typ uint8, reclen int) []byte {
	b := make([]byte, reclen)
	binary.NativeEndian.PutUint16(b[16:], uint16(reclen))
	b[18] = typ
	copy(b[19:], name)
	return b
}

func TestParseDirents(t *testing.T) {
	type entry struct {
		name string
		typ  uint8
	}
	join := func(rs ...[]byte) []byte {
		var out []byte
		for _, r := range rs {
			out = append(out, r...)
		}
		return out
	}
	for _, c := range []struct {
		name string
		buf  []byte
		want []entry
		bad  bool
	}{
		{"two records", join(record(".", unix.DT_DIR, 24), record("results.csv", unix.DT_REG, 32)), []entry{{".", unix.DT_DIR}, {"results.csv", unix.DT_REG}}, false},
		{"no type", record("x", unix.DT_UNKNOWN, 24), []entry{{"x", unix.DT_UNKNOWN}}, false},
		{"empty buffer", nil, nil, false},
		{"shorter than its header", record("x", unix.DT_REG, 24)[:10], nil, true},
		{"reclen of the header alone", record("", unix.DT_REG, 19), nil, true},
		{"reclen past the buffer", record("x", unix.DT_REG, 24)[:22], nil, true},
		{"empty name", record("", unix.DT_REG, 24), nil, true},
		{"name without its NUL", record("abcde", unix.DT_REG, 24), nil, true},
		{"bytes after the last record", append(record("x", unix.DT_REG, 24), 1, 2, 3), []entry{{"x", unix.DT_REG}}, true},
	} {
		var got []entry
		err := parseDirents(c.buf, func(name string, typ uint8) error {
			got = append(got, entry{name, typ})
			return nil
		})
		if (err != nil) != c.bad || len(got) != len(c.want) {
			t.Errorf("%s: %v, err %v; want %v, malformed %v", c.name, got, err, c.want, c.bad)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: entry %d = %v, want %v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

// TestNoDescriptorLeaks: opens, listings and failures leave no
// descriptor behind, and a closed FS refuses further calls.
func TestNoDescriptorLeaks(t *testing.T) {
	root := tree(t)
	count := func() int {
		list, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skip("no /proc/self/fd")
		}
		return len(list)
	}
	before := count()
	for range 50 {
		f, err := Open(root)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"a/results.csv", "out.txt", "a/loop", "missing", "a/pipe", "linkdir/b/experiment.yaml"} {
			if file, err := f.Open(p); err == nil {
				file.Stat()
				file.Close()
			}
		}
		for _, d := range []string{".", "a", "linkdir", "missing", "a/results.csv"} {
			if list, err := f.ReadDir(d); err == nil {
				for _, e := range list {
					e.Info()
				}
			}
		}
		if file, err := f.Open("team"); err == nil {
			file.(interface {
				ReadDir(int) ([]os.DirEntry, error)
			}).ReadDir(1)
			file.Close()
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Open("a/results.csv"); err == nil {
			t.Fatal("a closed FS opened a file")
		}
	}
	if after := count(); after != before {
		t.Errorf("%d descriptors open before, %d after", before, after)
	}
}
