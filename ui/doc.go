// Package ui is strata's interactive layer browser, a bubbletea program: a
// root model (the loading screen, then the panes) and one component per
// pane: layers, layer details, image summary, findings, file tree and file
// history. Keys live in keys.go and styles in styles.go.
//
// The file tree stays fast on images of millions of files: the browser
// reads the analyzer's immutable merged tree, precomputes once each
// directory's totals per layer, computes per view only flags linear in the
// number of changes, and draws only the rows on screen by walking the tree
// from the cursor. No tree is ever copied per layer.
package ui
