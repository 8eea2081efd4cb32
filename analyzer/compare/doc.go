// Package compare compares the analyses of two versions of an image: their
// layers aligned (shared by diffID, then by history similarity, then by
// position), their final filesystems, packages, findings, configuration and
// metrics, with noise controls and a size-regression gate. It only reads the
// two analyses and never re-reads a layer; the files are compared in one
// merge pass over the two trees in path order. It computes only: the text,
// Markdown and JSON comparisons are written by package report.
package compare
