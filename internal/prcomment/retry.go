package prcomment

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy bounds how transient GitHub failures are retried. A zero
// field takes its default.
type RetryPolicy struct {
	// MaxRetries is how many times one request is retried after its first
	// attempt (default 4, so at most 5 attempts).
	MaxRetries int
	// BaseDelay is the first backoff (default 1s); the n-th retry waits
	// BaseDelay·2ⁿ, capped at MaxDelay, with "equal jitter": half of it
	// fixed, half random.
	BaseDelay time.Duration
	// MaxDelay caps one exponential backoff (default 16s).
	MaxDelay time.Duration
	// MaxWait caps a wait that GitHub asks for (Retry-After, or until
	// x-ratelimit-reset); a longer one is not waited for: the error is
	// returned at once (default 60s).
	MaxWait time.Duration
	// Total is the deadline of one operation (ChangedFiles, Upsert,
	// UpdateIfExists, and within them finding the token's account and
	// listing the comments) across all its requests and waits (default
	// 2m). It is a real context deadline: when it passes, the request in
	// flight is abandoned and the operation fails.
	Total time.Duration
	// RequestTimeout bounds one attempt, headers and body (default 30s).
	RequestTimeout time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if p.MaxRetries <= 0 {
		p.MaxRetries = 4
	}
	def(&p.BaseDelay, time.Second)
	def(&p.MaxDelay, 16*time.Second)
	def(&p.MaxWait, time.Minute)
	def(&p.Total, 2*time.Minute)
	def(&p.RequestTimeout, 30*time.Second)
	return p
}

// backoff is the wait before retry n (0-based).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for range n {
		d *= 2
		if d >= p.MaxDelay {
			d = p.MaxDelay
			break
		}
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// secondaryFloor is the wait GitHub asks for after a secondary rate limit
// that names no time: "wait for at least one minute before retrying".
const secondaryFloor = time.Minute

// resetBuffer is added to x-ratelimit-reset, which has whole seconds.
const resetBuffer = time.Second

// deadlineKey carries the deadline of the current operation, by the
// client's clock, so that every request of it shares one budget.
type deadlineKey struct{}

func withDeadline(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, deadlineKey{}, t)
}

// kind classifies one attempt's outcome.
type kind int

const (
	final       kind = iota // success or an error not worth retrying
	transient               // 5xx or no answer: the request may have been performed
	rateLimited             // GitHub refused the request before performing it
)

// classify inspects a response (its body is restored) and tells whether
// and how long to wait before trying again. wait is 0 when the backoff
// schedule applies.
func classify(resp *http.Response, now time.Time) (k kind, wait time.Duration) {
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return transient, 0
	case http.StatusTooManyRequests:
		return rateLimited, rateWait(resp, now)
	case http.StatusForbidden:
		if resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "" {
			return rateLimited, rateWait(resp, now)
		}
		if body := bytes.ToLower(peek(resp)); bytes.Contains(body, []byte("secondary rate limit")) ||
			bytes.Contains(body, []byte("abuse")) {
			return rateLimited, rateWait(resp, now)
		}
	}
	return final, 0
}

// rateWait follows GitHub's advice for a rate-limited request: Retry-After
// if present; else, with x-ratelimit-remaining 0, until x-ratelimit-reset;
// else at least a minute.
func rateWait(resp *http.Response, now time.Time) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if r, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(r, 0).Sub(now)+resetBuffer, 0)
		}
	}
	return secondaryFloor
}

// peek reads up to 64 KiB of the body and puts it back.
func peek(resp *http.Response) []byte {
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), resp.Body), resp.Body}
	return data
}

// transport retries what is safe to retry:
//
//   - any method, when GitHub refused it with a rate limit (403/429 with
//     Retry-After, x-ratelimit-remaining: 0 or the "secondary rate limit"
//     message): such a request was not performed;
//   - GET, PATCH and DELETE (idempotent) after a 5xx, a timeout or a broken
//     connection.
//
// A POST that failed transiently may have been performed: Upsert lists
// the comments before trying it again. Every attempt has its own timeout.
type transport struct {
	base http.RoundTripper
	waiter
}

// waiter waits between attempts within the policy and the deadline.
type waiter struct {
	policy RetryPolicy
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
}

func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPatch, http.MethodDelete, http.MethodPut:
		return true
	}
	return false
}

// errBudget reports that a wait would pass the operation's deadline.
var errBudget = errors.New("retry budget exhausted")

// pause sleeps d unless that passes the deadline or, for a wait GitHub
// asked for, MaxWait.
func (t waiter) pause(ctx context.Context, d time.Duration, asked bool) error {
	if asked && d > t.policy.MaxWait {
		return fmt.Errorf("%w: GitHub asks to wait %s, more than %s", errBudget, d, t.policy.MaxWait)
	}
	if dl, ok := ctx.Value(deadlineKey{}).(time.Time); ok && t.now().Add(d).After(dl) {
		return fmt.Errorf("%w: waiting %s would pass the %s deadline", errBudget, d, t.policy.Total)
	}
	return t.sleep(ctx, d)
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if _, ok := ctx.Value(deadlineKey{}).(time.Time); !ok {
		ctx = withDeadline(ctx, t.now().Add(t.policy.Total))
	}
	for n := 0; ; n++ {
		attempt := req
		if n > 0 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			attempt = req.Clone(req.Context())
			attempt.Body = body
		}
		resp, err := t.once(attempt)
		if req.Context().Err() != nil || errors.Is(err, ErrResponseTooLarge) {
			return resp, err // the caller gave up, or no retry can help
		}
		var k kind
		var wait time.Duration
		if err != nil {
			k = transient
		} else {
			k, wait = classify(resp, t.now())
		}
		replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
		if k == final || (k == transient && !idempotent(req.Method)) || n >= t.policy.MaxRetries || !replayable {
			return resp, err
		}
		asked := k == rateLimited
		if !asked || wait == 0 {
			wait = max(wait, t.policy.backoff(n))
		}
		if perr := t.pause(ctx, wait, asked); perr != nil {
			if err != nil {
				return nil, fmt.Errorf("%w (after: %w)", perr, err)
			}
			return resp, nil // let go-github report GitHub's own answer
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
	}
}

// MaxResponseBytes caps one response body (docs/limits.md#github-api): a
// page of 100 comments of GitHub's longest (65,536 characters of up to 4
// bytes) is 25 MiB. A longer body is an error, never parsed cut short.
const MaxResponseBytes = 32 << 20

// ErrResponseTooLarge is a response body longer than MaxResponseBytes.
var ErrResponseTooLarge = fmt.Errorf("the API's response is larger than %d MiB", MaxResponseBytes>>20)

// once makes one attempt under RequestTimeout. The timeout stays in force
// while the body is read and is released when it is closed. The body is
// capped at MaxResponseBytes.
func (t *transport) once(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.policy.RequestTimeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			return nil, fmt.Errorf("no answer within %s: %w", t.policy.RequestTimeout, err)
		}
		return nil, err
	}
	if resp.ContentLength > MaxResponseBytes {
		resp.Body.Close()
		cancel()
		return nil, fmt.Errorf("%w (Content-Length %d)", ErrResponseTooLarge, resp.ContentLength)
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel, left: MaxResponseBytes}
	return resp, nil
}

// cancelBody releases the attempt's timeout when closed and fails a read
// past its limit.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
	left   int64 // bytes still allowed
}

func (b *cancelBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1] // one byte more tells a body that is too long
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), ErrResponseTooLarge
	}
	return n, err
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// sleepCtx is the default sleeper.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
