package analyzer

// Summary holds the image-wide metrics, as defined in the product
// specification. TotalBytes == VisibleBytes + WastedBytes always holds.
type Summary struct {
	// TotalBytes is the sum of the layer sizes.
	TotalBytes int64 `json:"totalBytes"`
	// VisibleBytes is the sum of the sizes of entries no later entry shadows.
	VisibleBytes int64 `json:"visibleBytes"`
	// WastedBytes is the sum of the sizes of shadowed entries.
	WastedBytes int64 `json:"wastedBytes"`
	// Efficiency is VisibleBytes / TotalBytes (1 when TotalBytes is 0).
	Efficiency float64 `json:"efficiency"`
	// BaseLayers is how many leading layers count as the base image.
	BaseLayers int `json:"baseLayers"`
	// UserBytes is the sum of the sizes of the non-base layers.
	UserBytes int64 `json:"userBytes"`
	// UserWastedBytes is the size of entries shadowed by a non-base layer.
	UserWastedBytes int64 `json:"userWastedBytes"`
	// UserWastedPercent is UserWastedBytes / UserBytes (0 when UserBytes is 0).
	UserWastedPercent float64 `json:"userWastedPercent"`
	// DuplicateBytes is Σ (copies − 1) × size over visible regular files
	// with identical content at different paths.
	DuplicateBytes int64 `json:"duplicateBytes"`
	// PotentialSavingsBytes is what fixing every finding would remove, each
	// byte counted once.
	PotentialSavingsBytes int64 `json:"potentialSavingsBytes"`
	// EstimatedOptimizedBytes is TotalBytes − PotentialSavingsBytes: the
	// image's size once every finding is fixed.
	EstimatedOptimizedBytes int64 `json:"estimatedOptimizedBytes"`
	// FileCount is the number of entries visible in the final filesystem.
	FileCount int `json:"fileCount"`
	// LayerCount is the number of layers.
	LayerCount int `json:"layerCount"`
	// Dive holds the same measures computed by dive's definitions.
	Dive DiveMetrics `json:"dive"`
}

// DiveMetrics are dive's efficiency, wasted bytes and user wasted percent,
// computed by its own definitions so that dive users can keep their thresholds.
type DiveMetrics struct {
	Efficiency        float64 `json:"efficiency"`
	WastedBytes       int64   `json:"wastedBytes"`
	UserWastedPercent float64 `json:"userWastedPercent"`
	SizeBytes         int64   `json:"sizeBytes"`
	UserSizeBytes     int64   `json:"userSizeBytes"`
}
