package walk

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is how a stored layer blob is compressed.
type Compression string

// The compressions a layer blob may use.
const (
	None Compression = "none"
	Gzip Compression = "gzip"
	Zstd Compression = "zstd"
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// unsupported are the formats found in place of a layer that strata
// recognises but does not read, by their magic bytes.
var unsupported = []struct {
	magic []byte
	name  string
}{
	{[]byte("BZh"), "a bzip2 stream"},
	{[]byte{0xfd, '7', 'z', 'X', 'Z', 0x00}, "an xz stream"},
	{[]byte{0x5d, 0x00, 0x00}, "an lzma stream"},
	{[]byte{0x04, 0x22, 0x4d, 0x18}, "an lz4 stream"},
	{[]byte("LZIP"), "an lzip stream"},
	{[]byte{0x1f, 0x9d}, "a compress (.Z) stream"},
	{[]byte("PK\x03\x04"), "a zip archive"},
	{[]byte("PK\x05\x06"), "an empty zip archive"},
	{[]byte("7z\xbc\xaf\x27\x1c"), "a 7-Zip archive"},
	{[]byte("Rar!\x1a\x07"), "a RAR archive"},
}

// UnsupportedFormatError says that a layer blob is in a format strata
// recognises but does not read.
type UnsupportedFormatError struct {
	// Format names it ("a bzip2 stream").
	Format string
}

func (e *UnsupportedFormatError) Error() string {
	return fmt.Sprintf("the layer is %s, which strata does not read: a layer must be a tar archive, plain or compressed with gzip or zstd", e.Format)
}

// sniffUnsupported returns the error for a blob whose first bytes are those
// of a format strata does not read, or nil. A blob whose first block is a
// tar header (a tar whose first name starts with "BZh9" or "PK") is a tar.
func sniffUnsupported(head []byte) error {
	if tarHeader(head) {
		return nil
	}
	for _, u := range unsupported {
		if !bytes.HasPrefix(head, u.magic) {
			continue
		}
		if u.magic[0] == 'B' && (len(head) < 4 || head[3] < '1' || head[3] > '9') {
			continue
		}
		if u.magic[0] == 0x5d && (len(head) < 5 || !lzmaDict(head[1:5])) {
			continue
		}
		return &UnsupportedFormatError{Format: u.name}
	}
	return nil
}

// tarHeader reports whether a block is a tar header: the ustar magic, or
// (for the old format) a checksum that matches.
func tarHeader(b []byte) bool {
	if len(b) < 512 {
		return false
	}
	if bytes.Equal(b[257:262], []byte("ustar")) {
		return true
	}
	var sum int64
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	field := strings.TrimRight(strings.TrimLeft(string(b[148:156]), " "), " \x00")
	want, err := strconv.ParseInt(field, 8, 64)
	return err == nil && want == sum
}

// lzmaDict reports whether four bytes are a plausible LZMA dictionary size
// (a power of two, or 2^n + 2^(n-1)), little-endian after the 0x5d header.
func lzmaDict(b []byte) bool {
	d := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	if d < 1<<12 {
		return false
	}
	for n := 12; n < 32; n++ {
		if d == 1<<n || d == 1<<n|1<<(n-1) {
			return true
		}
	}
	return d == 0xffffffff
}

// Detect returns the compression of a stream from its first bytes.
func Detect(head []byte) Compression {
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd
	}
	return None
}

// Decompress wraps a stored layer stream in the decompressor its magic bytes
// call for. The returned closer releases the decompressor, not r.
func Decompress(r io.Reader) (io.Reader, Compression, func(), error) {
	br := bufio.NewReaderSize(r, 256<<10)
	head, err := br.Peek(512)
	if err != nil && err != io.EOF {
		return nil, None, nil, fmt.Errorf("reading layer header: %w", err)
	}
	if err := sniffUnsupported(head); err != nil {
		return nil, None, nil, err
	}
	switch c := Detect(head); c {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, c, nil, fmt.Errorf("opening gzip stream: %w", err)
		}
		return zr, c, func() { zr.Close() }, nil
	case Zstd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(false))
		if err != nil {
			return nil, c, nil, fmt.Errorf("opening zstd stream: %w", err)
		}
		return zr, c, zr.Close, nil
	default:
		return br, None, func() {}, nil
	}
}
