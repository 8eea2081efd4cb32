package common

import "github.com/stratascan/strata/analyzer/tree"

// Markers are the change marks drawn before names, so that changes read
// without colour too: added +, modified ~, removed -.
var Markers = [...]string{tree.Unchanged: " ", tree.Added: "+", tree.Modified: "~", tree.Removed: "-"}
