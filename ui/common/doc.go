// Package common holds what both of strata's browsers draw with: the
// styles, the key bindings, boxed panes, scrolling, the footer and the help
// overlay. Each is defined once here.
package common
