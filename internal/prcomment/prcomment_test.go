package prcomment

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/experimentos/experimentos/internal/githubfake"
)

const (
	token = "ghs_SECRETtoken_must_never_leak_0123456789"
	owner = "octo-org"
	repo  = "octo-repo"
	pr    = 7
)

// clock is a fake clock whose Sleep records the wait and advances time.
type clock struct {
	mu    sync.Mutex
	t     time.Time
	waits []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func (c *clock) Waits() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

type env struct {
	gh     *githubfake.Server
	client *Client
	clock  *clock
}

// setup starts a fake GitHub sharing a fake clock with a client.
func setup(t *testing.T, fakeOpts []githubfake.Option, opts ...Option) env {
	t.Helper()
	clk := newClock()
	gh := githubfake.New(t, append([]githubfake.Option{githubfake.WithToken(token), githubfake.WithClock(clk.Now)}, fakeOpts...)...)
	return env{gh: gh, clock: clk, client: newClient(t, gh, clk, opts...)}
}

func newClient(t *testing.T, gh *githubfake.Server, clk *clock, opts ...Option) *Client {
	t.Helper()
	c, err := New(gh.Client(), gh.URL, token, owner, repo,
		append([]Option{WithClock(clk.Now), WithSleep(clk.Sleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func memo(marker, text string) string { return marker + "\n" + text }

var person = githubfake.User{Login: "mona", Type: "User"}

func countRoutes(gh *githubfake.Server) map[githubfake.Route]int {
	m := map[githubfake.Route]int{}
	for _, r := range gh.Requests() {
		m[r.Route]++
	}
	return m
}

func TestUpsertCreatesThenEdits(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	mk := Marker("experiments")
	ctx := context.Background()

	url, created, err := e.client.Upsert(ctx, pr, mk, memo(mk, "first"))
	if err != nil {
		t.Fatal(err)
	}
	if !created || !strings.Contains(url, "#issuecomment-") {
		t.Errorf("first Upsert = %q, %v; want a new comment's URL, true", url, created)
	}
	// GET /user + list + create + the verifying list.
	if got, want := e.gh.Total(), 4; got != want {
		t.Errorf("first Upsert made %d requests, want %d: %v", got, want, e.gh.Requests())
	}

	e.gh.ResetRequests()
	url2, created, err := e.client.Upsert(ctx, pr, mk, memo(mk, "second"))
	if err != nil {
		t.Fatal(err)
	}
	if created || url2 != url {
		t.Errorf("second Upsert = %q, %v; want %q, false", url2, created, url)
	}
	got := e.gh.Comments(owner, repo, pr)
	if len(got) != 1 || got[0].Body != memo(mk, "second") {
		t.Fatalf("comments = %+v, want one with the second body", got)
	}
	if got, want := countRoutes(e.gh), (map[githubfake.Route]int{githubfake.RouteListComments: 1, githubfake.RouteEditComment: 1}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("second Upsert requests = %v, want %v", got, want)
	}
}

func TestUpsertFindsOursAmongMany(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	tests := []struct {
		name      string
		seed      func(gh *githubfake.Server)
		wantPages int
		wantEdit  bool // else a create
	}{
		{"marker on page 3 of 250", func(gh *githubfake.Server) {
			for i := range 250 {
				if i == 230 {
					gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
					continue
				}
				gh.AddComment(owner, repo, pr, githubfake.Comment{Body: fmt.Sprintf("comment %d", i), User: person})
			}
		}, 3, true},
		{"a person quoting the marker", func(gh *githubfake.Server) {
			gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "quoted by hand"), User: person})
		}, 1, false},
		{"marker not on the first line", func(gh *githubfake.Server) {
			gh.AddComment(owner, repo, pr, githubfake.Comment{Body: "see\n" + mk})
		}, 1, false},
		{"another path's marker", func(gh *githubfake.Server) {
			gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(Marker("other"), "x")})
		}, 1, false},
		{"ours, not another bot's", func(gh *githubfake.Server) {
			gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "a")})
			gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "b"), User: githubfake.User{Login: "other[bot]", Type: "Bot"}})
		}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			tt.seed(e.gh)
			before := e.gh.Comments(owner, repo, pr)
			_, created, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "new"))
			if err != nil {
				t.Fatal(err)
			}
			after := e.gh.Comments(owner, repo, pr)
			n := countRoutes(e.gh)
			if tt.wantEdit {
				if created {
					t.Errorf("created a comment, want an edit")
				}
				if got, want := e.gh.Total(), 1+tt.wantPages+1; got != want {
					t.Errorf("requests = %d, want GET /user + pages + edit = %d", got, want)
				}
				if d := n[githubfake.RouteDeleteComment]; d != 0 {
					t.Errorf("%d deletes, want none", d)
				}
				var edited int
				for _, c := range after {
					if c.Body == memo(mk, "new") {
						edited++
						if c.User.Type != "Bot" {
							t.Errorf("edited %s's comment", c.User.Login)
						}
					}
				}
				if edited != 1 {
					t.Errorf("%d comments carry the new body, want 1", edited)
				}
				if len(after) != len(before)-n[githubfake.RouteDeleteComment] {
					t.Errorf("comments %d → %d", len(before), len(after))
				}
				return
			}
			if !created || len(after) != len(before)+1 {
				t.Fatalf("created = %v, comments %d → %d; want a new one", created, len(before), len(after))
			}
			for i, c := range before {
				if after[i].Body != c.Body {
					t.Errorf("comment %d changed: %q → %q", c.ID, c.Body, after[i].Body)
				}
			}
			if last := after[len(after)-1]; last.Body != memo(mk, "new") || last.User.Type != "Bot" {
				t.Errorf("new comment = %+v", last)
			}
		})
	}
}

func TestChangedFiles(t *testing.T) {
	t.Parallel()
	renamed := githubfake.File{Filename: "experiments/b/results.csv", PreviousFilename: "experiments/a/results.csv", Status: "renamed"}
	tests := []struct {
		name         string
		files        []githubfake.File
		wantN        int
		wantRequests int
		wantComplete bool
	}{
		{"none", nil, 0, 1, true},
		{"150 files on 2 pages", githubfake.GenerateFiles("experiments/x", 150), 150, 2, true},
		{"2999 files", githubfake.GenerateFiles("x", 2999), 2999, 30, true},
		{"exactly the 3000 cap", githubfake.GenerateFiles("x", 3000), 3000, 30, false},
		{"more than GitHub lists", githubfake.GenerateFiles("x", 3500), 3000, 30, false},
		{"renamed", []githubfake.File{renamed}, 1, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			e.gh.SetFiles(owner, repo, pr, tt.files)
			files, complete, err := e.client.ChangedFiles(context.Background(), pr)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(files), tt.wantN; got != want {
				t.Errorf("len(files) = %d, want %d", got, want)
			}
			if got, want := complete, tt.wantComplete; got != want {
				t.Errorf("complete = %v, want %v", got, want)
			}
			if got, want := e.gh.Count(githubfake.RouteListFiles), tt.wantRequests; got != want {
				t.Errorf("requests = %d, want %d", got, want)
			}
			for _, r := range e.gh.Requests() {
				if got, want := r.Query.Get("per_page"), "100"; got != want {
					t.Errorf("per_page = %q, want %q", got, want)
				}
			}
			if tt.name == "renamed" {
				if got, want := files[0], (File{Path: renamed.Filename, PreviousPath: renamed.PreviousFilename, Status: "renamed"}); got != want {
					t.Errorf("file = %+v, want %+v", got, want)
				}
			}
		})
	}
}

// between checks that every wait lies in its [lo, hi] range.
func between(t *testing.T, waits []time.Duration, ranges ...[2]time.Duration) {
	t.Helper()
	if len(waits) != len(ranges) {
		t.Errorf("waits = %v, want %d of them in %v", waits, len(ranges), ranges)
		return
	}
	for i, w := range waits {
		if w < ranges[i][0] || w > ranges[i][1] {
			t.Errorf("wait %d = %s, want within %v", i, w, ranges[i])
		}
	}
}

func exactly(d time.Duration) [2]time.Duration { return [2]time.Duration{d, d} }

func TestRetries(t *testing.T) {
	t.Parallel()
	s := time.Second
	backoff0, backoff1 := [2]time.Duration{s / 2, s}, [2]time.Duration{s, 2 * s}
	tests := []struct {
		name    string
		route   githubfake.Route
		fault   githubfake.Fault
		seed    bool // an existing sticky comment, so Upsert edits
		waits   [][2]time.Duration
		creates int // POST requests expected
	}{
		{"502 twice on list", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.BadGateway, Times: 2}, false, [][2]time.Duration{backoff0, backoff1}, 1},
		{"secondary rate limit 403", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.SecondaryRateLimit, Times: 1}, false, [][2]time.Duration{exactly(s)}, 1},
		{"429 with Retry-After 3", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.TooManyRequests, Times: 1, RetryAfter: 3 * s}, false, [][2]time.Duration{exactly(3 * s)}, 1},
		{"primary rate limit, reset in 20s", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.PrimaryRateLimit, Times: 1, ResetIn: 20 * s}, false, [][2]time.Duration{exactly(21 * s)}, 1},
		{"502 on edit", githubfake.RouteEditComment, githubfake.Fault{Kind: githubfake.BadGateway, Times: 1}, true, [][2]time.Duration{backoff0}, 0},
		{"secondary rate limit on create: not performed, retried at once", githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.SecondaryRateLimit, Times: 1}, false, [][2]time.Duration{exactly(s)}, 2},
		{"502 on create: list, then create again", githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.BadGateway, Times: 1}, false, [][2]time.Duration{backoff0}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			mk := Marker("experiments")
			if tt.seed {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
			}
			e.gh.Inject(tt.route, tt.fault)
			if _, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "new")); err != nil {
				t.Fatal(err)
			}
			between(t, e.clock.Waits(), tt.waits...)
			if got := e.gh.Comments(owner, repo, pr); len(got) != 1 || got[0].Body != memo(mk, "new") {
				t.Errorf("comments = %+v, want exactly one with the new body", got)
			}
			if got, want := e.gh.Count(githubfake.RouteCreateComment), tt.creates; got != want {
				t.Errorf("creates = %d, want %d", got, want)
			}
		})
	}
}

func TestGivesUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		route     githubfake.Route
		fault     githubfake.Fault
		attempts  int
		wantWaits int
	}{
		{"502 forever: 1 + 4 retries", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.BadGateway}, 5, 4},
		{"reset beyond MaxWait: no wait", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.PrimaryRateLimit, ResetIn: time.Hour}, 1, 0},
		{"Retry-After beyond the deadline", githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.TooManyRequests, RetryAfter: 50 * time.Second}, 3, 2},
		{"502 forever on create", githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.BadGateway}, 5, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			e.gh.Inject(tt.route, tt.fault)
			mk := Marker("x")
			_, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "b"))
			if err == nil {
				t.Fatal("Upsert succeeded, want an error")
			}
			if IsPermission(err) {
				t.Errorf("IsPermission(%v) = true", err)
			}
			if got, want := e.gh.Count(tt.route), tt.attempts; got != want {
				t.Errorf("attempts = %d, want %d (%v)", got, want, err)
			}
			if got, want := len(e.clock.Waits()), tt.wantWaits; got != want {
				t.Errorf("waits = %v, want %d", e.clock.Waits(), want)
			}
			var total time.Duration
			for _, w := range e.clock.Waits() {
				total += w
			}
			if total > 2*time.Minute {
				t.Errorf("waited %s in all, more than the 2m deadline", total)
			}
		})
	}
}

func TestPermission(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	for _, route := range []githubfake.Route{githubfake.RouteCreateComment, githubfake.RouteEditComment} {
		t.Run(string(route), func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			if route == githubfake.RouteEditComment {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
			}
			e.gh.Inject(route, githubfake.Fault{Kind: githubfake.Forbidden})
			_, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "new"))
			if !IsPermission(err) {
				t.Fatalf("IsPermission(%v) = false, want true", err)
			}
			if got, want := e.gh.Count(route), 1; got != want {
				t.Errorf("%d attempts, want %d (no retry)", got, want)
			}
			if w := e.clock.Waits(); len(w) != 0 {
				t.Errorf("waited %v, want no wait", w)
			}
		})
	}
	if IsPermission(nil) || IsPermission(errors.New("403")) {
		t.Error("IsPermission is true for an error that is not GitHub's 403")
	}
}

func TestTimeouts(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	tests := []struct {
		name     string
		route    githubfake.Route
		seed     bool
		attempts int
	}{
		// The retry must find the committed comment instead of posting again.
		{"create commits, then times out", githubfake.RouteCreateComment, false, 1},
		{"edit commits, then times out", githubfake.RouteEditComment, true, 2},
		{"list times out", githubfake.RouteListComments, false, 3}, // 2 + the verifying list
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil, WithRetryPolicy(RetryPolicy{RequestTimeout: 100 * time.Millisecond}))
			if tt.seed {
				e.gh.AddComment(owner, repo, pr, githubfake.Comment{Body: memo(mk, "old")})
			}
			e.gh.Inject(tt.route, githubfake.Fault{Kind: githubfake.StallAfterCommit, Times: 1})
			url, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, "body"))
			if err != nil {
				t.Fatal(err)
			}
			got := e.gh.Comments(owner, repo, pr)
			if len(got) != 1 || got[0].Body != memo(mk, "body") {
				t.Fatalf("comments = %+v, want exactly one with the body", got)
			}
			if url != got[0].HTMLURL {
				t.Errorf("url = %q, want %q", url, got[0].HTMLURL)
			}
			if got, want := e.gh.Count(tt.route), tt.attempts; got != want {
				t.Errorf("%d requests on the route, want %d", got, want)
			}
		})
	}
}

func TestConcurrentUpsert(t *testing.T) {
	t.Parallel()
	for i := range 30 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			// On even runs hold the creates until both arrived: neither
			// is committed before both runs listed, so both create.
			var mu sync.Mutex
			arrived := 0
			both := make(chan struct{})
			hook := func(r *http.Request, route githubfake.Route) {
				if i%2 == 1 || route != githubfake.RouteCreateComment {
					return
				}
				mu.Lock()
				arrived++
				if arrived == 2 {
					close(both)
				}
				wait := arrived <= 2
				mu.Unlock()
				if wait {
					select {
					case <-both:
					case <-time.After(2 * time.Second):
					}
				}
			}
			e := setup(t, []githubfake.Option{githubfake.WithHook(hook)})
			other := newClient(t, e.gh, e.clock)
			mk := Marker("experiments")
			var wg sync.WaitGroup
			errs := make([]error, 2)
			for j, c := range []*Client{e.client, other} {
				wg.Go(func() {
					_, _, errs[j] = c.Upsert(context.Background(), pr, mk, memo(mk, fmt.Sprint("run ", j)))
				})
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := e.gh.Comments(owner, repo, pr); len(got) != 1 {
				t.Errorf("%d comments after two concurrent runs, want 1: %+v", len(got), got)
			}
			if i%2 == 0 && (e.gh.Count(githubfake.RouteCreateComment) != 2 || e.gh.Count(githubfake.RouteDeleteComment) == 0) {
				t.Errorf("held runs: %v, want two creates and a delete", countRoutes(e.gh))
			}
		})
	}
}

func TestBodyTooLong(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	mk := Marker("experiments")
	body := memo(mk, strings.Repeat("x", githubfake.MaxBodyChars))
	_, _, err := e.client.Upsert(context.Background(), pr, mk, body)
	if err == nil {
		t.Fatal("Upsert of a body over 65,536 characters succeeded")
	}
	for _, want := range []string{"create comment", "422", "body is too long (maximum is 65536 characters)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if got := e.gh.Count(githubfake.RouteCreateComment); got != 1 {
		t.Errorf("%d creates, want 1 (a 422 is not retried)", got)
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	tests := []struct {
		name  string
		opts  []githubfake.Option
		route githubfake.Route
		fault githubfake.Fault
		body  string
	}{
		{"bad credentials", []githubfake.Option{githubfake.WithToken("another")}, "", githubfake.Fault{}, ""},
		{"forbidden", nil, githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.Forbidden}, ""},
		{"rate limited", nil, githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.PrimaryRateLimit, ResetIn: time.Hour}, ""},
		{"502", nil, githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.BadGateway}, ""},
		{"timeout", nil, githubfake.RouteListComments, githubfake.Fault{Kind: githubfake.StallAfterCommit}, ""},
		{"too long", nil, "", githubfake.Fault{}, strings.Repeat("y", githubfake.MaxBodyChars)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, tt.opts, WithRetryPolicy(RetryPolicy{RequestTimeout: 50 * time.Millisecond, MaxRetries: 1}))
			if tt.route != "" {
				e.gh.Inject(tt.route, tt.fault)
			}
			_, _, err := e.client.Upsert(context.Background(), pr, mk, memo(mk, tt.body))
			if err == nil {
				t.Fatal("no error")
			}
			_, _, ferr := e.client.ChangedFiles(context.Background(), pr)
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%v", ferr)} {
				if strings.Contains(s, token) || strings.Contains(s, token[4:20]) {
					t.Errorf("error carries the token: %s", s)
				}
			}
		})
	}
}

func TestUpdateIfExists(t *testing.T) {
	t.Parallel()
	mk := Marker("experiments")
	tests := []struct {
		name      string
		seed      []githubfake.Comment
		wantFound bool
	}{
		{"none: no write", nil, false},
		{"a person's only", []githubfake.Comment{{Body: memo(mk, "x"), User: person}}, false},
		{"ours", []githubfake.Comment{{Body: memo(mk, "stale")}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := setup(t, nil)
			for _, c := range tt.seed {
				e.gh.AddComment(owner, repo, pr, c)
			}
			url, found, err := e.client.UpdateIfExists(context.Background(), pr, mk, memo(mk, "no experiment changed"))
			if err != nil {
				t.Fatal(err)
			}
			if found != tt.wantFound || (url != "") != tt.wantFound {
				t.Errorf("UpdateIfExists = %q, %v; want found %v", url, found, tt.wantFound)
			}
			n := countRoutes(e.gh)
			if got, want := n[githubfake.RouteCreateComment], 0; got != want {
				t.Errorf("creates = %d, want %d", got, want)
			}
			wantEdits := 0
			if tt.wantFound {
				wantEdits = 1
			}
			if got := n[githubfake.RouteEditComment]; got != wantEdits {
				t.Errorf("edits = %d, want %d", got, wantEdits)
			}
		})
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	gh := githubfake.New(t, githubfake.WithToken(token))
	tests := []struct {
		name    string
		apiURL  string
		wantErr string // of New; "" when New succeeds
		wantOK  bool   // ChangedFiles succeeds
	}{
		{"trailing slash", gh.URL, "", true},
		{"GHES style, no trailing slash", strings.TrimSuffix(gh.URL, "/"), "", true},
		{"wrong base path fails loudly", strings.TrimSuffix(gh.URL, "api/v3/"), "", false},
		{"relative", "api/v3", "not an absolute", false},
		{"no scheme", "api.github.com", "not an absolute", false},
		{"no host", "http://", "not an absolute", false},
		{"file URL", "file:///x", "not an absolute", false},
		{"credentials", "https://user:pw@api.github.com", "not an absolute", false},
		{"port without host", "https://:443/", "not an absolute", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(gh.Client(), tt.apiURL, token, owner, repo)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, _, err = c.ChangedFiles(context.Background(), pr)
			if (err == nil) != tt.wantOK {
				t.Errorf("ChangedFiles error = %v, want ok=%v", err, tt.wantOK)
			}
			if err != nil && !strings.Contains(err.Error(), "404") {
				t.Errorf("error %v, want a 404", err)
			}
		})
	}
	if _, err := New(nil, gh.URL, "", owner, repo); err == nil {
		t.Error("New accepted an empty token")
	}
}

func TestMarker(t *testing.T) {
	t.Parallel()
	tests := []struct{ key, want string }{
		{"experiments", "<!-- experimentos:sticky:experiments -->"},
		{"./experiments/", "<!-- experimentos:sticky:experiments -->"},
		{"teams/growth/experiments", "<!-- experimentos:sticky:teams/growth/experiments -->"},
		{"", "<!-- experimentos:sticky:. -->"},
		{"Experiments", "<!-- experimentos:sticky:experiments-"},
		{"a b --> <script>", "<!-- experimentos:sticky:a-b-script-"},
		{"x--y", "<!-- experimentos:sticky:x-y-"},
	}
	for _, tt := range tests {
		got := Marker(tt.key)
		if !strings.HasPrefix(got, tt.want) || !strings.HasSuffix(got, " -->") {
			t.Errorf("Marker(%q) = %q, want prefix %q", tt.key, got, tt.want)
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(got, "<!-- "), " -->")
		if strings.Contains(inner, "--") || strings.ContainsAny(inner, "<> \n") {
			t.Errorf("Marker(%q) = %q is not a safe HTML comment", tt.key, got)
		}
	}
	if Marker("Experiments") == Marker("experiments") || Marker("a b") == Marker("a_b") {
		t.Error("distinct keys share a marker")
	}
}

func TestUpsertChecksArguments(t *testing.T) {
	t.Parallel()
	e := setup(t, nil)
	mk := Marker("x")
	for _, tt := range []struct {
		pr           int
		marker, body string
	}{{0, mk, mk}, {pr, mk, "no marker\n" + mk}, {pr, "a\nb", "a\nb"}} {
		if _, _, err := e.client.Upsert(context.Background(), tt.pr, tt.marker, tt.body); err == nil {
			t.Errorf("Upsert(%d, %q, %q) succeeded", tt.pr, tt.marker, tt.body)
		}
	}
	if n := e.gh.Total(); n != 0 {
		t.Errorf("%d requests for invalid arguments, want 0", n)
	}
}
