package memo

import (
	"bytes"
	"html/template"
	"io"
	"sync"

	"github.com/experimentos/experimentos/internal/decision"
)

// htmlTmpl renders the HTML memo; html/template escapes every value by
// context, including the label and title text inside the SVG. It is parsed
// on first use, not at start-up, which a run that writes no HTML memo
// would pay for (docs/performance.md#start-up).
var htmlTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("html").ParseFS(templates, "templates/memo.html.tmpl", "templates/segments.html.tmpl"))
})

// HTML writes one experiment's Decision Memo as a self-contained HTML page:
// inline CSS (with print styles for one page), no scripts, no external
// URL, semantic tables that read without styles, and an inline SVG forest
// plot of the primary lift and each guardrail delta.
func HTML(w io.Writer, r decision.Result, m Meta) error {
	if err := check(r); err != nil {
		return err
	}
	var b bytes.Buffer
	if err := htmlTmpl().ExecuteTemplate(&b, "page", struct{ V *view }{newView(r, m)}); err != nil {
		return err
	}
	_, err := w.Write(b.Bytes())
	return err
}
