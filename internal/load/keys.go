package load

import "slices"

// ConfigKeys returns the keys the loader accepts in experiment.yaml and
// experimentos.yaml, by section, taken from the very tables the YAML walker
// checks keys against. Sections are named by their key path with "[]" for
// a list item:
//
//	""                              experiment.yaml top level
//	"split", "plan", "primary"      its mappings
//	"guardrails[]"                  one guardrail
//	"thresholds"                    thresholds (both files)
//	"experimentos.yaml"             experimentos.yaml top level
//	"guardrail_defaults"            its guardrail defaults
//
// The JSON Schemas under schema/ are tested against it so they cannot
// drift from the loader. The slices are copies.
func ConfigKeys() map[string][]string {
	return map[string][]string{
		"":                   slices.Clone(topKeys),
		"split":              slices.Clone(splitKeys),
		"plan":               slices.Clone(planKeys),
		"primary":            slices.Clone(primaryKeys),
		"guardrails[]":       slices.Clone(guardrailKeys),
		"thresholds":         slices.Clone(thresholdKeys),
		"experimentos.yaml":  slices.Clone(repoKeys),
		"guardrail_defaults": slices.Clone(gdefaultKeys),
	}
}
