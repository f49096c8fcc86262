package prcomment

// Tests of a hostile or broken API: redirects to another host, comments by
// other accounts carrying the marker, a slow server, a server repeating a
// page, and bodies too large to hold (docs/security.md#github-api).

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/githubfake"
)

// recorder is a second server that records what reaches it.
type recorder struct {
	mu       sync.Mutex
	auth     []string
	bodies   []string
	requests int
}

func newRecorder(t *testing.T) (*recorder, *httptest.Server) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		rec.mu.Lock()
		rec.requests++
		if a := r.Header.Get("Authorization"); a != "" {
			rec.auth = append(rec.auth, a)
		}
		rec.bodies = append(rec.bodies, string(body))
		rec.mu.Unlock()
		// Answer as if it were the API, so that a client trusting it
		// would report success.
		w.Header().Set("Content-Type", "application/json")
		switch r.Method {
		case http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"id":1,"html_url":"https://github.com/evil#issuecomment-1","body":"x","user":{"login":"github-actions[bot]","type":"Bot"}}`)
		default:
			io.WriteString(w, `[]`)
		}
	}))
	t.Cleanup(srv.Close)
	return rec, srv
}

func TestTokenStaysOnAPIHost(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	tests := []struct {
		name   string
		route  githubfake.Route
		status int
		seed   bool // a sticky comment exists, so Upsert edits
		op     string
	}{
		{"301 on list files", githubfake.RouteListFiles, http.StatusMovedPermanently, false, "files"},
		{"307 on list files", githubfake.RouteListFiles, http.StatusTemporaryRedirect, false, "files"},
		{"301 on list comments", githubfake.RouteListComments, http.StatusMovedPermanently, false, "upsert"},
		{"307 on create (POST)", githubfake.RouteCreateComment, http.StatusTemporaryRedirect, false, "upsert"},
		{"308 on create (POST)", githubfake.RouteCreateComment, http.StatusPermanentRedirect, false, "upsert"},
		{"307 on edit (PATCH)", githubfake.RouteEditComment, http.StatusTemporaryRedirect, true, "upsert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, evil := newRecorder(t)
			e := setup(t, nil)
			e.gh.SetFiles(owner, repo, pr, githubfake.GenerateFiles("experiments/a", 3))
			if tt.seed {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
			}
			e.gh.Inject(tt.route, githubfake.Fault{Kind: githubfake.Redirect, Status: tt.status, Location: evil.URL + "/api/v3/"})
			var err error
			if tt.op == "files" {
				_, _, err = e.client.ChangedFiles(context.Background(), pr)
			} else {
				_, _, err = e.client.Upsert(context.Background(), pr, mk, memo(mk, "SECRET-MEMO-BODY"))
			}
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), "redirect") {
				t.Errorf("error = %v, want one naming the refused redirect", err)
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if len(rec.auth) > 0 {
				t.Errorf("the other host received Authorization: %q", rec.auth)
			}
			for _, b := range rec.bodies {
				if strings.Contains(b, "SECRET-MEMO-BODY") {
					t.Errorf("the other host received the comment body")
				}
			}
			if rec.requests != 0 {
				t.Errorf("the redirect was followed (%d requests to the other host)", rec.requests)
			}
		})
	}

	// A redirect within the API host is followed, with the token (the
	// fake answers 401 without it).
	e := setup(t, nil)
	e.gh.SetFiles(owner, repo, pr, githubfake.GenerateFiles("experiments/a", 3))
	e.gh.Inject(githubfake.RouteListFiles, githubfake.Fault{Kind: githubfake.Redirect, Status: http.StatusMovedPermanently, Location: e.gh.URL, Times: 1})
	files, _, err := e.client.ChangedFiles(context.Background(), pr)
	if err != nil || len(files) != 3 {
		t.Errorf("same-host redirect: %d files, %v; want 3, nil", len(files), err)
	}
}

func TestOnlyOwnComments(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	dependabot := githubfake.User{Login: "dependabot[bot]", ID: 49699333, Type: "Bot"}
	renovate := githubfake.User{Login: "renovate[bot]", ID: 29139614, Type: "Bot"}
	actions := githubfake.User{Login: "github-actions[bot]", ID: 41898282, Type: "Bot"}
	mona := githubfake.User{Login: "mona", ID: 1, Type: "User"}
	hubot := githubfake.User{Login: "hubot", ID: 2, Type: "User"}
	tests := []struct {
		name     string
		actor    *githubfake.User // the token's account; nil: github-actions[bot]
		seed     []githubfake.User
		wantEdit int // index in seed of the comment edited; -1: one is created
	}{
		{"other bots' markers only", nil, []githubfake.User{dependabot, renovate}, -1},
		{"ours after another bot's", nil, []githubfake.User{dependabot, actions, renovate}, 1},
		{"a personal token finds its own", &mona, []githubfake.User{hubot, actions, mona}, 2},
		{"a personal token ignores bots", &mona, []githubfake.User{actions, dependabot}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []githubfake.Option
			if tt.actor != nil {
				opts = append(opts, githubfake.WithActor(tt.actor.Login, tt.actor.Type))
			}
			e := setup(t, opts)
			for _, u := range tt.seed {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "by "+u.Login), User: u})
			}
			before := e.gh.Comments(owner, repo, pr)
			for round := range 2 { // the second run finds the comment the first left
				url, created, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "new"))
				if err != nil {
					t.Fatal(err)
				}
				after := e.gh.Comments(owner, repo, pr)
				wantLen := len(before)
				if tt.wantEdit < 0 {
					wantLen++
				}
				if len(after) != wantLen {
					t.Fatalf("round %d: %d comments, want %d: %+v", round, len(after), wantLen, after)
				}
				for i, c := range before {
					want := c.Body
					if i == tt.wantEdit {
						want = memo(mk, "new")
					}
					if after[i].Body != want {
						t.Errorf("round %d: %s's comment is %q, want %q", round, c.User.Login, after[i].Body, want)
					}
				}
				if tt.wantEdit < 0 {
					last := after[len(after)-1]
					if last.Body != memo(mk, "new") || url != last.HTMLURL || created != (round == 0) {
						t.Errorf("round %d: created=%v url=%q; want the new comment %q", round, created, url, last.HTMLURL)
					}
				} else if created || url != before[tt.wantEdit].HTMLURL {
					t.Errorf("round %d: created=%v url=%q; want an edit of %q", round, created, url, before[tt.wantEdit].HTMLURL)
				}
			}
		})
	}

	// UpdateIfExists never takes another account's comment for ours.
	e := setup(t, nil)
	e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "renovate"), User: renovate})
	if _, found, err := e.client.UpdateIfExists(context.Background(), pr, mk, memo(mk, "no change")); err != nil || found {
		t.Errorf("UpdateIfExists = %v, %v; want not found", found, err)
	}
	if got := e.gh.Comments(owner, repo, pr); len(got) != 1 || got[0].Body != memo(mk, "renovate") {
		t.Errorf("renovate's comment changed: %+v", got)
	}
}

// within runs f in the background and fails the test if it takes longer
// than limit, so that a hang shows as a failure, not a stuck test.
func within(t *testing.T, limit time.Duration, f func() error) (time.Duration, error) {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- f() }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(limit):
		t.Fatalf("still running after %s", limit)
		return 0, nil
	}
}

func TestOperationDeadline(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	const deadline = 300 * time.Millisecond
	tests := []struct {
		name string
		op   func(c *Client) error
	}{
		{"list files", func(c *Client) error { _, _, err := c.ChangedFiles(context.Background(), pr); return err }},
		{"upsert", func(c *Client) error { _, _, err := c.Upsert(context.Background(), pr, mk, memo(mk, "x")); return err }},
		{"update if exists", func(c *Client) error {
			_, _, err := c.UpdateIfExists(context.Background(), pr, mk, memo(mk, "x"))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// 30 pages of files and 20 of comments, 100ms each: seconds
			// without a deadline.
			gh := githubfake.New(t, githubfake.WithToken(token), githubfake.WithLatency(100*time.Millisecond))
			gh.SetFiles(owner, repo, pr, githubfake.GenerateFiles("experiments/a", 3000))
			for range 2000 {
				gh.AddComment(owner, repo, pr, githubfake.Comment{Body: "chatter", User: person})
			}
			c, err := New(gh.Client(), gh.URL, token, owner, repo, WithRetryPolicy(RetryPolicy{Total: deadline}))
			if err != nil {
				t.Fatal(err)
			}
			took, err := within(t, 10*time.Second, func() error { return tt.op(c) })
			t.Log(err)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error = %v, want the operation's deadline", err)
			}
			if took > deadline+time.Second {
				t.Errorf("took %s, want about the %s deadline", took, deadline)
			}
		})
	}
}

func TestRepeatedPage(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	for _, seed := range []bool{false, true} {
		t.Run(map[bool]string{false: "create", true: "edit"}[seed], func(t *testing.T) {
			t.Parallel()
			e := setup(t, []githubfake.Option{githubfake.WithRepeatedPage()})
			if seed {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
			}
			e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: "chatter", User: person})
			url, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "new"))
			if err != nil {
				t.Fatal(err)
			}
			var ours []githubfake.Comment
			for _, c := range e.gh.Comments(owner, repo, pr) {
				if strings.HasPrefix(c.Body, mk) {
					ours = append(ours, c)
				}
			}
			if len(ours) != 1 || ours[0].Body != memo(mk, "new") || ours[0].HTMLURL != url {
				t.Errorf("sticky comments = %+v, url %q; want exactly the one reported", ours, url)
			}
			if n := e.gh.Total(); n > 10 {
				t.Errorf("%d requests, want a handful: %v", n, countRoutes(e.gh))
			}
		})
	}
	t.Run("files", func(t *testing.T) {
		t.Parallel()
		e := setup(t, []githubfake.Option{githubfake.WithRepeatedPage()})
		e.gh.SetFiles(owner, repo, pr, githubfake.GenerateFiles("experiments/a", 150))
		files, _, err := e.client.ChangedFiles(context.Background(), pr)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 100 {
			t.Errorf("%d files, want page 1's 100 once", len(files))
		}
		if n := e.gh.Total(); n > 3 {
			t.Errorf("%d requests, want at most 3", n)
		}
	})
}

// TestBodyBounded is not parallel: it measures the memory one call takes.
func TestBodyBounded(t *testing.T) {
	mk := Marker("experiments")
	for _, route := range []githubfake.Route{githubfake.RouteListComments, githubfake.RouteListFiles} {
		t.Run(string(route), func(t *testing.T) {
			e := setup(t, nil)
			e.gh.Inject(route, githubfake.Fault{Kind: githubfake.HugeBody, Size: 40 << 20})
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			var err error
			if route == githubfake.RouteListFiles {
				_, _, err = e.client.ChangedFiles(context.Background(), pr)
			} else {
				_, _, err = e.client.Upsert(context.Background(), pr, mk, memo(mk, "x"))
			}
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "MiB") {
				t.Errorf("error = %v, want the response size limit", err)
			}
			// Reading stops at the limit: what go-github's decoder
			// buffers of 32 MiB (it doubles its buffer, so 4 times as
			// much allocated in all), not the whole body and the string
			// made of it (336 MiB before the limit).
			if got := after.TotalAlloc - before.TotalAlloc; got > 160<<20 {
				t.Errorf("allocated %d MiB for one call, want < 160", got>>20)
			}
			if n := e.gh.Count(githubfake.RouteCreateComment); n != 0 {
				t.Errorf("created %d comments after an unreadable listing", n)
			}
		})
	}
}
