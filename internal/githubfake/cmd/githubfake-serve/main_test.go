package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string // owner, repo, pr, files...
		wantErr  bool
	}{
		{name: "two files", in: "Codertocat/Hello-World#2=experiments/a/results.csv,README.md",
			want: []string{"Codertocat", "Hello-World", "2", "experiments/a/results.csv", "README.md"}},
		{name: "no files", in: "o/r#7=", want: []string{"o", "r", "7"}},
		{name: "no number", in: "o/r=a", wantErr: true},
		{name: "zero", in: "o/r#0=a", wantErr: true},
		{name: "no repo", in: "o#1=a", wantErr: true},
		{name: "no equals", in: "o/r#1", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := parseFiles(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseFiles(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			got := []string{p.owner, p.repo, strconv.Itoa(p.pr)}
			for _, f := range p.files {
				got = append(got, f.Filename)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("parseFiles(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestServe starts the command, lists a pull request's files and creates a
// comment through the API, and reads both back through the control URLs.
func TestServe(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	info := filepath.Join(t.TempDir(), "info")
	var stderr bytes.Buffer
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"-token", "s3cret", "-info", info, "-files", "o/r#2=experiments/a/results.csv,README.md"}, &stderr)
	}()
	defer func() {
		cancel()
		if c := <-code; c != 0 {
			t.Errorf("exit %d: %s", c, stderr.String())
		}
	}()

	var api, ctl string
	for deadline := time.Now().Add(10 * time.Second); api == "" || ctl == ""; {
		data, err := os.ReadFile(info)
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if v, ok := strings.CutPrefix(line, "api="); ok {
					api = v
				} else if v, ok := strings.CutPrefix(line, "control="); ok {
					ctl = v
				}
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no info file after 10s (%v): %s", err, stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.HasPrefix(api, "http://127.0.0.1:") || !strings.HasSuffix(api, "/api/v3/") {
		t.Fatalf("api = %q", api)
	}

	do := func(method, url, token, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, url, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if got, _ := do("GET", api+"repos/o/r/pulls/2/files", "wrong", ""); got != http.StatusUnauthorized {
		t.Errorf("wrong token: status %d, want 401", got)
	}
	got, body := do("GET", api+"repos/o/r/pulls/2/files", "s3cret", "")
	if got != http.StatusOK || !strings.Contains(body, `"filename":"experiments/a/results.csv"`) || !strings.Contains(body, `"filename":"README.md"`) {
		t.Errorf("files: %d %s", got, body)
	}
	if got, _ := do("POST", api+"repos/o/r/issues/2/comments", "s3cret", `{"body":"memo\nline 2"}`); got != http.StatusCreated {
		t.Errorf("create: status %d", got)
	}

	_, reqs := do("GET", ctl+"requests", "", "")
	want := "GET /api/v3/repos/o/r/pulls/2/files 401\nGET /api/v3/repos/o/r/pulls/2/files 200\nPOST /api/v3/repos/o/r/issues/2/comments 201\n"
	if reqs != want {
		t.Errorf("requests =\n%s\nwant\n%s", reqs, want)
	}
	_, list := do("GET", ctl+"comments?repo=o/r&pr=2", "", "")
	f := strings.Split(strings.TrimSuffix(list, "\n"), "\t")
	if len(f) != 4 || f[1] != "github-actions[bot]" || f[2] != "Bot" || !strings.HasPrefix(f[3], "https://github.com/o/r/pull/2#issuecomment-") {
		t.Fatalf("comments = %q", list)
	}
	if _, b := do("GET", ctl+"comment?repo=o/r&pr=2&id="+f[0], "", ""); b != "memo\nline 2" {
		t.Errorf("comment body = %q", b)
	}
	if got, _ := do("GET", ctl+"comment?repo=o/r&pr=2&id=1", "", ""); got != http.StatusNotFound {
		t.Errorf("missing comment: status %d, want 404", got)
	}
	if got, _ := do("GET", ctl+"comments?repo=o&pr=2", "", ""); got != http.StatusBadRequest {
		t.Errorf("bad repo: status %d, want 400", got)
	}
	if got, _ := do("POST", ctl+"reset", "", ""); got != http.StatusNoContent {
		t.Errorf("reset: status %d", got)
	}
	if _, reqs := do("GET", ctl+"requests", "", ""); reqs != "" {
		t.Errorf("requests after reset = %q", reqs)
	}
}
