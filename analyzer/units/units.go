// Package units parses the sizes users write in flags and policy files
// ("20MB", "1.5GiB", "2000"), refusing what does not fit the int64 byte
// counts strata sums sizes in.
package units

import (
	"fmt"
	"math"
	"strings"

	"github.com/dustin/go-humanize"
)

// ParseBytes reads a size: a number of bytes or a humanized size. A size of
// 2^63 bytes (8 EiB) or more is refused rather than wrapped to a negative.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	n, err := humanize.ParseBytes(t)
	if err != nil {
		if strings.Contains(err.Error(), "too large") {
			return 0, fmt.Errorf("%q is too large: sizes go up to %d bytes (8 EiB less one byte)", s, int64(math.MaxInt64))
		}
		return 0, fmt.Errorf("%q is not a size (want bytes or a size such as 20MB or 1.5GiB)", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too large: sizes go up to %d bytes (8 EiB less one byte)", s, int64(math.MaxInt64))
	}
	return int64(n), nil
}
