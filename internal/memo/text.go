package memo

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/experimentos/experimentos/internal/analysis"
	"github.com/experimentos/experimentos/internal/decision"
	"github.com/experimentos/experimentos/internal/experiment"
)

// ANSI SGR sequences, used only when Text is asked for colour.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
)

// Text writes what a person reads in a terminal: an aligned table (ID,
// HEALTH, DECISION, LIFT [CI], P) in the results' order, then under each
// experiment its name, decision reason and issues with their locations,
// and a one-line count. Colour (ANSI) is used only when color is true; the
// caller decides from isatty and NO_COLOR. User strings are stripped of
// control characters, so no escape sequence in a name reaches the
// terminal.
func Text(w io.Writer, rs []decision.Result, m Meta, color bool) error {
	for _, r := range rs {
		if err := check(r); err != nil {
			return err
		}
	}
	bw := bufio.NewWriter(w)
	paint := func(code, s string) string {
		if !color || code == "" {
			return s
		}
		return code + s + ansiReset
	}
	if len(rs) == 0 {
		fmt.Fprintln(bw, "No experiments found.")
		return bw.Flush()
	}

	header := []string{"ID", "HEALTH", "DECISION", "LIFT [CI]", "P"}
	rows := make([][]string, len(rs))
	codes := make([][]string, len(rs))
	for i, r := range rs {
		rep := r.Report
		k := KindOf(r)
		lift, p := overviewLift(r)
		rows[i] = []string{lineStart(Clip(rep.Experiment.ID, 48)), string(rep.Health.Status), DecisionWord(r), lift, p}
		codes[i] = []string{"", healthColor(rep.Health.Status), kindColor(k), "", ""}
	}
	width := make([]int, len(header))
	for c, h := range header {
		width[c] = utf8.RuneCountInString(h)
		for _, row := range rows {
			width[c] = max(width[c], utf8.RuneCountInString(row[c]))
		}
	}
	line := func(cells, cc []string) {
		var b strings.Builder
		for c, s := range cells {
			pad := ""
			if c < len(cells)-1 {
				pad = strings.Repeat(" ", width[c]-utf8.RuneCountInString(s)+2)
			}
			code := ""
			if cc != nil {
				code = cc[c]
			}
			b.WriteString(paint(code, s) + pad)
		}
		fmt.Fprintln(bw, strings.TrimRight(b.String(), " "))
	}
	hc := make([]string, len(header))
	for i := range hc {
		hc[i] = ansiBold
	}
	line(header, hc)
	for i := range rows {
		line(rows[i], codes[i])
	}

	for _, r := range rs {
		rep := r.Report
		e := rep.Experiment
		k := KindOf(r)
		fmt.Fprintln(bw)
		fmt.Fprintf(bw, "%s  %s\n", paint(ansiBold, lineStart(Clip(e.ID, 48))), Clip(e.Name, 120))
		fmt.Fprintf(bw, "  %s: %s\n", paint(kindColor(k), DecisionWord(r)), Clip(DecisionReason(r), capMessage))
		if l := historyLine(r); l != "" {
			fmt.Fprintf(bw, "  %s\n", l)
		}
		for _, is := range orderedIssues(rep.Health.Issues) {
			sev, code := "warning", ansiYellow
			if is.Severity == experiment.SeverityBlocked {
				sev, code = "blocked", ansiRed
			}
			loc := Clip(is.Location(), capPath)
			if loc != "" {
				loc = " " + loc
			}
			fmt.Fprintf(bw, "  %s %s%s: %s\n", paint(code, sev), Clip(is.Code, capShort), loc, Clip(is.Message, capMessage))
		}
	}
	s := decision.Summarize(rs)
	noun := "experiments"
	if len(rs) == 1 {
		noun = "experiment"
	}
	fmt.Fprintf(bw, "\n%d %s: %d launch, %d hold (%d blocked), %d rollback, %d not analyzed",
		len(rs), noun, s.Launch, s.Hold, s.Blocked, s.Rollback, s.NotAnalyzed)
	if v := cleanText(m.Version); v != "" {
		fmt.Fprintf(bw, " %s", paint(ansiDim, "· ExperimentOS "+Clip(v, 64)))
	}
	fmt.Fprintln(bw)
	return bw.Flush()
}

// lineStart makes a cleaned string safe to begin a line: the Actions
// runner reads a log line that starts with "::" (after white space) as a
// workflow command, and an id comes from a folder name, which may be
// "::add-mask::x". As in EscapeMarkdown, the "::" gets a backslash.
func lineStart(s string) string {
	if strings.HasPrefix(s, "::") {
		return `\` + s
	}
	return s
}

// overviewLift is the primary lift with its CI and p of the comparison
// the decision rests on, named by its arm: "b: +1.2 pp (+0.22 pp to +2.05 pp)".
func overviewLift(r decision.Result) (lift, p string) {
	c := Deciding(r)
	if c == nil || !r.Report.Analyzed {
		return "n/a", "n/a"
	}
	return Clip(c.Arm, 40) + ": " + liftCI(&c.Primary), pOf(c.Primary.PValue)
}

func kindColor(k Kind) string {
	switch k {
	case kindLaunch:
		return ansiGreen
	case kindHold:
		return ansiYellow
	case kindBlocked, kindRollback:
		return ansiBold + ansiRed
	}
	return ansiDim
}

func healthColor(s analysis.HealthStatus) string {
	switch s {
	case analysis.Blocked:
		return ansiRed
	case analysis.Warning:
		return ansiYellow
	}
	return ansiGreen
}
