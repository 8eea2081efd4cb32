package source

import (
	"bytes"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// compression is how a layer blob is stored.
type compression int

const (
	compNone compression = iota
	compGzip
	compZstd
)

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// sniffCompression tells gzip and zstd from anything else (an uncompressed
// tar) by their magic bytes.
func sniffCompression(b []byte) compression {
	switch {
	case bytes.HasPrefix(b, gzipMagic):
		return compGzip
	case bytes.HasPrefix(b, zstdMagic):
		return compZstd
	}
	return compNone
}

// sniffReaderAt reads the first bytes of r and sniffs them.
func sniffReaderAt(r io.ReaderAt) (compression, error) {
	var b [4]byte
	n, err := r.ReadAt(b[:], 0)
	if err != nil && err != io.EOF {
		return compNone, err
	}
	return sniffCompression(b[:n]), nil
}

// String names the compression as users know it.
func (c compression) String() string {
	switch c {
	case compGzip:
		return "gzip"
	case compZstd:
		return "zstd"
	}
	return "uncompressed"
}

// declaredCompression reads the compression a media type claims; ok is false
// for media types that do not say (unknown or empty ones).
func declaredCompression(mt types.MediaType) (c compression, ok bool) {
	s := string(mt)
	switch {
	case s == "":
		return compNone, false
	case strings.HasSuffix(s, "gzip"):
		return compGzip, true
	case strings.HasSuffix(s, "zstd"):
		return compZstd, true
	case strings.HasSuffix(s, ".tar") || strings.HasSuffix(s, "tar.v1"):
		return compNone, true
	}
	return compNone, false
}

// layerMediaType returns the declared media type when it agrees with the
// stored compression, else the media type of the stored compression in the
// Docker or OCI family.
func layerMediaType(declared types.MediaType, c compression, docker bool) types.MediaType {
	if dc, ok := declaredCompression(declared); ok && dc == c {
		return declared
	}
	switch c {
	case compGzip:
		if docker {
			return types.DockerLayer
		}
		return types.OCILayer
	case compZstd:
		return types.OCILayerZStd
	}
	if docker {
		return types.DockerUncompressedLayer
	}
	return types.OCIUncompressedLayer
}
