// Package ui holds strata's interactive browsers, Bubble Tea programs, in
// rooms of their own:
//
//   - ui/common: what both draw with, defined once: styles, key bindings,
//     boxed panes, scrolling, the footer and the help overlay;
//   - ui/browse: the browser of one image, its loading screen and its panes
//     (layers, layer details, image summary, findings, file tree, file
//     history), each handling its own keys and mouse;
//   - ui/diffview: the side-by-side browser of a comparison of two images.
package ui
