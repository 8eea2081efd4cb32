// Package report writes every document strata prints: the analysis of an
// image (text, Markdown, JSON), the result of a policy (text, Markdown,
// JSON, SARIF, JUnit) and the comparison of two images (text, Markdown,
// JSON). It only reads what the analyzer, policy and compare computed; the
// terminal-text helpers it shares with the browser live in termtext.
package report
