package experiment

import (
	"fmt"
	"strconv"
)

// Severity of a health finding.
type Severity string

// Severities (docs/formats.md#severities).
const (
	SeverityBlocked Severity = "blocked"
	SeverityWarning Severity = "warning"
)

// Stable issue codes (docs/formats.md#issue-codes). Tools and users match
// on these.
const (
	CodeUnreadable        = "unreadable"
	CodeMissingColumn     = "missing_column"
	CodeBadVariants       = "bad_variants"
	CodeBadValue          = "bad_value"
	CodeConversionsExceed = "conversions_exceed_users"
	CodeBadConfig         = "bad_config"
	CodeBadDates          = "bad_dates"
	CodeSRMSevere         = "srm_severe"
	CodeSRM               = "srm"
	CodeSmallSample       = "small_sample"
	CodeEventsPerUser     = "events_per_user"
	CodeDuplicateColumn   = "duplicate_column"
	CodePathEscape        = "path_escape"
	CodeLimitExceeded     = "limit_exceeded"
	CodePlanUnderpowered  = "plan_underpowered"
	CodeSegmentSRM        = "segment_srm"
	CodeDataRewritten     = "data_rewritten"
	CodePlanChanged       = "plan_changed"
	CodeMisnamedFile      = "misnamed_file" // experiment.yml and other near-misses of experiment.yaml (docs/formats.md#the-experiments-folder)
)

// Issue is one health finding. File is relative to the workspace; Line is
// 1-based (0: the whole file); Column is the CSV column name or the YAML key
// path; Col is the 1-based column number (character column for YAML, field
// number for CSV), 0 when unknown.
type Issue struct {
	Severity Severity
	Code     string
	Message  string
	File     string
	Line     int
	Column   string
	Col      int
}

// Location renders "file:line:col" with the parts that are known.
func (i Issue) Location() string {
	s := i.File
	if i.Line > 0 {
		s += ":" + strconv.Itoa(i.Line)
		if i.Col > 0 {
			s += ":" + strconv.Itoa(i.Col)
		}
	}
	if i.Column != "" {
		if s != "" {
			s += " "
		}
		s += "(" + i.Column + ")"
	}
	return s
}

// String renders the issue for logs and errors.
func (i Issue) String() string {
	if loc := i.Location(); loc != "" {
		return fmt.Sprintf("%s: %s %s: %s", loc, i.Severity, i.Code, i.Message)
	}
	return fmt.Sprintf("%s %s: %s", i.Severity, i.Code, i.Message)
}
