// Package githubfake is an in-process fake of the parts of the GitHub REST
// API that ExperimentOS uses: a pull request's files, an issue's comments,
// the authenticated account, and a repository's commits for the history
// of docs/review.md (compare, contents at a commit, commits by path).
//
// It answers like api.github.com does (pagination with Link headers, the
// 3,000-file cap, the 65,536-character comment limit, validation errors,
// rate-limit headers) and can inject the faults a real run meets: 502s,
// primary and secondary rate limits, a fork token's 403, a create that
// commits but never answers, a redirect to another host, a body too large
// to read, a slow server and one that repeats the same page forever. It is
// served under a non-empty base path ("/api/v3/" by default, as on GitHub
// Enterprise Server) so that a client building absolute URLs fails loudly
// with a 404.
//
// Typical use in a test:
//
//	gh := githubfake.New(t, githubfake.WithToken("t0ken"))
//	gh.AddComment("o", "r", 7, githubfake.Comment{Body: "hi", User: githubfake.User{Login: "mona", Type: "User"}})
//	gh.Inject(githubfake.RouteCreateComment, githubfake.Fault{Kind: githubfake.BadGateway, Times: 2})
//	client := mypkg.New(gh.Client(), gh.URL, "t0ken", "o", "r")
//	...
//	comments := gh.Comments("o", "r", 7)
//	n := gh.Count(githubfake.RouteCreateComment)
//
// A Server is safe for concurrent use.
package githubfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// MaxFiles is how many files GitHub lists for one pull request at most.
const MaxFiles = 3000

// MaxBodyChars is the longest comment body GitHub accepts, in characters.
const MaxBodyChars = 65536

// Route names one endpoint of the fake, for fault injection and counting.
type Route string

// The endpoints the fake serves.
const (
	RouteListFiles     Route = "GET /repos/{owner}/{repo}/pulls/{number}/files"
	RouteListComments  Route = "GET /repos/{owner}/{repo}/issues/{number}/comments"
	RouteCreateComment Route = "POST /repos/{owner}/{repo}/issues/{number}/comments"
	RouteEditComment   Route = "PATCH /repos/{owner}/{repo}/issues/comments/{id}"
	RouteDeleteComment Route = "DELETE /repos/{owner}/{repo}/issues/comments/{id}"
	// RouteUser is the authenticated account. An installation token (the
	// actor's type is "Bot", as for github-actions[bot]) gets 403
	// "Resource not accessible by integration", as on GitHub; a user's
	// token gets the user.
	RouteUser Route = "GET /user"
	// RouteCompare is GET /repos/{owner}/{repo}/compare/{base}...{head},
	// answered with the merge base of the commits stored by AddCommit.
	RouteCompare Route = "GET /repos/{owner}/{repo}/compare/{basehead}"
	// RouteContents is GET /repos/{owner}/{repo}/contents/{path}?ref=, a
	// folder's listing or a file at a stored commit.
	RouteContents Route = "GET /repos/{owner}/{repo}/contents/{path}"
	// RouteCommits is GET /repos/{owner}/{repo}/commits?sha=&path=, the
	// commits on sha's history that changed path, newest first.
	RouteCommits Route = "GET /repos/{owner}/{repo}/commits"
	// RouteUnknown is any request that matches no endpoint (answered 404).
	RouteUnknown Route = "unknown"
)

// FaultKind is a failure the fake can answer with instead of the real reply.
type FaultKind int

const (
	// BadGateway answers 502 with GitHub's HTML-free JSON body.
	BadGateway FaultKind = iota + 1
	// PrimaryRateLimit answers 403 with x-ratelimit-remaining: 0 and
	// x-ratelimit-reset set Fault.ResetIn from now.
	PrimaryRateLimit
	// SecondaryRateLimit answers 403 with Retry-After and GitHub's
	// "secondary rate limit" message.
	SecondaryRateLimit
	// TooManyRequests answers 429 with Retry-After and the secondary rate
	// limit message.
	TooManyRequests
	// Forbidden answers 403 "Resource not accessible by integration", as a
	// fork's read-only token gets on a write.
	Forbidden
	// StallAfterCommit performs the request (a create commits its comment)
	// and then answers nothing until the client gives up, the server is
	// closed, or Fault.Stall has passed. On a GET it stalls before reading.
	StallAfterCommit
	// Redirect answers Fault.Status (default 307) with a Location made of
	// Fault.Location followed by the request's path below the base path
	// and its query: a redirect to another host when Location names one.
	Redirect
	// HugeBody answers 200 with a JSON array of one object whose "body" is
	// Fault.Size bytes, streamed without a Content-Length and without
	// holding it in memory.
	HugeBody
)

// Fault is one injected failure on a route.
type Fault struct {
	Kind FaultKind
	// Times is how many consecutive requests on the route get the fault;
	// 0 or less means every request from now on.
	Times int
	// RetryAfter is the Retry-After of SecondaryRateLimit and
	// TooManyRequests; default 1s (GitHub sends whole seconds).
	RetryAfter time.Duration
	// ResetIn is how far x-ratelimit-reset lies ahead for PrimaryRateLimit;
	// default 60s.
	ResetIn time.Duration
	// Stall bounds StallAfterCommit; default 10s.
	Stall time.Duration
	// Status is Redirect's status (301, 302, 303, 307 or 308; default 307).
	Status int
	// Location is Redirect's target, an absolute URL ending in "/".
	Location string
	// Size is HugeBody's body size in bytes.
	Size int64
}

// User is a comment's author.
type User struct {
	Login string `json:"login"`
	ID    int64  `json:"id"`
	Type  string `json:"type"` // "User" or "Bot"
}

// Comment is an issue comment as GitHub returns it.
type Comment struct {
	ID        int64     `json:"id"`
	NodeID    string    `json:"node_id"`
	URL       string    `json:"url"`
	HTMLURL   string    `json:"html_url"`
	IssueURL  string    `json:"issue_url"`
	Body      string    `json:"body"`
	User      User      `json:"user"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// File is one changed file of a pull request as GitHub lists it.
type File struct {
	SHA              string `json:"sha"`
	Filename         string `json:"filename"`
	Status           string `json:"status"` // added, removed, modified, renamed, copied, changed, unchanged
	Additions        int    `json:"additions"`
	Deletions        int    `json:"deletions"`
	Changes          int    `json:"changes"`
	PreviousFilename string `json:"previous_filename,omitempty"`
}

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string // full path, base path included
	Query  url.Values
	Route  Route
	Status int // the status answered (0 when the client went away first)
}

// Option configures a Server.
type Option func(*Server)

// WithBasePath serves the API under p (default "/api/v3/").
func WithBasePath(p string) Option {
	return func(s *Server) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		if !strings.HasSuffix(p, "/") {
			p += "/"
		}
		s.base = p
	}
}

// WithToken makes every request need "Authorization: Bearer <token>" (or
// "token <token>"); others get 401 "Bad credentials".
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithActor sets who the token acts as: the author of comments it creates.
// Default "github-actions[bot]", type "Bot".
func WithActor(login, typ string) Option {
	return func(s *Server) { s.actor = User{Login: login, ID: 41898282, Type: typ} }
}

// WithClock sets the clock for created_at, updated_at, since and
// x-ratelimit-reset (default time.Now).
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithLatency delays every answer by d (less when the client leaves
// first), as a slow server does.
func WithLatency(d time.Duration) Option { return func(s *Server) { s.latency = d } }

// WithRepeatedPage makes the list endpoints ignore the page asked for:
// every answer is page 1 with a Link header naming the next page, as a
// broken or hostile server might answer forever.
func WithRepeatedPage() Option { return func(s *Server) { s.repeat = true } }

// WithHook calls f before each request is handled, outside the fake's lock,
// so that a test can hold requests back to force an interleaving.
func WithHook(f func(r *http.Request, route Route)) Option { return func(s *Server) { s.hook = f } }

// Server is the fake. Its zero value is not usable: call New.
type Server struct {
	// URL is the API base URL with its trailing slash, for GITHUB_API_URL,
	// e.g. "http://127.0.0.1:34567/api/v3/".
	URL string

	srv   *httptest.Server
	base  string
	token string
	actor User
	now   func() time.Time
	hook  func(*http.Request, Route)
	done  chan struct{}
	// latency delays each answer; repeat serves page 1 for every page.
	latency time.Duration
	repeat  bool
	once    sync.Once

	mu       sync.Mutex
	nextID   int64
	files    map[string][]File
	comments map[string][]*Comment // per issue, ascending id
	faults   map[Route][]Fault
	requests []Request
	gen      int                // bumped by ResetRequests
	commits  map[string]*commit // by owner/repo@sha (repo.go)
	seq      int
}

// New starts a fake and closes it when the test ends.
func New(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s := Start(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake; the caller must Close it. Tests use New.
func Start(opts ...Option) *Server {
	s := &Server{
		base:     "/api/v3/",
		actor:    User{Login: "github-actions[bot]", ID: 41898282, Type: "Bot"},
		now:      time.Now,
		done:     make(chan struct{}),
		nextID:   1000,
		files:    map[string][]File{},
		comments: map[string][]*Comment{},
		faults:   map[Route][]Fault{},
		commits:  map[string]*commit{},
	}
	for _, o := range opts {
		o(s)
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + s.base
	return s
}

// Close stops the server; stalled requests are released first.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.done)
		s.srv.Close()
	})
}

// Client returns an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

func issueKey(owner, repo string, number int) string {
	return fmt.Sprintf("%s/%s#%d", strings.ToLower(owner), strings.ToLower(repo), number)
}

// SetFiles replaces the changed files of a pull request. More than MaxFiles
// may be stored; only the first MaxFiles are ever listed, as on GitHub.
func (s *Server) SetFiles(owner, repo string, pr int, files []File) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files[issueKey(owner, repo, pr)] = slices.Clone(files)
}

// AddComment stores a comment as if someone had posted it; ID, URLs and
// missing times are filled in. A zero User is the server's actor.
func (s *Server) AddComment(owner, repo string, pr int, c Comment) Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.User.Login == "" {
		c.User = s.actor
	}
	return *s.addLocked(owner, repo, pr, c)
}

func (s *Server) addLocked(owner, repo string, pr int, c Comment) *Comment {
	s.nextID++
	c.ID = s.nextID
	now := s.now().UTC().Truncate(time.Second)
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	c.NodeID = fmt.Sprintf("IC_fake%d", c.ID)
	c.URL = fmt.Sprintf("%srepos/%s/%s/issues/comments/%d", s.URL, owner, repo, c.ID)
	c.IssueURL = fmt.Sprintf("%srepos/%s/%s/issues/%d", s.URL, owner, repo, pr)
	c.HTMLURL = fmt.Sprintf("https://github.com/%s/%s/pull/%d#issuecomment-%d", owner, repo, pr, c.ID)
	k := issueKey(owner, repo, pr)
	p := &c
	s.comments[k] = append(s.comments[k], p)
	return p
}

// Comments returns copies of an issue's comments, ascending by id.
func (s *Server) Comments(owner, repo string, pr int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments[issueKey(owner, repo, pr)] {
		out = append(out, *c)
	}
	return out
}

// Inject queues a fault on a route. Faults on one route apply in the order
// they were injected.
func (s *Server) Inject(route Route, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[route] = append(s.faults[route], f)
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = map[Route][]Fault{}
}

// Requests returns every request received so far, in arrival order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many requests a route has received (faulted ones too).
func (s *Server) Count(route Route) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Route == route {
			n++
		}
	}
	return n
}

// Total returns how many requests the server has received.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.gen++
}

// route parses a path below the base path.
type match struct {
	route       Route
	owner, repo string
	number      int   // pull request / issue number
	id          int64 // comment id
	path        string
}

func parseRoute(method, rest string) match {
	seg := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	m := match{route: RouteUnknown}
	if len(seg) == 1 && seg[0] == "user" && method == http.MethodGet {
		m.route = RouteUser
		return m
	}
	if len(seg) >= 4 && seg[0] == "repos" && seg[1] != "" && seg[2] != "" && method == http.MethodGet {
		switch {
		case seg[3] == "contents":
			return match{route: RouteContents, owner: seg[1], repo: seg[2], path: strings.Join(seg[4:], "/")}
		case len(seg) == 4 && seg[3] == "commits":
			return match{route: RouteCommits, owner: seg[1], repo: seg[2]}
		case len(seg) == 5 && seg[3] == "compare":
			return match{route: RouteCompare, owner: seg[1], repo: seg[2], path: seg[4]}
		}
	}
	if len(seg) < 5 || seg[0] != "repos" || seg[1] == "" || seg[2] == "" {
		return m
	}
	m.owner, m.repo = seg[1], seg[2]
	switch {
	case len(seg) == 6 && seg[3] == "pulls" && seg[5] == "files" && method == http.MethodGet:
		m.route = RouteListFiles
	case len(seg) == 6 && seg[3] == "issues" && seg[5] == "comments" && method == http.MethodGet:
		m.route = RouteListComments
	case len(seg) == 6 && seg[3] == "issues" && seg[5] == "comments" && method == http.MethodPost:
		m.route = RouteCreateComment
	case len(seg) == 6 && seg[3] == "issues" && seg[4] == "comments" && method == http.MethodPatch:
		m.route = RouteEditComment
	case len(seg) == 6 && seg[3] == "issues" && seg[4] == "comments" && method == http.MethodDelete:
		m.route = RouteDeleteComment
	default:
		return m
	}
	if m.route == RouteEditComment || m.route == RouteDeleteComment {
		id, err := strconv.ParseInt(seg[5], 10, 64)
		if err != nil || id <= 0 {
			return match{route: RouteUnknown}
		}
		m.id = id
		return m
	}
	n, err := strconv.Atoi(seg[4])
	if err != nil || n <= 0 {
		return match{route: RouteUnknown}
	}
	m.number = n
	return m
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	m := match{route: RouteUnknown}
	if rest, ok := strings.CutPrefix(r.URL.Path, s.base); ok {
		m = parseRoute(r.Method, rest)
	}
	if s.hook != nil {
		s.hook(r, m.route)
	}
	sw := &statusWriter{ResponseWriter: w}
	s.mu.Lock()
	idx, gen := len(s.requests), s.gen
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Route: m.route})
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		if s.gen == gen {
			s.requests[idx].Status = sw.status
		}
		s.mu.Unlock()
	}()
	s.handle(sw, r, m)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, m match) {
	s.rateHeaders(w, 4999, 0)
	w.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	if s.token != "" {
		auth := r.Header.Get("Authorization")
		if auth != "Bearer "+s.token && auth != "token "+s.token {
			writeJSON(w, http.StatusUnauthorized, apiError{Message: "Bad credentials", DocumentationURL: "https://docs.github.com/rest", Status: "401"})
			return
		}
	}
	if m.route == RouteUnknown {
		notFound(w)
		return
	}
	if s.latency > 0 && !s.wait(r, s.latency) {
		return
	}
	f, ok := s.takeFault(m.route)
	if ok && f.Kind != StallAfterCommit {
		s.writeFault(w, r, f)
		return
	}
	var stall *Fault
	if ok {
		stall = &f
	}
	if stall != nil && r.Method == http.MethodGet && !s.stall(r, *stall) {
		return // a read has nothing to commit: stall first
	}
	switch m.route {
	case RouteUser:
		s.user(w)
	case RouteListFiles:
		s.listFiles(w, r, m)
	case RouteListComments:
		s.listComments(w, r, m)
	case RouteCreateComment:
		s.createComment(w, r, m, stall)
	case RouteEditComment:
		s.editComment(w, r, m, stall)
	case RouteDeleteComment:
		s.deleteComment(w, r, m, stall)
	case RouteCompare:
		s.compare(w, m)
	case RouteContents:
		s.contents(w, r, m)
	case RouteCommits:
		s.listCommits(w, r, m)
	}
}

func (s *Server) takeFault(route Route) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	if f.Times > 0 {
		q[0].Times--
		if q[0].Times == 0 {
			s.faults[route] = q[1:]
		}
	}
	return f, true
}

func (s *Server) rateHeaders(w http.ResponseWriter, remaining int, resetIn time.Duration) {
	if resetIn <= 0 {
		resetIn = time.Hour
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5000")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Used", strconv.Itoa(5000-remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(s.now().Add(resetIn).Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
}

type apiError struct {
	Message          string       `json:"message"`
	Errors           []fieldError `json:"errors,omitempty"`
	DocumentationURL string       `json:"documentation_url,omitempty"`
	Status           string       `json:"status,omitempty"`
}

type fieldError struct {
	Resource string `json:"resource"`
	Code     string `json:"code"`
	Field    string `json:"field"`
	Message  string `json:"message,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(w).Encode(v)
	}
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, apiError{Message: "Not Found", DocumentationURL: "https://docs.github.com/rest", Status: "404"})
}

const secondaryMessage = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:FAKE."

func (s *Server) writeFault(w http.ResponseWriter, r *http.Request, f Fault) {
	retryAfter := f.RetryAfter
	if retryAfter <= 0 {
		retryAfter = time.Second
	}
	switch f.Kind {
	case BadGateway:
		writeJSON(w, http.StatusBadGateway, apiError{Message: "Server Error"})
	case PrimaryRateLimit:
		resetIn := f.ResetIn
		if resetIn <= 0 {
			resetIn = time.Minute
		}
		s.rateHeaders(w, 0, resetIn)
		writeJSON(w, http.StatusForbidden, apiError{
			Message:          "API rate limit exceeded for installation ID 1.",
			DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
			Status:           "403",
		})
	case SecondaryRateLimit, TooManyRequests:
		status := http.StatusForbidden
		if f.Kind == TooManyRequests {
			status = http.StatusTooManyRequests
		}
		w.Header().Set("Retry-After", strconv.Itoa(int((retryAfter+time.Second-1)/time.Second)))
		writeJSON(w, status, apiError{
			Message:          secondaryMessage,
			DocumentationURL: "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			Status:           strconv.Itoa(status),
		})
	case Redirect:
		status := f.Status
		if status == 0 {
			status = http.StatusTemporaryRedirect
		}
		loc := f.Location + strings.TrimPrefix(r.URL.Path, s.base)
		if r.URL.RawQuery != "" {
			loc += "?" + r.URL.RawQuery
		}
		w.Header().Set("Location", loc)
		writeJSON(w, status, apiError{Message: "Moved", Status: strconv.Itoa(status)})
	case HugeBody:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, `[{"id":1,"user":{"login":"github-actions[bot]","type":"Bot"},"body":"`)
		chunk := []byte(strings.Repeat("a", 64<<10))
		for left := f.Size; left > 0; left -= int64(len(chunk)) {
			if _, err := w.Write(chunk[:min(left, int64(len(chunk)))]); err != nil {
				return // the client gave up
			}
		}
		_, _ = io.WriteString(w, `"}]`)
	case Forbidden:
		writeJSON(w, http.StatusForbidden, apiError{
			Message:          "Resource not accessible by integration",
			DocumentationURL: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
			Status:           "403",
		})
	default:
		writeJSON(w, http.StatusInternalServerError, apiError{Message: fmt.Sprintf("githubfake: unknown fault %d", f.Kind)})
	}
}

// stall waits out a StallAfterCommit fault: it reports whether the answer
// is still due (false when the client left or the server closed).
func (s *Server) stall(r *http.Request, f Fault) bool {
	d := f.Stall
	if d <= 0 {
		d = 10 * time.Second
	}
	return s.wait(r, d)
}

// wait waits d, or less when the client leaves or the server closes; it
// reports whether the answer is still due.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-s.done:
		return false
	case <-t.C:
		return true
	}
}

// stallOrWrite answers v, unless a StallAfterCommit fault holds the answer
// back until the client leaves.
func (s *Server) stallOrWrite(w http.ResponseWriter, r *http.Request, stall *Fault, status int, v any) {
	if stall != nil && !s.stall(r, *stall) {
		return
	}
	writeJSON(w, status, v)
}

// page reads per_page (default 30, at most 100) and page (default 1).
func page(q url.Values) (perPage, page int) {
	perPage, page = 30, 1
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		perPage = min(v, 100)
	}
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	return perPage, page
}

// link writes GitHub's Link header for a list of total items. With
// WithRepeatedPage it always names a next page.
func (s *Server) link(w http.ResponseWriter, r *http.Request, total, perPage, cur int) {
	last := (total + perPage - 1) / perPage
	if s.repeat {
		last = cur + 1
	}
	if last <= 1 {
		return
	}
	mk := func(p int, rel string) string {
		q := r.URL.Query()
		q.Set("per_page", strconv.Itoa(perPage))
		q.Set("page", strconv.Itoa(p))
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.srv.URL, r.URL.Path, q.Encode(), rel)
	}
	var parts []string
	if cur > 1 {
		parts = append(parts, mk(min(cur-1, last), "prev"))
	}
	if cur < last {
		parts = append(parts, mk(cur+1, "next"), mk(last, "last"))
	}
	if cur > 1 {
		parts = append(parts, mk(1, "first"))
	}
	w.Header().Set("Link", strings.Join(parts, ", "))
}

func window[T any](items []T, perPage, pg int) []T {
	lo := (pg - 1) * perPage
	if lo >= len(items) {
		return []T{}
	}
	return items[lo:min(lo+perPage, len(items))]
}

// listPage reads the page asked for; WithRepeatedPage serves page 1 for
// every one (the Link header still names the one after the page asked).
func (s *Server) listPage(q url.Values) (perPage, asked, served int) {
	perPage, asked = page(q)
	if s.repeat {
		return perPage, asked, 1
	}
	return perPage, asked, asked
}

// user answers GET /user for the actor.
func (s *Server) user(w http.ResponseWriter) {
	if s.actor.Type == "Bot" {
		writeJSON(w, http.StatusForbidden, apiError{
			Message:          "Resource not accessible by integration",
			DocumentationURL: "https://docs.github.com/rest/users/users#get-the-authenticated-user",
			Status:           "403",
		})
		return
	}
	writeJSON(w, http.StatusOK, s.actor)
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request, m match) {
	perPage, pg, served := s.listPage(r.URL.Query())
	s.mu.Lock()
	files := s.files[issueKey(m.owner, m.repo, m.number)]
	files = files[:min(len(files), MaxFiles)]
	out := slices.Clone(window(files, perPage, served))
	s.mu.Unlock()
	s.link(w, r, len(files), perPage, pg)
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, m match) {
	q := r.URL.Query()
	perPage, pg, served := s.listPage(q)
	var since time.Time
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, apiError{
				Message: "Invalid request.\n\n" + strconv.Quote(v) + " is not a valid date-time.",
				Status:  "422",
			})
			return
		}
		since = t
	}
	s.mu.Lock()
	var all []Comment
	for _, c := range s.comments[issueKey(m.owner, m.repo, m.number)] {
		if since.IsZero() || !c.UpdatedAt.Before(since.Truncate(time.Second)) {
			all = append(all, *c)
		}
	}
	s.mu.Unlock()
	s.link(w, r, len(all), perPage, pg)
	writeJSON(w, http.StatusOK, window(all, perPage, served))
}

// readBody decodes {"body": "..."} and checks it as GitHub does. It writes
// the error answer and returns false when the body is not acceptable.
func readBody(w http.ResponseWriter, r *http.Request, doc string) (string, bool) {
	var in struct {
		Body *string `json:"body"`
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return "", false
	}
	if err := json.Unmarshal(data, &in); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError{Message: "Problems parsing JSON", DocumentationURL: doc, Status: "400"})
		return "", false
	}
	if in.Body == nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{
			Message:          "Invalid request.\n\n\"body\" wasn't supplied.",
			DocumentationURL: doc, Status: "422",
		})
		return "", false
	}
	if n := utf8.RuneCountInString(*in.Body); n > MaxBodyChars {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{
			Message: "Validation Failed",
			Errors: []fieldError{{
				Resource: "IssueComment", Code: "custom", Field: "body",
				Message: fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyChars),
			}},
			DocumentationURL: doc, Status: "422",
		})
		return "", false
	}
	return *in.Body, true
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request, m match, stall *Fault) {
	body, ok := readBody(w, r, "https://docs.github.com/rest/issues/comments#create-an-issue-comment")
	if !ok {
		return
	}
	s.mu.Lock()
	c := *s.addLocked(m.owner, m.repo, m.number, Comment{Body: body, User: s.actor})
	s.mu.Unlock()
	w.Header().Set("Location", c.URL)
	s.stallOrWrite(w, r, stall, http.StatusCreated, c)
}

// findLocked returns the comment with id in owner/repo, or nil.
func (s *Server) findLocked(owner, repo string, id int64) (key string, i int) {
	prefix := issueKey(owner, repo, 0)
	prefix = prefix[:len(prefix)-1] // "owner/repo#"
	for k, list := range s.comments {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		for i, c := range list {
			if c.ID == id {
				return k, i
			}
		}
	}
	return "", -1
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request, m match, stall *Fault) {
	body, ok := readBody(w, r, "https://docs.github.com/rest/issues/comments#update-an-issue-comment")
	if !ok {
		return
	}
	s.mu.Lock()
	k, i := s.findLocked(m.owner, m.repo, m.id)
	if i < 0 {
		s.mu.Unlock()
		notFound(w)
		return
	}
	c := s.comments[k][i]
	c.Body = body
	c.UpdatedAt = s.now().UTC().Truncate(time.Second)
	out := *c
	s.mu.Unlock()
	s.stallOrWrite(w, r, stall, http.StatusOK, out)
}

func (s *Server) deleteComment(w http.ResponseWriter, r *http.Request, m match, stall *Fault) {
	s.mu.Lock()
	k, i := s.findLocked(m.owner, m.repo, m.id)
	if i < 0 {
		s.mu.Unlock()
		notFound(w)
		return
	}
	s.comments[k] = slices.Delete(s.comments[k], i, i+1)
	s.mu.Unlock()
	if stall != nil {
		s.stallOrWrite(w, r, stall, http.StatusNoContent, nil)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// GenerateFiles returns n modified files named dir/file-0001.txt and so on,
// for seeding SetFiles.
func GenerateFiles(dir string, n int) []File {
	files := make([]File, n)
	for i := range files {
		files[i] = File{
			SHA:      fmt.Sprintf("%040x", i+1),
			Filename: fmt.Sprintf("%s/file-%04d.txt", strings.TrimSuffix(dir, "/"), i+1),
			Status:   "modified", Additions: 1, Deletions: 1, Changes: 2,
		}
	}
	return files
}
