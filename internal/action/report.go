package action

import (
	"fmt"
	"slices"
	"strings"

	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
	"github.com/experimentos/experimentos/internal/memo"
)

// maxSummaryBytes is what GitHub keeps of one step's summary (1 MiB).
const maxSummaryBytes = 1 << 20

// maxIssueRows caps the summary's table of health issues.
const maxIssueRows = 2000

// maxRemoved caps the list of removed experiments.
const maxRemoved = 50

// summaryMarker stands in for the comment's marker; its line is dropped.
const summaryMarker = "<!-- experimentos:summary -->"

// summary is the job summary: the same report as the comment (overview
// first, then the memos), the removed experiments, every health issue, and
// what the run did.
func summary(results []decision.Result, removed []string, m memo.Meta, scope string, nothing bool, notes []string) string {
	var tail strings.Builder
	tail.WriteString(removedSection(removed))
	tail.WriteString(issuesSection(results))
	tail.WriteString("\n#### Run\n\n- Analyzed " + memo.EscapeMarkdown(scope) + ".\n")
	for _, n := range notes {
		tail.WriteString("- " + n + "\n")
	}
	var head string
	if nothing {
		_, head, _ = strings.Cut(memo.NoChangeComment(summaryMarker, m), "\n")
	} else {
		// Fit in the 1 MiB GitHub keeps: shorten the memos, never the
		// overview, as in the comment.
		budget := maxSummaryBytes - len(tail.String()) - 1024
		for limit := budget; ; limit = limit * 3 / 4 {
			body := memo.Comment(summaryMarker, results, m, max(limit, 1000))
			_, head, _ = strings.Cut(body, "\n")
			if len(head) <= budget || limit <= 1000 {
				break
			}
		}
	}
	out := head + tail.String()
	if len(out) > maxSummaryBytes {
		out = strings.ToValidUTF8(out[:maxSummaryBytes-64], "") + "\n\n…cut to GitHub's 1 MiB summary limit.\n"
	}
	return out
}

// removedSection lists experiments the pull request removes.
func removedSection(removed []string) string {
	if len(removed) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n#### Removed experiments\n\n")
	for i, id := range removed {
		if i == maxRemoved {
			fmt.Fprintf(&b, "- …and %d more\n", len(removed)-maxRemoved)
			break
		}
		b.WriteString("- " + memo.EscapeMarkdown(memo.Clip(id, 200)) + " (removed)\n")
	}
	return b.String()
}

// issuesSection lists every health issue, blocked experiments first: the
// annotations show only ten of each level.
func issuesSection(results []decision.Result) string {
	var rows []string
	n := 0
	for _, r := range memo.WorstFirst(results) {
		iss := slices.Clone(r.Report.Health.Issues)
		slices.SortStableFunc(iss, func(a, b experiment.Issue) int { return sevRank(b.Severity) - sevRank(a.Severity) })
		for _, is := range iss {
			n++
			if len(rows) < maxIssueRows {
				rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |\n",
					cell(r.Report.Experiment.ID), string(is.Severity), cell(is.Code), cell(is.Location()), cell(is.Message)))
			}
		}
	}
	if n == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n#### Health issues (%d)\n\n| Experiment | Severity | Code | Where | Message |\n| --- | --- | --- | --- | --- |\n", n)
	for _, row := range rows {
		b.WriteString(row)
	}
	if n > len(rows) {
		fmt.Fprintf(&b, "\n…and %d more in results.json.\n", n-len(rows))
	}
	return b.String()
}

// cell escapes user text for a table cell (EscapeMarkdown folds line
// breaks and escapes "|").
func cell(s string) string { return memo.EscapeMarkdown(memo.Clip(s, 300)) }

func sevRank(s experiment.Severity) int {
	if s == experiment.SeverityBlocked {
		return 1
	}
	return 0
}
