package memo

import (
	"fmt"
	"strings"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// GitHubCommentLimit is the most characters GitHub accepts in a comment.
const GitHubCommentLimit = 65536

// Comment returns the body of the sticky pull request comment
// (docs/action.md#the-sticky-comment).
//
// Its first line is exactly marker, which appears nowhere else (every user
// string is escaped, so none can contain "<!--"). Then comes an overview
// table of every result (experiment, health, decision, primary lift with
// CI, p), worst first: rollback, blocked hold, hold, launch, not analyzed.
// Then each memo in its own <details> block, in the same order.
//
// The body never exceeds limit characters, counted as Unicode code points
// (what GitHub's limit counts; use GitHubCommentLimit). To fit, later memos
// are first cut to a one-line reason, then dropped into "N more in the
// run", which links m.RunURL; the overview is kept whole as long as it
// fits on its own, and only then are its last rows replaced by a count. A
// limit too small even for that gets a hard cut. A non-positive limit
// means GitHubCommentLimit.
func Comment(marker string, rs []decision.Result, m Meta, limit int) string {
	if limit <= 0 {
		limit = GitHubCommentLimit
	}
	var valid []decision.Result
	for _, r := range rs {
		if check(r) == nil {
			valid = append(valid, r)
		}
	}
	rs = WorstFirst(valid)
	n := len(rs)
	url := runURL(m)

	head := marker + "\n" + commentHeading(rs, m) + "\n"
	if hl := commentHeadline(rs); hl != "" {
		head = marker + "\n" + hl + "\n\n" + commentHeading(rs, m) + "\n"
	}
	foot := "\n" + commentFooter(m, url) + "\n"
	if n == 0 {
		return hardCut(head+"\nNo experiments to report in this run.\n"+foot, limit)
	}

	ovHead := "| Experiment | Health | Decision | Primary lift [CI] | p |\n| --- | --- | --- | --- | --- |\n"
	withBase := false
	for _, r := range rs {
		withBase = withBase || r.History != nil && r.History.Base != nil
	}
	if withBase {
		ovHead = "| Experiment | Health | Decision | Primary lift [CI] | p | At the merge base |\n| --- | --- | --- | --- | --- | --- |\n"
	}
	rows := make([]string, n)
	full := make([]string, n)
	short := make([]string, n)
	for i, r := range rs {
		rows[i] = overviewRow(r)
		if withBase {
			rows[i] = strings.TrimSuffix(rows[i], "\n") + " " + baseColumn(r) + " |\n"
		}
		full[i] = detailsBlock(r, m, n == 1)
		short[i] = oneLine(r)
	}
	rowsLen, fullLen, shortLen := prefix(rows), prefix(full), prefix(short)

	base := runeLen(head) + 1 + runeLen(ovHead) + rowsLen[n] + 1 + runeLen(foot)
	const shortHead = "Shortened to fit GitHub's comment limit; every memo is in the run.\n\n"
	// size of the body with memos [0,k) in full, [k,k+j) as one line, the
	// rest counted in a "more" line.
	size := func(k, j int) int {
		s := base + fullLen[k]
		if k < n {
			s += runeLen(shortHead) + shortLen[k+j] - shortLen[k]
		}
		if d := n - k - j; d > 0 {
			s += runeLen(moreLine(d, url))
		}
		return s
	}
	build := func(k, j int) string {
		var b strings.Builder
		b.WriteString(head + "\n" + ovHead)
		for _, row := range rows {
			b.WriteString(row)
		}
		b.WriteString("\n")
		for _, f := range full[:k] {
			b.WriteString(f)
		}
		if k < n {
			b.WriteString(shortHead)
			for _, s := range short[k : k+j] {
				b.WriteString(s)
			}
			if d := n - k - j; d > 0 {
				b.WriteString(moreLine(d, url))
			}
		}
		b.WriteString(foot)
		return b.String()
	}
	for k := n; k >= 0; k-- {
		if size(k, n-k) <= limit {
			return build(k, n-k)
		}
	}
	for j := n; j >= 0; j-- {
		if size(0, j) <= limit {
			return build(0, j)
		}
	}
	// Even the overview alone is too long: keep the table's header and its
	// first rows, and count the rest.
	for r := n; r >= 0; r-- {
		note := ""
		if r < n {
			note = fmt.Sprintf("\n…and %d more experiments, not listed here to fit GitHub's comment limit: %s.\n", n-r, runRef(url))
		}
		if runeLen(head)+1+runeLen(ovHead)+rowsLen[r]+runeLen(note)+runeLen(foot) <= limit {
			return head + "\n" + ovHead + strings.Join(rows[:r], "") + note + foot
		}
	}
	return hardCut(head+"\n"+ovHead+foot, limit)
}

// commentHeading's badge follows the gate (docs/action.md#outputs): the
// worst running experiment; a concluded one never colours it.
func commentHeading(rs []decision.Result, m Meta) string {
	worst := "⚪ Nothing analyzed"
	if len(rs) > 0 {
		worst = "⚪ No running experiment"
	}
	for _, r := range rs { // worst first
		if r.Report.Experiment.Status != experiment.StatusConcluded {
			worst = KindOf(r).Badge()
			break
		}
	}
	s := decision.Summarize(rs)
	line := fmt.Sprintf("### ExperimentOS: %s\n\n%d %s: %d rollback · %d hold (%d blocked) · %d launch · %d not analyzed",
		worst, len(rs), plural(len(rs), "experiment", "experiments"), s.Rollback, s.Hold, s.Blocked, s.Launch, s.NotAnalyzed)
	if c := ShortSHA(m.Commit); c != "" {
		line += " · commit " + EscapeMarkdown(c)
	}
	return line
}

func commentFooter(m Meta, url string) string {
	parts := []string{"ExperimentOS"}
	if v := Clip(m.Version, 64); v != "" {
		parts[0] += " " + EscapeMarkdown(v)
	}
	if url != "" {
		parts = append(parts, "["+"workflow run"+"]("+url+")")
	}
	return "<sub>" + strings.Join(parts, " · ") + "</sub>"
}

func overviewRow(r decision.Result) string {
	rep := r.Report
	e := rep.Experiment
	lift, p := overviewLift(r)
	dec := DecisionBadge(r)
	if e.Status == experiment.StatusConcluded {
		dec += " (concluded)" // listed, but not gating
	}
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", expCell(e.Name, e.ID), HealthBadge(rep.Health.Status),
		EscapeMarkdown(dec), EscapeMarkdown(lift), p)
}

// expCell is "Name (id)" escaped, with the name capped shorter than in a
// memo so that hundreds of rows fit.
func expCell(name, id string) string {
	n, i := Clip(name, 80), Clip(id, capShort)
	if n == "" || n == i {
		return EscapeMarkdown(i)
	}
	return EscapeMarkdown(n) + " (" + EscapeMarkdown(i) + ")"
}

func detailsBlock(r decision.Result, m Meta, open bool) string {
	e := r.Report.Experiment
	summary := escapeHTMLText(DecisionBadge(r) + " · " + Clip(e.Name, 120) + " (" + Clip(e.ID, capShort) + ")")
	tag := "<details>"
	if open {
		tag = "<details open>"
	}
	return tag + "<summary>" + summary + "</summary>\n\n" + commentMemo(r, m) + "\n\n</details>\n\n"
}

func oneLine(r decision.Result) string {
	e := r.Report.Experiment
	return fmt.Sprintf("- %s · %s: %s\n", EscapeMarkdown(DecisionBadge(r)), expCell(e.Name, e.ID), EscapeMarkdown(Clip(DecisionReason(r), 300)))
}

func moreLine(d int, url string) string {
	return fmt.Sprintf("- …and %d more in the run: %s.\n", d, runRef(url))
}

func runRef(url string) string {
	if url == "" {
		return "see the workflow run's memos and results.json"
	}
	return "[workflow run](" + url + ")"
}

// prefix returns the running rune totals of parts: prefix[i] is the length
// of parts[:i].
func prefix(parts []string) []int {
	out := make([]int, len(parts)+1)
	for i, p := range parts {
		out[i+1] = out[i] + runeLen(p)
	}
	return out
}

// hardCut cuts s to at most limit runes; the last resort for a limit too
// small for even the overview's header.
func hardCut(s string, limit int) string {
	if runeLen(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:max(0, limit)])
}
