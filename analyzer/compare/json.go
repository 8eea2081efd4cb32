package compare

import (
	"encoding/json"
	"io"

	"github.com/stratascan/strata/analyzer/report"
)

// SchemaVersion is the version of the JSON comparison's schema.
const SchemaVersion = 1

// Document is the JSON comparison: the Result's fields after schemaVersion
// and tool. Field names are stable; see docs/diff.md.
type Document struct {
	SchemaVersion int         `json:"schemaVersion"`
	Tool          report.Tool `json:"tool"`
	*Result
}

// WriteJSON writes the comparison as indented JSON with a final newline.
func WriteJSON(w io.Writer, r *Result, tool report.Tool) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Document{SchemaVersion: SchemaVersion, Tool: tool, Result: r})
}
