package analyzer

import (
	"bytes"
	"context"
	"os"
	"strings"
)

// safeName makes one path element safe as a file name: control characters
// (C0, DEL, C1), "/" and "\" become "_", and "", "." and ".." get a "_"
// prefix. It is the one place extraction decides what a name may be.
func safeName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || (r >= 0x7f && r < 0xa0) || r == '/' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	if name == "" || name == "." || name == ".." {
		name = "_" + name
	}
	return name
}

// holeBlock is the unit holeWriter leaves unwritten when it is all zeros.
const holeBlock = 64 << 10

var zeros [holeBlock]byte

// holeWriter writes a file's content, leaving blocks of zeros as holes
// (the holes of a sparse file are not materialised on disk), and stops once
// the context is done: a sparse file's holes read back without touching
// the layer stream, so the layer's own cancellation would not stop them.
type holeWriter struct {
	ctx context.Context
	f   *os.File
	off int64
}

func (w *holeWriter) Write(b []byte) (int, error) {
	if err := w.ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	for len(b) > 0 {
		k := min(len(b), holeBlock)
		if !bytes.Equal(b[:k], zeros[:k]) {
			if _, err := w.f.WriteAt(b[:k], w.off); err != nil {
				return n, err
			}
		}
		w.off += int64(k)
		n += k
		b = b[k:]
	}
	return n, nil
}

// finish sets the file's size, which a trailing hole leaves short.
func (w *holeWriter) finish() error { return w.f.Truncate(w.off) }
