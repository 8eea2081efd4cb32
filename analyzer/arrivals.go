package analyzer

import (
	"io"
	"time"
)

// arrivalsEvery is how often a download reports the bytes that arrived.
const arrivalsEvery = 100 * time.Millisecond

// arrivals reports how many bytes of a layer's blob have arrived at most
// every arrivalsEvery, so that the progress of a slow download moves
// between the walk's own reports (every MiB).
type arrivals struct {
	io.ReadCloser
	n      int64
	last   time.Time
	report func(n int64)
}

func (a *arrivals) Read(p []byte) (int, error) {
	n, err := a.ReadCloser.Read(p)
	a.n += int64(n)
	if n > 0 {
		if now := time.Now(); now.Sub(a.last) >= arrivalsEvery {
			a.last = now
			a.report(a.n)
		}
	}
	return n, err
}
