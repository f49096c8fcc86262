package action

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/sethvargo/go-githubactions"

	"github.com/experimentos/experimentos/internal/check"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/load"
	"github.com/experimentos/experimentos/internal/memo"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// runner is one run of the action.
type runner struct {
	cfg            Config
	env            *env
	gha            *githubactions.Action
	token          string
	stdout, stderr io.Writer
	pub            Publisher
	pubErr         error    // why there is no pub, once tried
	notes          []string // lines for the summary's "Run" section
}

func (r *runner) run(ctx context.Context) int {
	in := r.env.in
	gate, err := decision.ParseFailOn(in.failOn)
	if err != nil {
		fmt.Fprintln(r.stderr, "experimentos action: input", err)
		return ExitUsage
	}

	rootDir, onlyID, err := load.Locate(in.path)
	if err != nil {
		fmt.Fprintln(r.stderr, "experimentos action: input path:", err)
		return ExitUsage
	}
	// Compared with the merge base, the experiments are evaluated again
	// (history.go): only then are their rows kept past the first pass.
	compare := r.env.event.pr > 0 && in.compareBase
	all, err := check.RunRoot(rootDir, onlyID, check.Options{Limits: load.DefaultLimits(), KeepData: compare})
	if err != nil {
		fmt.Fprintln(r.stderr, "experimentos action: input path:", err)
		return ExitUsage
	}
	root := filepath.ToSlash(filepath.Clean(rootDir))

	meta := memo.Meta{Version: r.cfg.Version, Commit: r.env.sha, RunURL: r.env.runURL}
	pr := r.env.event.pr
	results := all
	var sel selection
	scope := fmt.Sprintf("all %d experiment%s under `%s` (%s event)", len(all), plural(len(all)), path.Clean(in.path), r.env.eventName)
	if pr > 0 && in.changedOnly {
		sel = r.selectForPR(ctx, pr, all, root)
		if !sel.all {
			results = only(all, sel.ids)
			scope = fmt.Sprintf("%d of %d experiment%s under `%s`, those pull request #%d changes", len(results), len(all), plural(len(all)), path.Clean(in.path), pr)
		} else {
			scope = fmt.Sprintf("all %d experiment%s under `%s`: %s", len(all), plural(len(all)), path.Clean(in.path), sel.why)
		}
	} else if pr > 0 {
		scope = fmt.Sprintf("all %d experiment%s under `%s` (changed-only is false)", len(all), plural(len(all)), path.Clean(in.path))
	}
	if r.env.apiErr != nil {
		r.fail(r.env.apiErr.Error())
	}
	if compare && r.env.apiErr == nil {
		results = r.compareBase(ctx, results, root)
	} else if pr > 0 {
		r.notes = append(r.notes, "The comparison with the merge base is off (`compare-base: false`): no base decisions, history findings or looks.")
	}
	r.gha.Infof("ExperimentOS %s: analyzing %s", r.cfg.Version, scope)

	// Annotations: one per health issue, blocked first.
	r.annotate(results)

	// Memos and results.json for the artifact.
	resultsJSON, writeErr := r.writeMemos(results, meta)

	// The sticky comment.
	commentURL := ""
	nothing := len(results) == 0 && len(sel.removed) == 0
	if pr > 0 && in.comment {
		marker := prcomment.Marker(in.path)
		commentURL = r.comment(ctx, pr, marker, results, sel.removed, meta, nothing)
	} else if pr > 0 {
		r.notes = append(r.notes, "The pull request comment is off (`comment: off`).")
	}

	// The job summary.
	r.gha.AddStepSummary(redact(summary(results, sel.removed, meta, scope, nothing, r.notes), r.token))

	// Outputs carry no user text: an outcome word, a boolean, a path made
	// of the memo-dir input and a URL GitHub returned. decision and
	// blocked follow the gate: concluded experiments never count
	// (docs/action.md#outputs).
	s := decision.Summarize(results)
	gating := running(results)
	r.gha.SetOutput("decision", string(decision.Worst(gating)))
	r.gha.SetOutput("blocked", fmt.Sprint(decision.Summarize(gating).Blocked > 0))
	r.gha.SetOutput("results-json", resultsJSON)
	r.gha.SetOutput("comment-url", commentURL)

	if writeErr != nil {
		fmt.Fprintln(r.stderr, "experimentos action:", writeErr)
		return ExitUsage
	}
	code := ExitOK
	for _, res := range results {
		if gate.Fails(res) {
			code = ExitFail
		}
	}
	r.gha.Infof("ExperimentOS: %d rollback, %d hold (%d blocked), %d launch, %d not analyzed, %d of them concluded; fail-on %q: exit %d",
		s.Rollback, s.Hold, s.Blocked, s.Launch, s.NotAnalyzed, len(results)-len(gating), in.failOn, code)
	return code
}

// running keeps the results that gate: all but concluded experiments.
func running(results []decision.Result) []decision.Result {
	var out []decision.Result
	for _, res := range results {
		if res.Report.Experiment.Status != experiment.StatusConcluded {
			out = append(out, res)
		}
	}
	return out
}

// publisher returns the API client, made on first use; a failure is
// remembered, so that it is reported the same way each time.
func (r *runner) publisher() (Publisher, error) {
	if r.pub != nil || r.pubErr != nil {
		return r.pub, r.pubErr
	}
	e := r.env
	if e.apiErr != nil {
		r.pubErr = e.apiErr
		return nil, r.pubErr
	}
	var pub Publisher
	var err error
	if r.cfg.NewPublisher != nil {
		pub, err = r.cfg.NewPublisher(e.apiURL, r.token, e.owner, e.repo)
	} else {
		var opts []prcomment.Option
		if e.retryDelay > 0 || e.reqTimeout > 0 || e.deadline > 0 {
			p := prcomment.RetryPolicy{RequestTimeout: e.reqTimeout, Total: e.deadline}
			if d := e.retryDelay; d > 0 {
				p.BaseDelay, p.MaxDelay = d, 16*d
			}
			opts = append(opts, prcomment.WithRetryPolicy(p))
		}
		// Assigned only on success: a nil *prcomment.Client in the
		// Publisher interface would not be nil, and would be called.
		var c *prcomment.Client
		if c, err = prcomment.New(r.cfg.HTTPClient, e.apiURL, r.token, e.owner, e.repo, opts...); err == nil {
			pub = c
		}
	}
	if err == nil && pub == nil {
		err = errors.New("no GitHub API client")
	}
	if err != nil {
		r.pubErr = err
		return nil, err
	}
	r.pub = pub
	return pub, nil
}

// selectForPR lists the pull request's files and selects experiments;
// when the files cannot be listed it selects all, with a warning.
func (r *runner) selectForPR(ctx context.Context, pr int, all []decision.Result, root string) selection {
	pub, err := r.publisher()
	var files []prcomment.File
	complete := false
	if err == nil {
		files, complete, err = pub.ChangedFiles(ctx, pr)
	}
	if err != nil && r.env.apiErr != nil {
		return selection{all: true, why: "GITHUB_API_URL is malformed"} // reported once, as an error
	}
	if err != nil {
		r.warn("Could not list the pull request's changed files, so every experiment is analyzed: " + r.clean(err))
		return selection{all: true, why: "the changed files could not be listed"}
	}
	return selectChanged(all, root, files, complete)
}

// comment keeps the sticky comment and returns its URL, or "" when there
// is none. API trouble is a warning.
func (r *runner) comment(ctx context.Context, pr int, marker string, results []decision.Result, removed []string, meta memo.Meta, nothing bool) string {
	pub, err := r.publisher()
	if err != nil && r.env.apiErr != nil {
		return "" // reported once, as an error
	}
	if err != nil {
		r.warn("Cannot reach the GitHub API, so the pull request comment is not updated: " + r.clean(err))
		return ""
	}
	var u string
	if nothing {
		var found bool
		u, found, err = pub.UpdateIfExists(ctx, pr, marker, memo.NoChangeComment(marker, meta))
		switch {
		case err == nil && found:
			r.notes = append(r.notes, "No experiment changed: the existing pull request comment now says so.")
		case err == nil:
			r.notes = append(r.notes, "No experiment changed: no pull request comment posted.")
		}
	} else {
		tail := removedSection(removed)
		body := memo.Comment(marker, results, meta, memo.GitHubCommentLimit-utf8.RuneCountInString(tail)) + tail
		var created bool
		u, created, err = pub.Upsert(ctx, pr, marker, body)
		if err == nil {
			if created {
				r.notes = append(r.notes, "Posted the pull request comment.")
			} else {
				r.notes = append(r.notes, "Updated the pull request comment.")
			}
		}
	}
	switch {
	case err != nil && prcomment.IsPermission(err):
		r.warn("The token may not write pull request comments (a pull request from a fork gets a read-only token), so the memo is only in this job summary. " +
			"Grant `pull-requests: write`, or see the README on forks.")
		return ""
	case err != nil:
		r.warn("The pull request comment could not be updated; the job summary holds the memo: " + r.clean(err))
		return ""
	}
	return safeURL(u)
}

// warn writes a warning annotation and notes it for the summary.
func (r *runner) warn(msg string) {
	r.gha.WithFieldsMap(map[string]string{"title": "ExperimentOS"}).Warningf("%s", msg)
	r.notes = append(r.notes, "⚠️ "+memo.EscapeMarkdown(msg))
}

// fail writes an error annotation for a configuration error that does not
// stop the run, and notes it for the summary.
func (r *runner) fail(msg string) {
	msg = redact(msg, r.token)
	r.gha.WithFieldsMap(map[string]string{"title": "ExperimentOS"}).Errorf("%s", msg)
	r.notes = append(r.notes, "⛔ "+memo.EscapeMarkdown(msg))
}

// clean renders an error for a log line: one line, no token.
func (r *runner) clean(err error) string {
	s := redact(err.Error(), r.token)
	s = strings.Join(strings.Fields(s), " ")
	if n := []rune(s); len(n) > 500 {
		s = string(n[:500]) + "…"
	}
	return s
}

// safeURL returns u when it is an http(s) URL with nothing that could break
// an output line, else "".
func safeURL(u string) string {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" ||
		strings.ContainsFunc(u, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return ""
	}
	return u
}

// writeMemos writes the memos and results.json under memo-dir and returns
// the path of results.json relative to the workspace. memo-dir's old
// contents go first, so that nothing a pull request committed there is
// uploaded with the memos (docs/action.md#memo-dir). Every step is
// confined to the workspace by os.Root, and no symbolic link is followed:
// a memo-dir that is one, or lies under one, is refused, and a link
// inside it is removed as a link.
func (r *runner) writeMemos(results []decision.Result, meta memo.Meta) (string, error) {
	dir := r.env.in.memoDir
	ws, err := os.OpenRoot(r.env.workspace)
	if err != nil {
		return "", fmt.Errorf("memo-dir: open the workspace: %w", err)
	}
	defer ws.Close()
	// Each existing component must be a real folder.
	parts := strings.Split(dir, "/")
	for i := range parts {
		p := filepath.FromSlash(strings.Join(parts[:i+1], "/"))
		fi, err := ws.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		switch {
		case err != nil:
			return "", fmt.Errorf("memo-dir %s: %w", dir, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return "", fmt.Errorf("memo-dir %s: %s is a symbolic link; memo-dir must be a folder in the workspace", dir, filepath.ToSlash(p))
		case !fi.IsDir():
			return "", fmt.Errorf("memo-dir %s: %s is not a folder", dir, filepath.ToSlash(p))
		}
	}
	if err := ws.MkdirAll(filepath.FromSlash(dir), 0o755); err != nil {
		return "", fmt.Errorf("memo-dir %s: %w", dir, err)
	}
	out, err := ws.OpenRoot(filepath.FromSlash(dir))
	if err != nil {
		return "", fmt.Errorf("memo-dir %s: %w", dir, err)
	}
	defer out.Close()
	if err := empty(out); err != nil {
		return "", fmt.Errorf("memo-dir %s: remove its old contents: %w", dir, err)
	}
	if err := check.WriteOut(filepath.Join(r.env.workspace, filepath.FromSlash(dir)), results, meta); err != nil {
		return "", fmt.Errorf("memo-dir %s: %w", dir, err)
	}
	return path.Join(dir, "results.json"), nil
}

// empty removes everything in root's folder, links as links.
func empty(root *os.Root) error {
	d, err := root.Open(".")
	if err != nil {
		return err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := root.RemoveAll(n); err != nil {
			return err
		}
	}
	return nil
}

// maxAnnotations is how many annotations of one level GitHub shows per
// step; the summary lists the rest.
const maxAnnotations = 10

// annotate writes one annotation per health issue, blocked experiments'
// issues first, at most maxAnnotations errors and as many warnings.
func (r *runner) annotate(results []decision.Result) {
	var errs, warns []issueOf
	for _, res := range memo.WorstFirst(results) {
		for _, is := range res.Report.Health.Issues {
			if is.Severity == experiment.SeverityBlocked {
				errs = append(errs, issueOf{res.Report.Experiment.ID, is})
			} else {
				warns = append(warns, issueOf{res.Report.Experiment.ID, is})
			}
		}
	}
	emit := func(list []issueOf, f func(*githubactions.Action, string)) {
		for i, x := range list {
			if i == maxAnnotations {
				r.gha.Noticef("%d more %s issues are listed in the job summary", len(list)-maxAnnotations, severityWord(x.issue.Severity))
				return
			}
			f(r.gha.WithFieldsMap(annotationFields(x)), x.issue.Message)
		}
	}
	emit(errs, func(a *githubactions.Action, m string) { a.Errorf("%s", m) })
	emit(warns, func(a *githubactions.Action, m string) { a.Warningf("%s", m) })
}

type issueOf struct {
	id    string
	issue experiment.Issue
}

func severityWord(s experiment.Severity) string {
	if s == experiment.SeverityBlocked {
		return "blocking"
	}
	return "warning"
}

func annotationFields(x issueOf) map[string]string {
	f := map[string]string{"title": "ExperimentOS " + x.id + ": " + x.issue.Code}
	if x.issue.File != "" {
		f["file"] = x.issue.File
		if x.issue.Line > 0 {
			f["line"] = fmt.Sprint(x.issue.Line)
			if x.issue.Col > 0 {
				f["col"] = fmt.Sprint(x.issue.Col)
			}
		}
	}
	return f
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
