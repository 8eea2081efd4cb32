//go:build unix

package analyzer_test

import (
	"io/fs"
	"syscall"
)

func diskBlocks(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Blocks
	}
	return 0
}
