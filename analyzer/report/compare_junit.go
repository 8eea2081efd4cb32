package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer/compare"
	"github.com/stratascan/strata/analyzer/report/termtext"
)

// WriteComparisonJUnit writes a comparison as a JUnit XML report: one test
// suite for the pair, one test case per gate check (failed checks as
// failures that list what crossed the budget), and a "new findings" case
// whose output lists NEW's new findings and the fixed ones.
func WriteComparisonJUnit(w io.Writer, r *compare.Result) error {
	suite := junitSuite{Name: "strata diff " + r.Old.Reference + " " + r.New.Reference, Time: "0"}
	for _, p := range []junitProperty{
		{"old", r.Old.Reference}, {"new", r.New.Reference}, {"oldDigest", r.Old.Digest}, {"newDigest", r.New.Digest},
		{"growth", fmt.Sprintf("%s (%s)", termtext.SignedBytes(r.Summary.TotalBytes.Delta), r.Summary.Growth())},
	} {
		if p.Value != "" {
			suite.Properties = append(suite.Properties, p)
		}
	}
	const class = "strata.diff"
	for _, c := range r.Gate.Checks {
		tc := junitCase{Name: c.Name, ClassName: class, Time: "0",
			SystemOut: &junitText{fmt.Sprintf("threshold %s, value %s", c.Threshold, c.Value)}}
		suite.Tests++
		if !c.Passed {
			suite.Failures++
			tc.Failure = &junitMessage{Message: fmt.Sprintf("%s: %s over %s", c.Name, c.Value, c.Threshold), Type: c.Name,
				Body: fmt.Sprintf("threshold: %s\nvalue: %s\n%s", c.Threshold, c.Value, newFindingsText(r))}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	suite.Tests++
	suite.Cases = append(suite.Cases, junitCase{Name: "new findings", ClassName: class, Time: "0",
		SystemOut: &junitText{fmt.Sprintf("%d new, %d fixed, %d unchanged\n%s", len(r.Findings.New), len(r.Findings.Fixed),
			r.Findings.Unchanged, newFindingsText(r))}})
	doc := junitSuites{Name: "strata", Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// newFindingsText lists the new and the fixed findings, one per line.
func newFindingsText(r *compare.Result) string {
	var b strings.Builder
	for _, f := range r.Findings.New {
		fmt.Fprintf(&b, "new [%s] %s: %s (%s)\n", f.Severity, f.Rule, f.Title, FindingWhere(f, 120))
	}
	for _, f := range r.Findings.Fixed {
		fmt.Fprintf(&b, "fixed [%s] %s: %s\n", f.Severity, f.Rule, f.Title)
	}
	return b.String()
}
