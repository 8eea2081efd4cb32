// Package analyzer is strata's domain library: it walks every layer of an image
// once, merges the layers into one tree that keeps each path's history, and
// computes the metrics, the wasted paths and the per-layer changes.
//
// It imports no terminal, flag or UI package; the ui and cmd packages only read
// the immutable Analysis it returns.
package analyzer
