package memo

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/experimentos/experimentos/internal/decision"
)

// jsonDoc is the whole document as one value, the shape JSON streams.
type jsonDoc struct {
	SchemaVersion int              `json:"schema_version"`
	Version       string           `json:"version"`
	Commit        *string          `json:"commit"`
	Experiments   []jsonExperiment `json:"experiments"`
	Summary       decision.Summary `json:"summary"`
}

// JSON streams the document one experiment at a time; its bytes must be
// exactly what encoding/json writes for the whole jsonDoc.
func TestJSONStreamMatchesEncoder(t *testing.T) {
	t.Parallel()
	// 300 crosses the parallel encoder's windows (64 entries per worker).
	for _, n := range []int{0, 1, 7, 300} {
		rs := manyResults(n)
		m := Meta{Version: "1.2.3", Commit: "abc"}
		var got bytes.Buffer
		if err := JSON(&got, rs, m); err != nil {
			t.Fatal(err)
		}
		doc := jsonDoc{SchemaVersion: SchemaVersion, Version: m.Version, Commit: str(m.Commit),
			Experiments: make([]jsonExperiment, 0, n), Summary: decision.Summarize(rs)}
		for _, r := range rs {
			doc.Experiments = append(doc.Experiments, jsonOf(r))
		}
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(doc); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("n=%d: streamed JSON differs from the encoder's\n got: %.400s\nwant: %.400s", n, got.String(), want.String())
		}
	}
}
