package analyzer

// Layer describes one layer of the image and what it changed.
type Layer struct {
	// Index is the 0-based position of the layer, base first.
	Index int `json:"index"`
	// Digest is the digest of the layer blob as stored.
	Digest string `json:"digest"`
	// DiffID is the digest of the uncompressed layer tar.
	DiffID string `json:"diffID"`
	// Compression is how the stored blob is compressed: none, gzip or zstd.
	Compression string `json:"compression"`
	// SizeBytes is the sum of the content bytes of the layer's regular files.
	SizeBytes int64 `json:"sizeBytes"`
	// CompressedBytes is the size of the stored blob (0 when unknown).
	CompressedBytes int64 `json:"compressedBytes,omitempty"`
	// Command is the history instruction that made the layer.
	Command string `json:"command"`
	// CreatedBy is the history entry exactly as the image records it.
	CreatedBy string `json:"createdBy,omitempty"`
	// CommandKnown is false when the history could not be matched to the
	// layers and Command is a placeholder.
	CommandKnown bool `json:"commandKnown"`
	// Entries is the number of tar entries in the layer.
	Entries int `json:"entries"`
	// Added, Modified and Removed count the paths the layer changed
	// compared with the filesystem below it.
	Added    int `json:"added"`
	Modified int `json:"modified"`
	Removed  int `json:"removed"`
	// AddedBytes, ModifiedBytes and RemovedBytes are the sizes of those paths
	// (for removals, the size of what was removed).
	AddedBytes    int64 `json:"addedBytes"`
	ModifiedBytes int64 `json:"modifiedBytes"`
	RemovedBytes  int64 `json:"removedBytes"`
	// WastedBytes is the size of this layer's entries that later entries shadow.
	WastedBytes int64 `json:"wastedBytes"`
}
