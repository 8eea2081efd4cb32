package analyzer

import (
	"sync"
	"time"
)

// Phase is the stage an analysis is in.
type Phase string

// The phases of an analysis, in order. Reading is the long one: the layers
// (or a daemon's save stream) are read and every entry recorded. Merging
// builds the merged tree once all layers are read; Rules computes the
// metrics and runs the rules.
const (
	PhaseRead  Phase = "reading"
	PhaseMerge Phase = "merging"
	PhaseRules Phase = "rules"
	PhaseDone  Phase = "done"
)

// Progress reports how far an analysis has come. The first report comes
// before anything is read and already carries the total.
type Progress struct {
	// Phase is the stage the analysis is in.
	Phase Phase
	// Layer is the layer the report is about (-1 for image-wide reports);
	// Layers is the number of layers (0 while unknown, as when a save
	// stream has not reached its manifest yet).
	Layer, Layers int
	// Read is how many stored bytes of Layer have been read; Size is its
	// stored size (0 when unknown); Done is true once it is read whole.
	Read, Size int64
	Done       bool
	// ReadBytes is how many stored bytes have been read in all; it never
	// decreases and never exceeds a known TotalBytes.
	ReadBytes int64
	// TotalBytes is how many stored bytes there are to read, known from the
	// start from the manifest (or the size a daemon reports); 0 when unknown.
	TotalBytes int64
	// LayersDone is how many layers are read whole.
	LayersDone int
	// Downloading is true when the layers are downloaded from a registry
	// as they are read: ReadBytes are then the bytes downloaded, and
	// TotalBytes the sum of the compressed sizes the manifest lists.
	Downloading bool
	// Elapsed is the time since the analysis started.
	Elapsed time.Duration
	// Waited is how long a save stream's first byte took to come (the
	// daemon preparing the save), 0 until it came; the ETA leaves it out.
	Waited time.Duration
}

// Fraction is how much of the reading is done, in [0, 1]: bytes read of the
// total, else layers read of the layers. It never decreases during one
// analysis, and is 1 from the end of the reading on.
func (p Progress) Fraction() float64 {
	switch {
	case p.Phase != PhaseRead && p.Phase != "":
		return 1
	case p.TotalBytes > 0:
		return min(float64(p.ReadBytes)/float64(p.TotalBytes), 1)
	case p.Layers > 0:
		return float64(p.LayersDone) / float64(p.Layers)
	}
	return 0
}

// ETA estimates the time the reading still takes from the rate so far
// (since the first byte came); ok is false while there is too little to go
// on (less than a second or 1 % of the total) and after the reading.
func (p Progress) ETA() (left time.Duration, ok bool) {
	f := p.Fraction()
	reading := p.Elapsed - p.Waited
	if p.Phase != PhaseRead || f < 0.01 || f >= 1 || reading < time.Second {
		return 0, false
	}
	return time.Duration(float64(reading) * (1 - f) / f), true
}

// tracker turns the layers' reports into image-wide ones and serializes the
// calls to the callback.
type tracker struct {
	mu     sync.Mutex
	report func(Progress)
	start  time.Time
	last   Progress
	read   []int64 // each layer's contribution to ReadBytes
	size   []int64
	done   []bool
	// started is set once a stream has sent its first report.
	started bool
}

// newTracker starts tracking the reading of layers (downloaded from a
// registry when download is set) and sends the first report, with the total
// from the layers' stored sizes. A nil report makes a tracker that reports
// nothing.
func newTracker(report func(Progress), layers []Layer, download bool) *tracker {
	t := &tracker{report: report, start: time.Now()}
	if report == nil {
		return t
	}
	t.read, t.size, t.done = make([]int64, len(layers)), make([]int64, len(layers)), make([]bool, len(layers))
	var total int64
	for i := range layers {
		t.size[i] = layers[i].CompressedBytes
		if t.size[i] <= 0 {
			total = -1 // one size unknown: the total is unknown
		} else if total >= 0 {
			total += t.size[i]
		}
	}
	t.last = Progress{Phase: PhaseRead, Layer: -1, Layers: len(layers), TotalBytes: max(total, 0), Downloading: download}
	t.send()
	return t
}

// newStreamTracker tracks a save stream, whose layers are not known before
// its end. Its first report waits for the stream's first, which brings the
// size the daemon reported.
func newStreamTracker(report func(Progress)) *tracker {
	return &tracker{report: report, start: time.Now(), last: Progress{Phase: PhaseRead, Layer: -1}}
}

func (t *tracker) send() {
	t.last.Elapsed = time.Since(t.start)
	t.report(t.last)
}

// layer records a layer's report.
func (t *tracker) layer(p Progress) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	i := p.Layer
	if i < 0 || i >= len(t.read) || t.done[i] {
		return
	}
	contrib := p.Read
	if t.size[i] > 0 {
		contrib = min(contrib, t.size[i])
		if p.Done {
			contrib = t.size[i]
		}
	}
	if contrib > t.read[i] {
		t.last.ReadBytes += contrib - t.read[i]
		t.read[i] = contrib
	}
	if t.last.TotalBytes > 0 {
		t.last.ReadBytes = min(t.last.ReadBytes, t.last.TotalBytes)
	}
	if p.Done {
		t.done[i] = true
		t.last.LayersDone++
	}
	t.last.Layer, t.last.Read, t.last.Size, t.last.Done = i, p.Read, p.Size, p.Done
	t.send()
}

// stream records how far a save stream has been read, of total bytes (0
// when unknown). The total is the one of the first report.
func (t *tracker) stream(read, total int64) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	first := !t.started
	if first {
		t.started = true
		t.last.TotalBytes = max(total, 0)
	}
	if t.last.TotalBytes > 0 {
		read = min(read, t.last.TotalBytes)
	}
	if read > 0 && t.last.Waited == 0 {
		t.last.Waited = max(time.Since(t.start), time.Nanosecond)
	}
	if read > t.last.ReadBytes || first {
		t.last.ReadBytes = read
		t.last.Layer, t.last.Read, t.last.Size, t.last.Done = -1, 0, 0, false
		t.send()
	}
}

// blob records how far the walk of a save stream's layer blob has come, when
// its positions among the image's n layers are known before the manifest.
// The bytes read are the stream's (see stream): only the figures of the
// layers at positions change.
func (t *tracker) blob(positions []int, n int, read, size int64, done bool) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.last.Phase != PhaseRead {
		return
	}
	if t.last.Layers == 0 {
		t.last.Layers = n
	}
	if len(t.done) != t.last.Layers {
		t.done = make([]bool, t.last.Layers)
	}
	for _, i := range positions {
		if i < 0 || i >= len(t.done) || t.done[i] {
			continue
		}
		if done {
			t.done[i] = true
			t.last.LayersDone++
		}
		t.last.Layer, t.last.Read, t.last.Size, t.last.Done = i, min(read, size), size, done
		t.send()
	}
}

// setLayers records the number of layers once a stream's manifest told it.
func (t *tracker) setLayers(n int) {
	t.mu.Lock()
	t.last.Layers = n
	t.mu.Unlock()
}

// phase moves to the next phase.
func (t *tracker) phase(ph Phase) {
	if t.report == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if ph != PhaseRead && t.last.TotalBytes > 0 {
		t.last.ReadBytes = t.last.TotalBytes
	}
	if ph != PhaseRead && t.last.Layers > 0 {
		t.last.LayersDone = t.last.Layers
	}
	t.last.Phase, t.last.Layer, t.last.Read, t.last.Size, t.last.Done = ph, -1, 0, 0, false
	t.send()
}
