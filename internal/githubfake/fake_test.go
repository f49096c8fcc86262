package githubfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func do(t *testing.T, s *Server, method, path, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tok")
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func TestServer(t *testing.T) {
	t.Parallel()
	s := New(t, WithToken("tok"))
	s.SetFiles("o", "r", 1, GenerateFiles("x", 3005))
	for range 3 {
		s.AddComment("o", "r", 1, Comment{Body: "hi"})
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		link                     string // substring expected in Link
		want                     string // substring expected in the body
	}{
		{"files page 1", "GET", "repos/o/r/pulls/1/files?per_page=100", "", 200, `page=2&per_page=100>; rel="next"`, `"filename":"x/file-0001.txt"`},
		{"files capped at 3000", "GET", "repos/o/r/pulls/1/files?per_page=500&page=30", "", 200, `rel="prev"`, `x/file-3000.txt`},
		{"files past the cap", "GET", "repos/o/r/pulls/1/files?per_page=100&page=31", "", 200, "", `[]`},
		{"comments last link", "GET", "repos/o/r/issues/1/comments?per_page=1", "", 200, `page=3&per_page=1>; rel="last"`, `"type":"Bot"`},
		{"create", "POST", "repos/o/r/issues/1/comments", `{"body":"new"}`, 201, "", `"body":"new"`},
		{"too long", "POST", "repos/o/r/issues/1/comments", `{"body":"` + strings.Repeat("é", MaxBodyChars+1) + `"}`, 422, "", "body is too long (maximum is 65536 characters)"},
		{"edit missing", "PATCH", "repos/o/r/issues/comments/1", `{"body":"x"}`, 404, "", "Not Found"},
		{"outside base path", "GET", "../../repos/o/r/issues/1/comments", "", 404, "", "Not Found"},
	}
	for _, tt := range tests {
		resp, body := do(t, s, tt.method, tt.path, tt.body)
		if got, want := resp.StatusCode, tt.status; got != want {
			t.Errorf("%s: status = %d, want %d (%s)", tt.name, got, want, body)
		}
		if !strings.Contains(resp.Header.Get("Link"), tt.link) {
			t.Errorf("%s: Link = %q, want it to contain %q", tt.name, resp.Header.Get("Link"), tt.link)
		}
		if !strings.Contains(body, tt.want) {
			t.Errorf("%s: body = %.200s, want it to contain %q", tt.name, body, tt.want)
		}
	}
	if got, want := len(s.Comments("o", "r", 1)), 4; got != want {
		t.Errorf("comments = %d, want %d", got, want)
	}
	if got, want := s.Count(RouteListFiles), 3; got != want {
		t.Errorf("Count(files) = %d, want %d", got, want)
	}
}

func TestAuthAndFaults(t *testing.T) {
	t.Parallel()
	s := New(t, WithToken("right"))
	req, _ := http.NewRequest("GET", s.URL+"repos/o/r/issues/1/comments", nil)
	req.Header.Set("Authorization", "Bearer wrong")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got, want := resp.StatusCode, 401; got != want {
		t.Errorf("wrong token: status = %d, want %d", got, want)
	}

	s = New(t, WithToken("tok"))
	s.Inject(RouteListComments, Fault{Kind: BadGateway, Times: 1})
	s.Inject(RouteListComments, Fault{Kind: SecondaryRateLimit, Times: 1})
	s.Inject(RouteListComments, Fault{Kind: PrimaryRateLimit, Times: 1})
	s.Inject(RouteCreateComment, Fault{Kind: Forbidden})
	wants := []struct {
		status int
		header string
		value  string
	}{{502, "", ""}, {403, "Retry-After", "1"}, {403, "X-RateLimit-Remaining", "0"}, {200, "X-RateLimit-Remaining", "4999"}}
	for i, w := range wants {
		resp, body := do(t, s, "GET", "repos/o/r/issues/1/comments", "")
		if resp.StatusCode != w.status || (w.header != "" && resp.Header.Get(w.header) != w.value) {
			t.Errorf("request %d: %d %s=%q, want %d %s=%q (%s)", i, resp.StatusCode, w.header, resp.Header.Get(w.header), w.status, w.header, w.value, body)
		}
	}
	for range 2 {
		resp, body := do(t, s, "POST", "repos/o/r/issues/1/comments", `{"body":"x"}`)
		var e struct{ Message string }
		_ = json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != 403 || e.Message != "Resource not accessible by integration" {
			t.Errorf("forbidden write: %d %q", resp.StatusCode, e.Message)
		}
	}
	if got := len(s.Comments("o", "r", 1)); got != 0 {
		t.Errorf("refused writes stored %d comments", got)
	}
}

func TestUserAndModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opts         []Option
		fault        *Fault
		route        Route
		path         string
		status       int
		header, want string // header (or "body") expected to contain want
	}{
		{"installation token: GET /user refused", nil, nil, "", "user", 403, "body", "Resource not accessible by integration"},
		{"user token: GET /user", []Option{WithActor("mona", "User")}, nil, "", "user", 200, "body", `"login":"mona"`},
		{"redirect keeps path and query", nil, &Fault{Kind: Redirect, Status: 301, Location: "http://elsewhere.invalid/v3/"}, RouteListComments,
			"repos/o/r/issues/1/comments?page=2", 301, "Location", "http://elsewhere.invalid/v3/repos/o/r/issues/1/comments?page=2"},
		{"huge body", nil, &Fault{Kind: HugeBody, Size: 3 << 20}, RouteListComments, "repos/o/r/issues/1/comments", 200, "body", strings.Repeat("a", 1000) + `"}]`},
		{"repeated page", []Option{WithRepeatedPage()}, nil, "", "repos/o/r/issues/1/comments?per_page=1&page=5", 200, "Link", `page=6&per_page=1>; rel="next"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, append([]Option{WithToken("tok")}, tt.opts...)...)
			for range 3 {
				s.AddComment("o", "r", 1, Comment{Body: "hi"})
			}
			if tt.fault != nil {
				s.Inject(tt.route, *tt.fault)
			}
			resp, body := do(t, s, "GET", tt.path, "")
			got := resp.Header.Get(tt.header)
			if tt.header == "body" {
				got = body
			}
			if resp.StatusCode != tt.status || !strings.Contains(got, tt.want) {
				t.Errorf("%d %s=%.200q, want %d containing %q", resp.StatusCode, tt.header, got, tt.status, tt.want)
			}
			if tt.fault != nil && tt.fault.Kind == HugeBody && int64(len(body)) < tt.fault.Size {
				t.Errorf("huge body is %d bytes, want more than %d", len(body), tt.fault.Size)
			}
		})
	}

	// The repeated page holds page 1's items whatever page is asked.
	s := New(t, WithToken("tok"), WithRepeatedPage())
	first := s.AddComment("o", "r", 1, Comment{Body: "first"})
	s.AddComment("o", "r", 1, Comment{Body: "second"})
	_, body := do(t, s, "GET", "repos/o/r/issues/1/comments?per_page=1&page=2", "")
	if !strings.Contains(body, `"body":"first"`) || !strings.Contains(body, fmt.Sprint(first.ID)) {
		t.Errorf("page 2 = %s, want page 1 again", body)
	}

	// Latency delays each answer.
	s = New(t, WithToken("tok"), WithLatency(50*time.Millisecond))
	start := time.Now()
	do(t, s, "GET", "repos/o/r/issues/1/comments", "")
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answer took %s, want at least the 50ms latency", d)
	}
}
