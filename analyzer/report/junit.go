package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"github.com/stratascan/strata/analyzer"
	"github.com/stratascan/strata/analyzer/policy"
)

// JUnit XML, as CI systems read test reports (GitLab's artifacts:reports:junit,
// Jenkins, Azure DevOps, the GitHub test-report actions).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",cdata"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

// WriteJUnit writes the policy as a JUnit XML report: one test suite for the
// image, one test case per check, failed checks as failures whose text
// explains them (for fail-on, the failing findings with their fixes), and
// disabled checks as skipped.
func WriteJUnit(w io.Writer, a *analyzer.Analysis, r *policy.Result) error {
	suite := junitSuite{
		Name: "strata ci " + a.Image.Reference, Time: "0",
	}
	for _, p := range []junitProperty{
		{"image", a.Image.Reference}, {"source", a.Image.Source}, {"digest", a.Image.Digest},
		{"platform", a.Image.Platform}, {"policy", PolicySource(r.Config)},
	} {
		if p.Value != "" {
			suite.Properties = append(suite.Properties, p)
		}
	}
	class := "strata.policy"
	for _, c := range r.Checks {
		name := c.DisplayName(r.Config.Format)
		tc := junitCase{Name: name, ClassName: class, Time: "0",
			SystemOut: &junitText{fmt.Sprintf("%s: threshold %s, value %s: %s", c.Status, CheckThreshold(c), CheckValue(c), c.Reason)}}
		suite.Tests++
		switch c.Status {
		case policy.Fail:
			suite.Failures++
			tc.Failure = &junitMessage{Message: c.Reason, Type: c.Name, Body: failureText(c, r)}
		case policy.Skip:
			suite.Skipped++
			tc.Skipped = &junitMessage{Message: c.Reason}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: "strata", Tests: suite.Tests, Failures: suite.Failures, Skipped: suite.Skipped,
		Suites: []junitSuite{suite}}
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

// failureText explains a failed check: the threshold, the value, and for
// fail-on each failing finding with where it is and how to fix it.
func failureText(c policy.Check, r *policy.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nthreshold: %s\nvalue: %s\nmetric: %s\n", c.Reason, CheckThreshold(c), CheckValue(c), c.Metric)
	if c.Name == policy.KeyFailOn {
		for _, f := range r.Failing() {
			fmt.Fprintf(&b, "\n[%s] %s: %s\n  %s\n", f.Severity, f.Rule, f.Title, FindingWhere(f.Finding, 120))
			if p := FindingPaths(f.Finding, 5); p != "" {
				fmt.Fprintf(&b, "  paths: %s\n", p)
			}
			if f.Hint != "" {
				fmt.Fprintf(&b, "  fix: %s\n", f.Hint)
			}
		}
	} else if c.Help != "" {
		fmt.Fprintf(&b, "\n%s\n", c.Help)
	}
	return b.String()
}
