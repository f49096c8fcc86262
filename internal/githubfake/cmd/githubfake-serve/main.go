// Command githubfake-serve runs the fake GitHub API of package githubfake
// as a process on 127.0.0.1, for checks that run the action outside Go's
// test binary (scripts/container-check runs the released image against it;
// docs/action.md#container-check).
//
//	githubfake-serve -token T -files 'owner/repo#2=experiments/a/results.csv,README.md' -info FILE
//
// Once both listeners are up it writes FILE (atomically) with two lines,
// "api=URL" (the API base URL, for GITHUB_API_URL) and "control=URL", and
// serves until SIGINT or SIGTERM. The control listener reports what the
// fake received, as plain text for a shell script:
//
//	GET  /requests                      one "METHOD PATH[?QUERY] STATUS" line per API request
//	GET  /comments?repo=o/r&pr=N        one "ID LOGIN TYPE HTML_URL" line per comment (tab-separated)
//	GET  /comment?repo=o/r&pr=N&id=ID   the comment's body
//	POST /reset                         forget the recorded requests
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/experimentos/experimentos/internal/githubfake"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// prFiles is one -files value: a pull request and its changed files.
type prFiles struct {
	owner, repo string
	pr          int
	files       []githubfake.File
}

func parseFiles(v string) (prFiles, error) {
	key, list, ok := strings.Cut(v, "=")
	repo, num, ok2 := strings.Cut(key, "#")
	owner, name, ok3 := strings.Cut(repo, "/")
	n, err := strconv.Atoi(num)
	if !ok || !ok2 || !ok3 || owner == "" || name == "" || err != nil || n <= 0 {
		return prFiles{}, fmt.Errorf("%q: want owner/repo#N=path,path", v)
	}
	p := prFiles{owner: owner, repo: name, pr: n}
	for _, f := range strings.Split(list, ",") {
		if f != "" {
			p.files = append(p.files, githubfake.File{Filename: f, Status: "modified", Additions: 1, Deletions: 1, Changes: 2})
		}
	}
	return p, nil
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("githubfake-serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	token := fs.String("token", "", "token every API request must carry (empty: any)")
	info := fs.String("info", "", "file to write the api= and control= URLs to (required)")
	var prs []prFiles
	fs.Func("files", "owner/repo#N=path,path: a pull request's changed files (repeatable)", func(v string) error {
		p, err := parseFiles(v)
		if err == nil {
			prs = append(prs, p)
		}
		return err
	})
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *info == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "githubfake-serve: want -info FILE and no arguments")
		return 2
	}

	var opts []githubfake.Option
	if *token != "" {
		opts = append(opts, githubfake.WithToken(*token))
	}
	gh := githubfake.Start(opts...)
	defer gh.Close()
	for _, p := range prs {
		gh.SetFiles(p.owner, p.repo, p.pr, p.files)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(stderr, "githubfake-serve:", err)
		return 1
	}
	srv := &http.Server{Handler: control(gh), ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	defer srv.Close()

	if err := writeInfo(*info, gh.URL, "http://"+ln.Addr().String()+"/"); err != nil {
		fmt.Fprintln(stderr, "githubfake-serve:", err)
		return 1
	}
	select {
	case <-ctx.Done():
		return 0
	case err := <-done:
		fmt.Fprintln(stderr, "githubfake-serve: control:", err)
		return 1
	}
}

// writeInfo writes the URLs to a temporary file beside path and renames it,
// so that a reader polling for path never sees half of it.
func writeInfo(path, api, ctl string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".githubfake-serve-*")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(tmp, "api=%s\ncontrol=%s\n", api, ctl)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

func control(gh *githubfake.Server) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /requests", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, q := range gh.Requests() {
			p := q.Path
			if len(q.Query) > 0 {
				p += "?" + q.Query.Encode()
			}
			fmt.Fprintf(w, "%s %s %d\n", q.Method, p, q.Status)
		}
	})
	mux.HandleFunc("GET /comments", func(w http.ResponseWriter, r *http.Request) {
		owner, repo, pr, err := issue(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		for _, c := range gh.Comments(owner, repo, pr) {
			fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", c.ID, c.User.Login, c.User.Type, c.HTMLURL)
		}
	})
	mux.HandleFunc("GET /comment", func(w http.ResponseWriter, r *http.Request) {
		owner, repo, pr, err := issue(r)
		id, ierr := strconv.ParseInt(r.URL.Query().Get("id"), 10, 64)
		if err = errors.Join(err, ierr); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, c := range gh.Comments(owner, repo, pr) {
			if c.ID == id {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, c.Body)
				return
			}
		}
		http.NotFound(w, r)
	})
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, r *http.Request) {
		gh.ResetRequests()
		w.WriteHeader(http.StatusNoContent)
	})
	return mux
}

// issue reads ?repo=owner/name&pr=N.
func issue(r *http.Request) (owner, repo string, pr int, err error) {
	q := r.URL.Query()
	owner, repo, ok := strings.Cut(q.Get("repo"), "/")
	pr, perr := strconv.Atoi(q.Get("pr"))
	if !ok || owner == "" || repo == "" || perr != nil || pr <= 0 {
		return "", "", 0, fmt.Errorf("want ?repo=owner/name&pr=N, got %q", r.URL.RawQuery)
	}
	return owner, repo, pr, nil
}
