package report

import (
	"encoding/json"
	"io"

	"github.com/stratascan/strata/analyzer/compare"
)

// ComparisonSchemaVersion is the version of the JSON comparison's schema.
const ComparisonSchemaVersion = 1

// ComparisonDocument is the JSON comparison: the Result's fields after
// schemaVersion and tool. Field names are stable; see docs/diff.md.
type ComparisonDocument struct {
	SchemaVersion int  `json:"schemaVersion"`
	Tool          Tool `json:"tool"`
	*compare.Result
}

// WriteComparisonJSON writes the comparison as indented JSON with a final
// newline.
func WriteComparisonJSON(w io.Writer, r *compare.Result, tool Tool) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ComparisonDocument{SchemaVersion: ComparisonSchemaVersion, Tool: tool, Result: r})
}
