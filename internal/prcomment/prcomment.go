// Package prcomment reads a pull request's changed files and keeps its one
// sticky ExperimentOS comment, through the GitHub REST API (go-github v62,
// which stays behind this package).
//
// The sticky comment is recognised by its first line, a marker made by
// Marker, and by its author being the token's own account (GET /user, or
// github-actions[bot] for the default Actions token, which may not read
// /user): a person's or another bot's comment that quotes the marker is
// never edited or deleted. Upsert edits the oldest such comment, or
// creates one when there is none, and then makes sure that concurrent runs
// end with exactly one.
//
// Transient failures are retried (see RetryPolicy): 5xx, timeouts and
// broken connections for idempotent requests, primary and secondary rate
// limits for every request, a failed create only after listing again so
// that a retry cannot duplicate it. A 403 that is not a rate limit is not
// retried; IsPermission reports it.
//
// The API is not trusted further than it must be (docs/security.md#github-api):
// the token is sent only to the API base's scheme, host and port, and a
// redirect anywhere else is refused, not followed; each response body is
// capped at MaxResponseBytes; each operation has a real deadline
// (RetryPolicy.Total); a listing ends at a page that holds nothing new.
// The token never appears in an error.
package prcomment

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
)

// MaxFiles is how many files GitHub lists for one pull request at most.
const MaxFiles = 3000

// perPage is GitHub's largest page.
const perPage = 100

// maxPages stops a listing that would never end (a server whose Link
// header always names a next page).
const maxPages = 1000

// DefaultTokenLogin is the account of the default Actions token
// (GITHUB_TOKEN), an installation token that GET /user refuses.
const DefaultTokenLogin = "github-actions[bot]"

// Client reads and writes one repository's pull requests.
type Client struct {
	gh          *github.Client
	owner, repo string
	waiter

	loginMu sync.Mutex
	login   string // the token's account, once known
}

// Option configures a Client.
type Option func(*Client)

// WithRetryPolicy replaces the retry policy; zero fields keep their
// defaults.
func WithRetryPolicy(p RetryPolicy) Option { return func(c *Client) { c.policy = p } }

// WithClock sets the clock used for deadlines and rate-limit resets
// (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithSleep sets how the client waits between attempts (default: a timer
// that stops early when ctx is done). Tests pass one that records the
// waits and advances a fake clock.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) { c.sleep = sleep }
}

// New returns a client for owner/repo at apiURL (GITHUB_API_URL, e.g.
// "https://api.github.com" or "https://ghes.example.com/api/v3"; a
// trailing slash is added) acting with token. httpClient may be nil; its
// Transport is used for each attempt, and its Timeout, if set, bounds one
// attempt rather than the whole retried call.
//
// The token goes only to requests for the API base's scheme, host and
// port; httpClient's CheckRedirect is replaced by one that follows a
// redirect only within them.
func New(httpClient *http.Client, apiURL, token, owner, repo string, opts ...Option) (*Client, error) {
	if token == "" {
		return nil, errors.New("prcomment: empty token")
	}
	if owner == "" || repo == "" {
		return nil, fmt.Errorf("prcomment: owner %q and repo %q must not be empty", owner, repo)
	}
	base, err := ParseAPIURL(apiURL)
	if err != nil {
		return nil, err
	}
	c := &Client{owner: owner, repo: repo, waiter: waiter{now: time.Now, sleep: sleepCtx}}
	for _, o := range opts {
		o(c)
	}
	if httpClient == nil {
		httpClient = &http.Client{}
	}
	hc := *httpClient
	if hc.Timeout > 0 && c.policy.RequestTimeout <= 0 {
		c.policy.RequestTimeout = hc.Timeout
	}
	hc.Timeout = 0
	c.policy = c.policy.withDefaults()
	base0 := hc.Transport
	if base0 == nil {
		base0 = http.DefaultTransport
	}
	origin := originOf(base)
	hc.Transport = &authTransport{
		origin: origin, header: "Bearer " + token,
		next: &transport{base: base0, waiter: c.waiter},
	}
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if o := originOf(req.URL); o != origin {
			return &RedirectError{From: via[len(via)-1].URL.Redacted(), To: req.URL.Redacted()}
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	// Not WithAuthToken: it sets the token on every request the transport
	// sees, a redirect to another host included.
	c.gh = github.NewClient(&hc)
	c.gh.BaseURL = base
	c.gh.UserAgent = "experimentos"
	return c, nil
}

// ParseAPIURL checks an API base URL (GITHUB_API_URL): absolute, http or
// https, with a host, and no user, query or fragment. The trailing slash
// go-github needs is added.
func ParseAPIURL(apiURL string) (*url.URL, error) {
	base, err := url.Parse(apiURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Hostname() == "" ||
		base.Opaque != "" || base.User != nil || base.RawQuery != "" || base.Fragment != "" {
		shown := apiURL
		if err == nil && base.User != nil {
			shown = base.Redacted() // never print a password
		}
		return nil, fmt.Errorf("prcomment: API URL %q is not an absolute http(s) URL with a host and no user, query or fragment, such as https://api.github.com", shown)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	return base, nil
}

// originOf is scheme://host:port, lower-cased, with the default port made
// explicit: what must match for the token to be sent.
func originOf(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// RedirectError is a redirect away from the API's scheme, host and port,
// refused: neither the token nor the request's body goes there, and the
// answer is not read.
type RedirectError struct {
	From, To string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s redirected to another host or port; the redirect is not followed and the answer not used", e.From)
}

// authTransport adds the token to requests for the API's origin only.
type authTransport struct {
	origin, header string
	next           http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if originOf(req.URL) != t.origin {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", t.header)
	return t.next.RoundTrip(r)
}

// begin starts an operation: a real context deadline policy.Total from
// now (never later than one already set), and the same deadline by the
// client's clock for the retry waits.
func (c *Client) begin(ctx context.Context) (context.Context, context.CancelFunc) {
	dl := c.now().Add(c.policy.Total)
	if prev, ok := ctx.Value(deadlineKey{}).(time.Time); ok && prev.Before(dl) {
		dl = prev
	}
	ctx, cancel := context.WithTimeout(ctx, c.policy.Total)
	return withDeadline(ctx, dl), cancel
}

// explain names the operation's deadline in an error it caused.
func (c *Client) explain(ctx context.Context, err error) error {
	var de *deadlineError
	if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil && !errors.As(err, &de) {
		return &deadlineError{err: err, d: c.policy.Total}
	}
	return err
}

type deadlineError struct {
	err error
	d   time.Duration
}

func (e *deadlineError) Error() string {
	return fmt.Sprintf("%v (the operation's %s deadline passed)", e.err, e.d)
}

func (e *deadlineError) Unwrap() error { return e.err }

// identity returns the token's account, asking GitHub once: GET /user, or
// DefaultTokenLogin when GitHub refuses that as "not accessible by
// integration", as it does for the default Actions token.
func (c *Client) identity(ctx context.Context) (string, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if c.login != "" {
		return c.login, nil
	}
	ctx, cancel := c.begin(ctx)
	defer cancel()
	u, _, err := c.gh.Users.Get(ctx, "")
	var er *github.ErrorResponse
	switch {
	case err == nil && u.GetLogin() != "":
		c.login = u.GetLogin()
	case err == nil:
		return "", errors.New("prcomment: GET /user named no login")
	case errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(strings.ToLower(er.Message), "not accessible by integration"):
		c.login = DefaultTokenLogin
	default:
		return "", c.explain(ctx, fmt.Errorf("prcomment: find the token's account (GET /user): %w", err))
	}
	return c.login, nil
}

// File is one file a pull request changes.
type File struct {
	Path         string
	PreviousPath string // the old path of a renamed file, else ""
	Status       string // added, removed, modified, renamed, copied, changed, unchanged
}

// ChangedFiles lists every file pull request pr changes, reading all pages.
// complete is false when GitHub's cap of MaxFiles may have cut the list:
// the caller should then treat every experiment as changed.
//
// A page that lists only files already seen ends the listing, as does the
// deadline (RetryPolicy.Total), which is an error.
func (c *Client) ChangedFiles(ctx context.Context, pr int) (files []File, complete bool, err error) {
	ctx, cancel := c.begin(ctx)
	defer cancel()
	opt := &github.ListOptions{PerPage: perPage}
	_, err = listPages(maxPages, func(n int) ([]*github.CommitFile, *github.Response, error) {
		opt.Page = n
		page, resp, err := c.gh.PullRequests.ListFiles(ctx, c.owner, c.repo, pr, opt)
		if err != nil {
			err = c.explain(ctx, fmt.Errorf("prcomment: list files of %s/%s#%d (page %d): %w", c.owner, c.repo, pr, n, err))
		}
		return page, resp, err
	}, func(f *github.CommitFile) File {
		return File{Path: f.GetFilename(), PreviousPath: f.GetPreviousFilename(), Status: f.GetStatus()}
	}, func(_ *github.CommitFile, file File) { files = append(files, file) })
	if err != nil {
		return nil, false, err
	}
	return files, len(files) < MaxFiles, nil
}

// listPages reads a listing from page 1, at most max pages: list reads
// page n, and each item whose key was not seen yet goes to add. A page
// that adds nothing new (a server repeating a page) or names no later
// next page ends it; cut reports that max pages were read and more were
// named.
func listPages[T any, K comparable](max int, list func(n int) ([]T, *github.Response, error), key func(T) K, add func(T, K)) (cut bool, err error) {
	seen := map[K]bool{}
	n := 1
	for range max {
		page, resp, err := list(n)
		if err != nil {
			return false, err
		}
		fresh := false
		for _, it := range page {
			if k := key(it); !seen[k] {
				seen[k], fresh = true, true
				add(it, k)
			}
		}
		if !fresh || resp.NextPage <= n {
			return false, nil
		}
		n = resp.NextPage
	}
	return true, nil
}

// Marker returns the first line of the sticky comment for key, an HTML
// comment invisible on GitHub: "<!-- experimentos:sticky:KEY -->". key is
// the action's `path` input, so that two uses of the action in one
// repository keep two comments. A key that is already a clean relative
// path of [a-z0-9._/-] is kept readable ("./experiments/" gives
// "experiments"); any other is reduced to those characters and suffixed
// with a hash of the original, so that distinct keys stay distinct.
func Marker(key string) string {
	return "<!-- experimentos:sticky:" + markerKey(key) + " -->"
}

var cleanKey = regexp.MustCompile(`^[a-z0-9._/-]{1,100}$`)

func markerKey(key string) string {
	k := strings.Trim(path.Clean("/"+strings.TrimSpace(key)), "/")
	if k == "" {
		k = "."
	}
	if cleanKey.MatchString(k) && !strings.Contains(k, "--") {
		return k
	}
	var b strings.Builder
	for _, r := range strings.ToLower(k) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.', r == '_', r == '/':
			b.WriteRune(r)
		default:
			if s := b.String(); !strings.HasSuffix(s, "-") {
				b.WriteByte('-')
			}
		}
	}
	prefix := strings.Trim(b.String(), "-")
	if len(prefix) > 60 {
		prefix = prefix[:60]
	}
	sum := sha256.Sum256([]byte(key))
	return strings.TrimLeft(prefix+"-", "-") + hex.EncodeToString(sum[:6])
}

// comment is the part of a GitHub comment that Upsert needs.
type comment struct {
	id      int64
	url     string
	body    string
	created time.Time
}

// ours reports whether c is a sticky comment with marker: its first line
// is the marker and the account login wrote it (logins are compared as
// GitHub does, ignoring case).
func ours(c *github.IssueComment, marker, login string) bool {
	if login == "" || !strings.EqualFold(c.GetUser().GetLogin(), login) {
		return false
	}
	first, _, _ := strings.Cut(c.GetBody(), "\n")
	return strings.TrimSuffix(first, "\r") == marker
}

// list returns our comments (ascending id, each once) among the comments of
// pr updated at or after since (zero: all), reading all pages. A page whose
// comments were all seen already ends the listing. It has its own deadline
// within the operation's.
func (c *Client) list(ctx context.Context, pr int, marker string, since time.Time) ([]comment, error) {
	login, err := c.identity(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := c.begin(ctx)
	defer cancel()
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	if !since.IsZero() {
		s := since.UTC()
		opt.Since = &s
	}
	var out []comment
	_, err = listPages(maxPages, func(n int) ([]*github.IssueComment, *github.Response, error) {
		opt.Page = n
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.repo, pr, opt)
		if err != nil {
			err = c.explain(ctx, fmt.Errorf("prcomment: list comments of %s/%s#%d (page %d): %w", c.owner, c.repo, pr, n, err))
		}
		return page, resp, err
	}, (*github.IssueComment).GetID, func(ic *github.IssueComment, _ int64) {
		if ours(ic, marker, login) {
			out = append(out, comment{id: ic.GetID(), url: ic.GetHTMLURL(), body: ic.GetBody(), created: ic.GetCreatedAt().Time})
		}
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b comment) int { return cmp.Compare(a.id, b.id) })
	return out, nil
}

func (c *Client) edit(ctx context.Context, id int64, body string) (comment, error) {
	ic, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.repo, id, &github.IssueComment{Body: &body})
	if err != nil {
		return comment{}, fmt.Errorf("prcomment: edit comment %d in %s/%s: %w", id, c.owner, c.repo, err)
	}
	return comment{id: ic.GetID(), url: ic.GetHTMLURL(), body: ic.GetBody(), created: ic.GetCreatedAt().Time}, nil
}

// remove deletes comment id; one already gone is fine.
func (c *Client) remove(ctx context.Context, id int64) error {
	_, err := c.gh.Issues.DeleteComment(ctx, c.owner, c.repo, id)
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil && er.Response.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("prcomment: delete duplicate comment %d in %s/%s: %w", id, c.owner, c.repo, err)
	}
	return nil
}

func check(pr int, marker, body string) error {
	if pr <= 0 {
		return fmt.Errorf("prcomment: pull request number %d is not positive", pr)
	}
	if marker == "" || strings.ContainsAny(marker, "\r\n") {
		return fmt.Errorf("prcomment: marker %q must be one non-empty line", marker)
	}
	if first, _, _ := strings.Cut(body, "\n"); strings.TrimSuffix(first, "\r") != marker {
		return fmt.Errorf("prcomment: body must start with the marker line %q", marker)
	}
	return nil
}

// keepOldest makes the oldest of all the only sticky comment: it edits it
// with body (always, or only when its body differs) and deletes the others.
// Always editing an equal body still moves updated_at, which tells when the
// memo was last checked.
func (c *Client) keepOldest(ctx context.Context, all []comment, body string, always bool) (comment, error) {
	keep := all[0]
	if always || keep.body != body {
		var err error
		if keep, err = c.edit(ctx, keep.id, body); err != nil {
			return comment{}, err
		}
	}
	for _, d := range all[1:] {
		if d.id == keep.id {
			continue // never delete the comment reported
		}
		if err := c.remove(ctx, d.id); err != nil {
			return keep, err
		}
	}
	return keep, nil
}

// Upsert makes body the one sticky comment on pull request pr: it edits
// the oldest of ours (a comment by the token's account whose first line is
// marker), or creates one when none exists. body must start with the
// marker line.
//
// Requests in the normal case: GET /user (once per Client), the pages of
// comments and one write; a create adds one list (usually one page) that
// removes duplicates left by a concurrent run, keeping the lowest id. A
// create that failed transiently is retried only after listing again, so
// it cannot leave two.
func (c *Client) Upsert(ctx context.Context, pr int, marker, body string) (url string, created bool, err error) {
	if err := check(pr, marker, body); err != nil {
		return "", false, err
	}
	ctx, cancel := c.begin(ctx)
	defer cancel()
	defer func() { err = c.explain(ctx, err) }()
	found, err := c.list(ctx, pr, marker, time.Time{})
	if err != nil {
		return "", false, err
	}
	if len(found) > 0 {
		keep, err := c.keepOldest(ctx, found, body, true)
		return keep.url, false, err
	}

	mine, err := c.create(ctx, pr, marker, body)
	if err != nil {
		return "", false, err
	}
	// A concurrent run may have created one too. Both list again after
	// creating; the lower id is kept by both, and only comments created
	// since this operation began can be such twins.
	since := mine.created.Add(-(c.policy.Total + time.Minute))
	all, err := c.list(ctx, pr, marker, since)
	if err != nil {
		return mine.url, true, err
	}
	if !slices.ContainsFunc(all, func(x comment) bool { return x.id == mine.id }) {
		all = append(all, mine) // not listed yet: still ours to weigh
		slices.SortFunc(all, func(a, b comment) int { return cmp.Compare(a.id, b.id) })
	}
	keep, err := c.keepOldest(ctx, all, body, false)
	if err != nil {
		return keep.url, true, err
	}
	return keep.url, keep.id == mine.id, nil
}

// create posts body, retrying a transient failure only after listing the
// comments again: a create that timed out may have been performed.
func (c *Client) create(ctx context.Context, pr int, marker, body string) (comment, error) {
	for n := 0; ; n++ {
		ic, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.repo, pr, &github.IssueComment{Body: &body})
		if err == nil {
			return comment{id: ic.GetID(), url: ic.GetHTMLURL(), body: ic.GetBody(), created: ic.GetCreatedAt().Time}, nil
		}
		err = fmt.Errorf("prcomment: create comment on %s/%s#%d: %w", c.owner, c.repo, pr, err)
		if ctx.Err() != nil || !uncertain(err) || n >= c.policy.MaxRetries {
			return comment{}, err
		}
		if perr := c.pause(ctx, c.policy.backoff(n), false); perr != nil {
			return comment{}, fmt.Errorf("%w (%w)", err, perr)
		}
		found, lerr := c.list(ctx, pr, marker, time.Time{})
		if lerr != nil {
			return comment{}, fmt.Errorf("%w; then %w", err, lerr)
		}
		if len(found) > 0 {
			// The create went through after all (or a concurrent run's
			// did): make that one carry our body.
			return c.keepOldest(ctx, found, body, false)
		}
	}
}

// uncertain reports whether a failed write may or may not have been
// performed: a 5xx answer, or no answer at all (timeout, broken
// connection). A rate limit or another 4xx was certainly not performed.
func uncertain(err error) bool {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	var re *RedirectError
	if errors.As(err, &rl) || errors.As(err, &ab) || errors.As(err, &re) || errors.Is(err, ErrResponseTooLarge) {
		return false
	}
	var er *github.ErrorResponse
	if errors.As(err, &er) {
		return er.Response != nil && er.Response.StatusCode >= 500
	}
	return !errors.Is(err, context.Canceled)
}

// UpdateIfExists edits the sticky comment with body when one exists and
// creates nothing otherwise: for a push that changes no experiment, so
// that an existing comment is not left stale. body must start with the
// marker line.
func (c *Client) UpdateIfExists(ctx context.Context, pr int, marker, body string) (url string, found bool, err error) {
	if err := check(pr, marker, body); err != nil {
		return "", false, err
	}
	ctx, cancel := c.begin(ctx)
	defer cancel()
	defer func() { err = c.explain(ctx, err) }()
	all, err := c.list(ctx, pr, marker, time.Time{})
	if err != nil || len(all) == 0 {
		return "", false, err
	}
	keep, err := c.keepOldest(ctx, all, body, true)
	return keep.url, true, err
}

// IsPermission reports whether err is GitHub refusing a request for lack
// of permission (403 that is not a rate limit), as a fork's read-only
// token meets on a write. The action reports it as a warning.
func IsPermission(err error) bool {
	var rl *github.RateLimitError
	var ab *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &ab) {
		return false
	}
	var er *github.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil || er.Response.StatusCode != http.StatusForbidden {
		return false
	}
	return !strings.Contains(strings.ToLower(er.Message), "rate limit")
}
