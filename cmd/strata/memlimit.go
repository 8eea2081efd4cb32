package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// memoryFloor is the smallest memory limit limitMemory sets.
const memoryFloor = 300 << 20

// limitMemory bounds the garbage strata lets build up, unless GOMEMLIMIT is
// set. Go collects once the heap has grown by as much as was live after the
// last collection, so the resident set reaches twice the largest live heap:
// the moment the layers' entry lists and the tree merged from them are both
// held. After every collection the memory limit is set to half again the
// live heap, never below memoryFloor: small images never reach it, and
// large ones keep a third of their heap as garbage instead of half. The
// limit follows the heap until stop is called.
func limitMemory() (stop func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	debug.SetMemoryLimit(memoryFloor)
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var rearm func()
	rearm = func() {
		// A finalizer runs once the collection that found its object
		// unreachable is over: it sees every collection's live heap.
		runtime.SetFinalizer(new(gcSentinel), func(*gcSentinel) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				live := int64(sample[0].Value.Uint64())
				debug.SetMemoryLimit(max(memoryFloor, live+live/2))
			}
			rearm()
		})
	}
	rearm()
	return func() { stopped.Store(true) }
}

// gcSentinel is an object allocated on its own (not batched with other tiny
// objects), so that its finalizer runs after the first collection.
type gcSentinel struct{ _ [16]byte }
