package memo

import (
	"bytes"
	"embed"
	"io"
	"strings"
	"sync"
	"text/template"

	"github.com/experimentos/experimentos/internal/decision"
)

//go:embed templates
var templates embed.FS

// mdTmpl renders Markdown. It is text/template, not html/template, which
// would HTML-escape Markdown; user strings are escaped explicitly with md.
// It is parsed on first use, not at start-up (docs/performance.md#start-up).
var mdTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("md").Funcs(template.FuncMap{
		"md":     EscapeMarkdown,
		"mdlist": mdList,
		"inc":    func(i int) int { return i + 1 },
		"sec":    func(d mdData, s *section) secData { return secData{H3: d.H3, S: s} },
	}).ParseFS(templates, "templates/memo.md.tmpl", "templates/segments.md.tmpl"))
})

// mdData is the Markdown template's data: the view and the heading levels,
// which are deeper inside the PR comment than in a standalone memo.
type mdData struct {
	V      *view
	Title  bool
	H2, H3 string
	// Comment is true inside the PR comment, which keeps segments to
	// their flags and points to the memo for the tables.
	Comment bool
}

// secData is one Evidence section with its heading level.
type secData struct {
	H3 string
	S  *section
}

// mdList escapes each item and joins them with <br> (a line break inside
// a table cell).
func mdList(items []string) string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = EscapeMarkdown(s)
	}
	return strings.Join(out, "<br>")
}

// Markdown writes one experiment's Decision Memo as GitHub-flavoured
// Markdown: Summary, Decision, Evidence, Risks & Limitations, Next Actions.
func Markdown(w io.Writer, r decision.Result, m Meta) error {
	if err := check(r); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := mdTmpl().ExecuteTemplate(&b, "memo", mdData{V: newView(r, m), Title: true, H2: "##", H3: "###"}); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}

// commentMemo is the memo as it sits in a <details> block of the comment.
func commentMemo(r decision.Result, m Meta) string {
	var b bytes.Buffer
	if err := mdTmpl().ExecuteTemplate(&b, "memo", mdData{V: newView(r, m), H2: "####", H3: "#####", Comment: true}); err != nil {
		// The template is fixed and its data built here: a failure is a bug.
		panic("memo: " + err.Error())
	}
	return strings.TrimSpace(b.String())
}
