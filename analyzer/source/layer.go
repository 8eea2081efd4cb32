package source

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"sync"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// storedLayer is a layer blob read in place from a store. Compressed returns
// the bytes exactly as stored; nothing is ever re-compressed.
type storedLayer struct {
	st     store
	name   string // the blob's name in the store
	size   int64
	diffID v1.Hash
	// digest is the blob's digest when the format names it (OCI blobs); when
	// it does not, Digest uses the DiffID for an uncompressed blob and hashes
	// a compressed one once.
	digest   v1.Hash
	declared types.MediaType
	docker   bool // Docker media type family
	verify   bool // check digest and size while streaming Compressed

	sniffOnce sync.Once
	comp      compression
	sniffErr  error

	hashOnce sync.Once
	hashed   v1.Hash
	hashErr  error
}

var _ v1.Layer = (*storedLayer)(nil)

func (l *storedLayer) sniff() (compression, error) {
	l.sniffOnce.Do(func() {
		ra, c, err := l.st.readerAt(l.name)
		if err != nil {
			l.sniffErr = err
			return
		}
		defer c.Close()
		l.comp, l.sniffErr = sniffReaderAt(ra)
	})
	return l.comp, l.sniffErr
}

// Digest returns the digest of the stored blob.
func (l *storedLayer) Digest() (v1.Hash, error) {
	if l.digest != (v1.Hash{}) {
		return l.digest, nil
	}
	c, err := l.sniff()
	if err != nil {
		return v1.Hash{}, err
	}
	if c == compNone && l.diffID != (v1.Hash{}) {
		return l.diffID, nil
	}
	l.hashOnce.Do(func() {
		rc, err := l.st.open(l.name)
		if err != nil {
			l.hashErr = err
			return
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			l.hashErr = fmt.Errorf("hashing %s: %w", l.name, err)
			return
		}
		l.hashed = v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}
	})
	return l.hashed, l.hashErr
}

// DiffID returns the digest of the uncompressed layer, from the config.
func (l *storedLayer) DiffID() (v1.Hash, error) { return l.diffID, nil }

// Compressed returns the blob exactly as stored. Blobs whose digest the format
// names are verified while they stream: a mismatch fails the final Read.
func (l *storedLayer) Compressed() (io.ReadCloser, error) {
	rc, err := l.st.open(l.name)
	if err != nil {
		return nil, err
	}
	if l.verify && l.digest.Algorithm == "sha256" {
		return &verifyReader{rc: rc, h: sha256.New(), want: l.digest, size: l.size, name: l.name}, nil
	}
	return rc, nil
}

// Uncompressed returns the layer tar, decompressing gzip or zstd as sniffed.
func (l *storedLayer) Uncompressed() (io.ReadCloser, error) {
	rc, err := l.Compressed()
	if err != nil {
		return nil, err
	}
	return decompress(rc)
}

// Size returns the stored blob's size.
func (l *storedLayer) Size() (int64, error) { return l.size, nil }

// MediaType returns the media type of the stored compression: the declared one
// when it agrees with the bytes, else the one the bytes imply.
func (l *storedLayer) MediaType() (types.MediaType, error) {
	c, err := l.sniff()
	if err != nil {
		return "", err
	}
	return layerMediaType(l.declared, c, l.docker), nil
}

// decompress wraps rc with the decompressor its first bytes call for.
func decompress(rc io.ReadCloser) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(rc, 64<<10)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		rc.Close()
		return nil, err
	}
	switch sniffCompression(head) {
	case compGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("opening gzip layer: %w", err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return rc.Close() }}, nil
	case compZstd:
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("opening zstd layer: %w", err)
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return rc.Close() }}, nil
	}
	return &readCloser{Reader: br, close: rc.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }

// verifyReader checks size and digest of a blob as it streams.
type verifyReader struct {
	rc   io.ReadCloser
	h    hash.Hash
	want v1.Hash
	size int64
	n    int64
	name string
}

func (v *verifyReader) Read(p []byte) (int, error) {
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if err == io.EOF {
		if v.size >= 0 && v.n != v.size {
			return n, fmt.Errorf("blob %s: read %d bytes, expected %d", v.name, v.n, v.size)
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want.Hex {
			return n, fmt.Errorf("blob %s: digest mismatch: got sha256:%s, want %s", v.name, got, v.want)
		}
	}
	return n, err
}

func (v *verifyReader) Close() error { return v.rc.Close() }
