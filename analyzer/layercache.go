package analyzer

import (
	"sync"

	"github.com/stratascan/strata/analyzer/findings"
	"github.com/stratascan/strata/analyzer/walk"
)

// LayerCache lets analyses that run side by side (as when two versions of an
// image are compared) read each layer they share only once: a layer stored
// as the same blob is walked by the first analysis that needs it, and the
// others wait for and reuse that walk. Walk results are never modified after
// the walk, so sharing them is safe. The zero value is not usable; call
// NewLayerCache.
type LayerCache struct {
	mu    sync.Mutex
	walks map[layerKey]*sharedWalk
}

// layerKey names a stored blob and how it is walked.
type layerKey struct {
	digest, diffID string
	verify         bool
}

// sharedWalk is one walk, finished when done is closed.
type sharedWalk struct {
	done    chan struct{}
	res     *walk.Result
	content *findings.Content
	err     error
}

// NewLayerCache returns an empty cache.
func NewLayerCache() *LayerCache { return &LayerCache{walks: map[layerKey]*sharedWalk{}} }

// WithLayerCache shares layer walks with the other analyses using the same
// cache. By default every analysis reads all of its layers.
func WithLayerCache(c *LayerCache) Option { return func(o *options) { o.cache = c } }

// walk returns the cached walk of a layer, running fn when no analysis has
// started it yet. shared is true when another analysis did the walk.
func (c *LayerCache) walk(key layerKey, fn func() (*walk.Result, *findings.Content, error)) (_ *walk.Result, _ *findings.Content, shared bool, _ error) {
	c.mu.Lock()
	w, ok := c.walks[key]
	if !ok {
		w = &sharedWalk{done: make(chan struct{})}
		c.walks[key] = w
	}
	c.mu.Unlock()
	if ok {
		<-w.done
		return w.res, w.content, true, w.err
	}
	w.res, w.content, w.err = fn()
	close(w.done)
	return w.res, w.content, false, w.err
}
