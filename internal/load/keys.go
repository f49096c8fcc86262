package load

import "slices"

// ConfigKeys returns the keys the loader accepts in experiment.yaml and
// experimentos.yaml, by section, taken from the very tables the YAML walker
// checks keys against. Sections are named by their key path with "[]" for
// a list item:
//
//	""                              experiment.yaml top level
//	"plan", "primary"               its mappings (split: maps any arm label)
//	"secondary[]", "guardrails[]"   one secondary metric, one guardrail
//	"columns"                       a metric's explicit column names
//	"thresholds"                    thresholds (both files)
//	"experimentos.yaml"             experimentos.yaml top level
//	"guardrail_defaults"            its guardrail defaults
//
// The JSON Schemas under schema/ are tested against it so they cannot
// drift from the loader. The slices are copies.
func ConfigKeys() map[string][]string {
	return map[string][]string{
		"":                          slices.Clone(topKeys),
		"plan":                      slices.Clone(planKeys),
		"primary":                   slices.Clone(primaryKeys),
		"secondary[]":               slices.Clone(secondaryKeys),
		"guardrails[]":              slices.Clone(guardrailKeys),
		"columns":                   slices.Clone(columnKeys),
		"thresholds":                slices.Clone(thresholdKeys),
		"experimentos.yaml":         slices.Clone(repoKeys),
		"guardrail_defaults":        slices.Clone(gdefaultKeys),
		"guardrail_defaults.<kind>": slices.Clone(marginKeys),
	}
}
