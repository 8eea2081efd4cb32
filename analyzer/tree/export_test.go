package tree

// SetSplitMin sets the entry count from which Build merges in two halves,
// and returns the function that restores it.
func SetSplitMin(n int) (restore func()) {
	old := splitMin
	splitMin = n
	return func() { splitMin = old }
}
