// Package action is ExperimentOS's GitHub Action mode (docs/action.md): it
// reads the inputs and the event the runner hands a Docker action, analyzes the
// experiments a pull request changes (or all of them on other events),
// keeps one sticky Decision Memo comment on the pull request, and writes
// the job summary, one annotation per health issue, the step outputs and
// the memos for upload as an artifact.
//
// Inputs, outputs, the summary, annotations and masking go through
// github.com/sethvargo/go-githubactions with the injected environment and
// stdout; the REST API goes through prcomment. GitHub trouble (a refused
// write on a fork's read-only token, an outage) becomes a warning and never
// decides the exit status on its own: that follows the fail-on input.
package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sethvargo/go-githubactions"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// Exit statuses, as for the check command (docs/action.md#exit-status).
const (
	ExitOK    = 0 // nothing analyzed matched fail-on
	ExitFail  = 1 // something did
	ExitUsage = 2 // not in a runner, a bad input, or an I/O error
)

// Defaults of the inputs (action.yml repeats them).
const (
	DefaultPath    = "experiments"
	DefaultMemoDir = "experimentos-memos"
)

// Timing knobs (docs/action.md#timing), each a Go duration such as "5s":
// retryDelayEnv replaces the first retry backoff of 1s (and caps the later
// ones at 16 times it); requestTimeoutEnv replaces the 30s timeout of one
// attempt; deadlineEnv replaces the 2m deadline of one API operation
// (list the files, find the token's account, list the comments, update
// the comment). Tests use them to keep slow or retried runs fast.
const (
	retryDelayEnv     = "EXPERIMENTOS_RETRY_BASE_DELAY"
	requestTimeoutEnv = "EXPERIMENTOS_REQUEST_TIMEOUT"
	deadlineEnv       = "EXPERIMENTOS_OPERATION_DEADLINE"
)

// Publisher is what the action needs from the GitHub API.
type Publisher interface {
	ChangedFiles(ctx context.Context, pr int) ([]prcomment.File, bool, error)
	Upsert(ctx context.Context, pr int, marker, body string) (url string, created bool, err error)
	UpdateIfExists(ctx context.Context, pr int, marker, body string) (url string, found bool, err error)
}

var _ Publisher = (*prcomment.Client)(nil)

// Config wires the action to its process.
type Config struct {
	// Getenv reads the runner's environment (os.Getenv in main).
	Getenv func(string) string
	// Stdout receives workflow commands (annotations, masks) and the log;
	// Stderr receives errors that stop the run.
	Stdout, Stderr io.Writer
	// HTTPClient is used for the REST API; nil means a default client.
	HTTPClient *http.Client
	// NewPublisher, when set, replaces the prcomment client (tests).
	NewPublisher func(apiURL, token, owner, repo string) (Publisher, error)
	// Version is the tool's version, shown in memos.
	Version string
	// Dir is the working directory; empty means the process's. It must be
	// the workspace (GITHUB_WORKSPACE), as in the runner's container.
	Dir string
}

// Run runs the action and returns the exit status. It never panics on a
// missing runner file: what is missing is reported on Stderr with status 2.
func Run(ctx context.Context, cfg Config) (code int) {
	if cfg.Getenv == nil {
		cfg.Getenv = func(string) string { return "" }
	}
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	token := strings.TrimSpace(cfg.Getenv("INPUT_GITHUB-TOKEN"))
	stdout := &redactor{w: cfg.Stdout, secret: token}
	stderr := &redactor{w: cfg.Stderr, secret: token}

	env, err := readEnv(cfg.Getenv, cfg.Dir)
	if err != nil {
		fmt.Fprintln(stderr, "experimentos action:", err)
		return ExitUsage
	}
	if token != "" {
		// The runner reads this line and hides the token from the log;
		// it is the only place the token is ever written.
		githubactions.New(githubactions.WithWriter(cfg.Stdout)).AddMask(token)
	}
	gha := githubactions.New(githubactions.WithGetenv(cfg.Getenv), githubactions.WithWriter(stdout))
	defer func() {
		// go-githubactions panics when it cannot write a runner file; the
		// files were checked up front, so this is an I/O error mid-run.
		if p := recover(); p != nil {
			fmt.Fprintln(stderr, "experimentos action: writing a runner file failed:", redact(fmt.Sprint(p), token))
			code = ExitUsage
		}
	}()
	r := &runner{
		cfg: cfg, env: env, gha: gha, token: token,
		stdout: stdout, stderr: stderr,
	}
	return r.run(ctx)
}

// env is what Run reads from the runner's environment before any work.
type env struct {
	in         inputs
	eventName  string
	event      event
	owner      string
	repo       string
	workspace  string // absolute
	apiURL     string
	apiErr     error // GITHUB_API_URL is malformed: no API calls, an error annotation
	runURL     string
	sha        string
	retryDelay time.Duration
	reqTimeout time.Duration
	deadline   time.Duration
}

// inputs are the action's inputs, parsed.
type inputs struct {
	path        string // clean, relative to the workspace
	failOn      string
	comment     bool
	changedOnly bool
	compareBase bool   // docs/review.md: compare with the merge base
	memoDir     string // clean, relative to the workspace
}

func isPullRequest(name string) bool {
	return name == "pull_request" || name == "pull_request_target"
}

// readEnv checks that Run is inside a runner and reads everything it needs,
// naming every missing or bad piece at once.
func readEnv(getenv func(string) string, dir string) (*env, error) {
	var missing, bad []string
	fileVar := func(name string, mustExist bool) string {
		v := getenv(name)
		switch {
		case v == "":
			missing = append(missing, name)
		case mustExist:
			if fi, err := os.Stat(v); err != nil || fi.IsDir() {
				bad = append(bad, fmt.Sprintf("%s=%s is not a readable file", name, v))
			}
		default:
			// GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are appended to; the
			// runner creates them, but a missing one is fine to create.
			f, err := os.OpenFile(v, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
			if err != nil {
				bad = append(bad, fmt.Sprintf("%s=%s cannot be written: %v", name, v, errors.Unwrap(err)))
			} else {
				f.Close()
			}
		}
		return v
	}
	fileVar("GITHUB_OUTPUT", false)
	fileVar("GITHUB_STEP_SUMMARY", false)
	e := &env{eventName: getenv("GITHUB_EVENT_NAME")}
	if e.eventName == "" {
		missing = append(missing, "GITHUB_EVENT_NAME")
	}
	eventPath := fileVar("GITHUB_EVENT_PATH", true)

	pr := e.eventName == "" || isPullRequest(e.eventName)
	if pr && strings.TrimSpace(getenv("INPUT_GITHUB-TOKEN")) == "" {
		missing = append(missing, "INPUT_GITHUB-TOKEN (the github-token input)")
	}
	if repo := getenv("GITHUB_REPOSITORY"); repo != "" {
		o, n, ok := strings.Cut(repo, "/")
		if !ok || o == "" || n == "" || strings.Contains(n, "/") {
			bad = append(bad, fmt.Sprintf("GITHUB_REPOSITORY=%q is not owner/name", repo))
		}
		e.owner, e.repo = o, n
	} else if pr {
		missing = append(missing, "GITHUB_REPOSITORY")
	}

	// The workspace is the working directory of a Docker action.
	wd := dir
	if wd == "" {
		var err error
		if wd, err = os.Getwd(); err != nil {
			bad = append(bad, fmt.Sprintf("working directory: %v", err))
		}
	}
	e.workspace = wd
	if ws := getenv("GITHUB_WORKSPACE"); ws != "" && wd != "" && !sameDir(ws, wd) {
		bad = append(bad, fmt.Sprintf("the working directory %s is not GITHUB_WORKSPACE=%s", wd, ws))
	}

	in, inErrs := readInputs(getenv, wd)
	e.in = in
	bad = append(bad, inErrs...)

	if len(missing) > 0 || len(bad) > 0 {
		var msg []string
		if len(missing) > 0 {
			msg = append(msg, "not running in a GitHub Actions runner, or the runner did not set: "+strings.Join(missing, ", "))
		}
		msg = append(msg, bad...)
		return nil, errors.New(strings.Join(msg, "; "))
	}

	ev, err := readEvent(eventPath, e.eventName)
	if err != nil {
		return nil, err
	}
	e.event = ev

	e.apiURL = getenv("GITHUB_API_URL")
	if e.apiURL == "" {
		e.apiURL = "https://api.github.com"
	}
	if _, err := prcomment.ParseAPIURL(e.apiURL); err != nil {
		// Not fatal: the analysis, summary, outputs and gate need no API.
		e.apiErr = fmt.Errorf("GITHUB_API_URL=%s is not an absolute http(s) URL with a host (such as https://api.github.com), "+
			"so the pull request's files are not listed and its comment is not updated", shownURL(e.apiURL))
	}
	server, runID := strings.TrimSuffix(getenv("GITHUB_SERVER_URL"), "/"), getenv("GITHUB_RUN_ID")
	if server != "" && e.owner != "" && runID != "" && digits(runID) {
		e.runURL = server + "/" + e.owner + "/" + e.repo + "/actions/runs/" + runID
	}
	e.sha = getenv("GITHUB_SHA")
	if ev.headSHA != "" {
		e.sha = ev.headSHA
	}
	var knobErrs []string
	for _, k := range []struct {
		name string
		to   *time.Duration
	}{{retryDelayEnv, &e.retryDelay}, {requestTimeoutEnv, &e.reqTimeout}, {deadlineEnv, &e.deadline}} {
		v := getenv(k.name)
		if v == "" {
			continue
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			knobErrs = append(knobErrs, fmt.Sprintf("%s=%q is not a positive Go duration such as 30s or 2m", k.name, v))
			continue
		}
		*k.to = d
	}
	if len(knobErrs) > 0 {
		return nil, errors.New(strings.Join(knobErrs, "; "))
	}
	return e, nil
}

// shownURL quotes a URL for a message, without a password.
func shownURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		s = u.Redacted()
	}
	return strconv.Quote(s)
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func sameDir(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA != nil || errB != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	return os.SameFile(fa, fb)
}

// readInputs parses the inputs; an input the runner did not set takes its
// default (a Docker action gets every input declared in action.yml).
func readInputs(getenv func(string) string, workspace string) (inputs, []string) {
	gha := githubactions.New(githubactions.WithGetenv(getenv), githubactions.WithWriter(io.Discard))
	get := func(name, def string) string {
		if v := gha.GetInput(name); v != "" {
			return v
		}
		return def
	}
	var bad []string
	in := inputs{failOn: get("fail-on", decision.DefaultFailOn)}

	p, err := workspacePath("path", get("path", DefaultPath), workspace)
	if err != nil {
		bad = append(bad, err.Error())
	}
	in.path = p
	m, err := workspacePath("memo-dir", get("memo-dir", DefaultMemoDir), workspace)
	if err != nil {
		bad = append(bad, err.Error())
	} else if err := memoDirAllowed(m, p); err != nil {
		bad = append(bad, err.Error())
	}
	in.memoDir = m

	switch c := strings.ToLower(get("comment", "update")); c {
	case "update":
		in.comment = true
	case "off":
	default:
		bad = append(bad, fmt.Sprintf("input comment: %q is not update or off", c))
	}
	switch c := strings.ToLower(get("changed-only", "true")); c {
	case "true":
		in.changedOnly = true
	case "false":
	default:
		bad = append(bad, fmt.Sprintf("input changed-only: %q is not true or false", c))
	}
	switch c := strings.ToLower(get("compare-base", "true")); c {
	case "true":
		in.compareBase = true
	case "false":
	default:
		bad = append(bad, fmt.Sprintf("input compare-base: %q is not true or false", c))
	}
	return in, bad
}

// workspacePath cleans a path input that must stay inside the workspace:
// relative to the workspace (an absolute one is made so), no "..", no
// control characters (outputs repeat it).
func workspacePath(input, p, workspace string) (string, error) {
	if strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", fmt.Errorf("input %s: control characters are not allowed", input)
	}
	if filepath.IsAbs(p) && workspace != "" {
		if rel, err := filepath.Rel(workspace, p); err == nil {
			p = rel
		}
	}
	c := filepath.Clean(p)
	if !filepath.IsLocal(c) && c != "." {
		return "", fmt.Errorf("input %s: %q must be a path inside the workspace, relative to it", input, p)
	}
	return filepath.ToSlash(c), nil
}

// memoDirAllowed refuses a memo-dir whose old contents must not be
// removed (docs/action.md#memo-dir): the workspace itself, a folder in
// .git, or the experiments: the path input, a parent of it, or a folder
// inside it (when path is not the workspace). Both are clean and
// "/"-separated.
func memoDirAllowed(memoDir, expPath string) error {
	within := func(p, dir string) bool { return p == dir || dir == "." || strings.HasPrefix(p, dir+"/") }
	switch {
	case memoDir == ".":
		return errors.New("input memo-dir: the workspace itself cannot be memo-dir, whose old contents are removed; name a folder such as " + DefaultMemoDir)
	case slices.ContainsFunc(strings.Split(memoDir, "/"), func(c string) bool { return strings.EqualFold(c, ".git") }):
		return fmt.Errorf("input memo-dir: %q lies in .git", memoDir)
	case within(expPath, memoDir) || (expPath != "." && within(memoDir, expPath)):
		return fmt.Errorf("input memo-dir: %q overlaps the experiments (path %q), and memo-dir's old contents are removed", memoDir, expPath)
	}
	return nil
}

// redactor replaces a secret in everything written through it.
type redactor struct {
	w      io.Writer
	secret string
}

func (r *redactor) Write(p []byte) (int, error) {
	if r.secret == "" || !strings.Contains(string(p), r.secret) {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, redact(string(p), r.secret)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func redact(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "***")
}
