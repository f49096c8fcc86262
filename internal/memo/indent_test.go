package memo

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// indentCases are compact documents with the shapes the indenter must get
// right: empty and nested containers, escapes next to quotes, and numbers
// and literals before every kind of closing byte.
var indentCases = []string{
	`{}`, `[]`, `{"a":{}}`, `{"a":[]}`, `[{},[],{"b":[{}]}]`,
	`{"a":1,"b":-2.5e-7,"c":true,"d":false,"e":null}`,
	`[1,2,[3,[4]],{"x":0}]`,
	`{"q":"say \"hi\"","b":"back\\","bq":"\\\"","u":"\u003cscript\u003e é ✓"}`,
	`{"k:":"v,","k]":"}{[","":""}`,
	`"just a string"`, `42`, `null`,
	`{"nested":{"deeper":{"deepest":[1,{"x":[]}]}}}`,
}

func TestAppendIndentedMatchesJSONIndent(t *testing.T) {
	docs := append([]string(nil), indentCases...)
	// The committed JSON golden and the experiments of manyResults,
	// compacted, as the encoder writes them.
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "memo", "all.json.golden"))
	if err != nil {
		t.Fatal(err)
	}
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		t.Fatal(err)
	}
	docs = append(docs, c.String())
	for _, r := range manyResults(20) {
		b, err := json.Marshal(jsonOf(r))
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for _, prefix := range []string{"", "    "} {
		for _, d := range docs {
			var want bytes.Buffer
			if err := json.Indent(&want, []byte(d), prefix, "  "); err != nil {
				t.Fatalf("%.60s: %v", d, err)
			}
			if got := appendIndented(nil, []byte(d), prefix, "  "); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("prefix %q, %.60s:\ngot  %s\nwant %s", prefix, d, got, want.Bytes())
			}
		}
	}
}

// FuzzAppendIndented checks the indenter against json.Indent on every
// valid document, compacted as the encoder would write it.
func FuzzAppendIndented(f *testing.F) {
	for _, d := range indentCases {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var c bytes.Buffer
		if json.Compact(&c, b) != nil {
			return
		}
		var want bytes.Buffer
		if err := json.Indent(&want, c.Bytes(), "    ", "  "); err != nil {
			t.Fatal(err)
		}
		if got := appendIndented(nil, c.Bytes(), "    ", "  "); !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("got  %s\nwant %s", got, want.Bytes())
		}
	})
}
