package walk

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/gzip"
)

// The walk parses the common tar headers itself and hands the others to
// archive/tar. These tests hold it to archive/tar, header by header and
// layer by layer: every entry, every hash, every byte the inspector is fed,
// the stored byte count and the error, on generated tars of every kind
// (ustar, GNU, v7, star, PAX, GNU long names, sparse files, numbers in every
// spelling, signed and wrong checksums, odd type flags), then truncated,
// corrupted and compressed.

// outcome is everything a walk of one blob produces.
type outcome struct {
	Entries []Entry
	Fed     []string // "path:content hash" in the order the inspector saw them
	Stored  int64
	Err     string
}

// The ways to walk a blob: the reference reads every header with
// archive/tar from a stream read in order; the walk parses the headers
// itself and reads the stream ahead at offsets (bytes.Reader allows it), or
// in order.
var (
	reference = Options{archiveTarOnly: true, inOrder: true}
	ahead     = Options{readAheadFrom: 1}
	inOrder   = Options{inOrder: true}
)

func walkOutcome(t testing.TB, blob []byte, opts Options, oneByte bool) outcome {
	t.Helper()
	var fed []string
	opts.Inspect = func(p string, size int64) io.WriteCloser {
		if len(fed)%3 == 2 {
			fed = append(fed, p+":skipped")
			return nil
		}
		fed = append(fed, p)
		return &feedHash{out: &fed[len(fed)-1]}
	}
	var r io.Reader = bytes.NewReader(blob)
	if oneByte {
		r = iotest.OneByteReader(r)
	}
	res, err := Layer(context.Background(), r, opts)
	var o outcome
	if err != nil {
		o.Err = err.Error()
		if o.Err == "" {
			t.Fatal("an empty error message")
		}
		return o
	}
	o.Entries, o.Stored = res.Entries, res.StoredBytes
	o.Fed = fed
	return o
}

// feedHash records the length and a checksum of what it is fed.
type feedHash struct {
	out *string
	n   int
	sum uint32
}

func (f *feedHash) Write(p []byte) (int, error) {
	for _, c := range p {
		f.sum = f.sum*31 + uint32(c)
	}
	f.n += len(p)
	return len(p), nil
}

func (f *feedHash) Close() error {
	*f.out += fmt.Sprintf(":%d:%08x", f.n, f.sum)
	return nil
}

// sameAsArchiveTar fails when the walk of blob differs in anything from
// the walk that reads every header with archive/tar.
func sameAsArchiveTar(t testing.TB, blob []byte) {
	t.Helper()
	want := walkOutcome(t, blob, reference, false)
	for _, opts := range []Options{ahead, inOrder} {
		got := walkOutcome(t, blob, opts, false)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("the walk (read ahead %v) differs from archive/tar's reading (-archive/tar +walk):\n%s", !opts.inOrder, diff)
		}
	}
}

// rawBlock builds tar headers field by field, with the variations real
// and broken archives have.
type rawBlock [512]byte

func (b *rawBlock) put(off int, s string) { copy(b[off:], s) }

// numeric writes a numeric field of width w in one of the spellings tar
// writers use, or a broken one.
func (b *rawBlock) numeric(rng *rand.Rand, off, w int, v int64) {
	field := b[off : off+w]
	clear(field)
	digits := fmt.Sprintf("%o", v)
	switch rng.IntN(14) {
	case 0: // space-terminated
		copy(field, fmt.Sprintf("%0*o ", w-1, v))
	case 1: // leading spaces, NUL-terminated
		copy(field, fmt.Sprintf("%*o\x00", w-1, v))
	case 2: // leading NULs
		copy(field[w-1-len(digits):], digits)
	case 3: // no terminator at all
		copy(field, fmt.Sprintf("%0*o", w, v))
	case 4: // base-256
		field[0] = 0x80
		for i := w - 1; i > 0 && v > 0; i-- {
			field[i] = byte(v)
			v >>= 8
		}
	case 5: // digits, then garbage after a NUL
		copy(field, digits+"\x009")
	case 6: // rarely, a digit that is not octal or a space inside
		if rng.IntN(8) != 0 {
			copy(field, fmt.Sprintf("%0*o\x00", w-1, v))
		} else if rng.IntN(2) == 0 {
			copy(field, "0008\x00")
		} else {
			copy(field, "1 2\x00")
		}
	case 7: // empty
	default: // NUL-terminated, zero-padded (Go, GNU tar)
		copy(field, fmt.Sprintf("%0*o\x00", w-1, v))
	}
	if len(digits) >= w && field[0]&0x80 == 0 {
		copy(field, fmt.Sprintf("%0*o", w, v&(1<<(3*w)-1)))
	}
}

// checksum writes the checksum field: right (in one of its spellings),
// signed, or wrong.
func (b *rawBlock) checksum(rng *rand.Rand) {
	copy(b[148:156], "        ")
	var u, s int64
	for _, c := range b {
		u += int64(c)
		s += int64(int8(c))
	}
	v := u
	switch rng.IntN(40) {
	case 0:
		v = s
	case 1:
		v = u + 1
	}
	switch rng.IntN(4) {
	case 0:
		copy(b[148:156], fmt.Sprintf("%07o\x00", v))
	case 1:
		copy(b[148:156], fmt.Sprintf("%7o ", v))
	default:
		copy(b[148:156], fmt.Sprintf("%06o\x00 ", v))
	}
}

var (
	namePool = []string{
		"a", "./a", "a/b/c", "./a/b/", "a//b", "/abs/x", "..", "../../etc/passwd", "./", ".", "",
		"d/", "d/.wh.x", ".wh.top", "d/.wh..wh..opq", ".wh..wh.plnk", "d/.wh..wh.plnk/x", ".wh..",
		"ünïcödé/fïlé", "a\nb\x1b[2J", "dir/sub/file.txt", "usr/lib/x86_64-linux-gnu/libc.so.6",
	}
	typePool = "0000000\x00\x00112345567xgLKSVAMN"
)

func randomName(rng *rand.Rand) string {
	switch rng.IntN(8) {
	case 0:
		return strings.Repeat("long/", 1+rng.IntN(60)) + fmt.Sprint("f", rng.IntN(1000))
	case 1:
		return fmt.Sprintf("d%d/é%d", rng.IntN(5), rng.IntN(50))
	}
	return namePool[rng.IntN(len(namePool))]
}

// rawEntry appends one hand-built entry: a header in a random format with
// random spellings of its fields, and its content.
func rawEntry(rng *rand.Rand, out []byte) []byte {
	var b rawBlock
	name := randomName(rng)
	var prefix string
	format := rng.IntN(10) // 0-5 ustar, 6-7 GNU, 8 v7, 9 star
	if format <= 5 && len(name) > 100 {
		if i := strings.LastIndex(name[:min(len(name), 156)], "/"); i >= 0 && len(name)-i-1 <= 100 {
			prefix, name = name[:i], name[i+1:]
		}
	}
	if format <= 5 && rng.IntN(10) == 0 {
		prefix = namePool[rng.IntN(len(namePool))]
	}
	typ := typePool[rng.IntN(len(typePool))]
	size := int64(rng.IntN(3000))
	if rng.IntN(4) == 0 {
		size = 0
	}
	var data []byte
	switch typ {
	case 'x', 'g':
		data = paxData(rng)
		size = int64(len(data))
	case 'L', 'K':
		data = []byte(strings.Repeat("very/long/name/", rng.IntN(20)) + "end\x00")
		size = int64(len(data))
	case 'S':
		format = 6
	}
	b.put(0, name)
	b.numeric(rng, 100, 8, int64(rng.IntN(07777)))
	b.numeric(rng, 108, 8, int64(rng.IntN(70000)))
	b.numeric(rng, 116, 8, int64(rng.IntN(70000)))
	b.numeric(rng, 124, 12, size)
	if rng.IntN(60) == 0 { // a base-256 size near the largest there is
		b[124] = 0x80
		binary.BigEndian.PutUint64(b[128:136], uint64(math.MaxInt64-rng.IntN(3000)))
	}
	b.numeric(rng, 136, 12, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	b[156] = typ
	if typ == '1' || typ == '2' || rng.IntN(10) == 0 {
		b.put(157, randomName(rng))
	}
	switch {
	case format <= 5 || format == 9:
		b.put(257, "ustar\x0000")
		b.put(265, "root")
		b.put(297, "root")
		b.numeric(rng, 329, 8, int64(rng.IntN(300)))
		b.numeric(rng, 337, 8, int64(rng.IntN(300)))
		b.put(345, prefix)
		if format == 9 {
			b.put(508, "tar\x00")
		}
	case format <= 7:
		b.put(257, "ustar  \x00")
		if rng.IntN(3) == 0 {
			b.numeric(rng, 345, 12, 1577836800)
			b.numeric(rng, 357, 12, 1577836800)
		}
		if rng.IntN(6) == 0 { // a pre-Go1.8 GNU header with a prefix
			b.put(345, "pre/fix")
		}
		if typ == 'S' {
			at := int64(rng.IntN(5000))
			b.numeric(rng, 386, 12, at)
			b.numeric(rng, 398, 12, size)
			b.numeric(rng, 483, 12, at+size+int64(rng.IntN(1<<20)))
		}
	}
	b.checksum(rng)
	out = append(out, b[:]...)
	if data == nil {
		data = make([]byte, size)
		for i := range data {
			data[i] = byte(rng.Uint32())
		}
		if dataSize(typ, size) == 0 && rng.IntN(8) != 0 {
			data = nil // header-only types carry no content...
		} // ...unless their size says so, which then reads as headers
	}
	out = append(out, data...)
	return append(out, make([]byte, padding(int64(len(data))))...)
}

func paxData(rng *rand.Rand) []byte {
	var s string
	rec := func(k, v string) {
		n := len(k) + len(v) + 3
		l := n + len(fmt.Sprint(n))
		if len(fmt.Sprint(l)) > len(fmt.Sprint(n)) {
			l++
		}
		s += fmt.Sprintf("%d %s=%s\n", l, k, v)
	}
	for range 1 + rng.IntN(3) {
		switch rng.IntN(16) {
		case 0, 8, 9, 10, 11:
			rec("path", randomName(rng))
		case 1:
			rec("linkpath", randomName(rng))
		case 2:
			rec("size", fmt.Sprint(rng.IntN(2000)))
		case 3:
			rec("uid", fmt.Sprint(rng.IntN(1<<30)))
		case 4:
			rec("GNU.sparse.major", "1")
			rec("GNU.sparse.minor", "0")
			rec("GNU.sparse.name", randomName(rng))
			rec("GNU.sparse.realsize", fmt.Sprint(rng.IntN(1<<20)))
		case 5:
			rec("GNU.sparse.map", "0,10")
			rec("GNU.sparse.size", "100")
		case 6:
			rec("SCHILY.xattr.user.x", "y")
		default:
			rec("mtime", "1577836800.123456789")
		}
	}
	if rng.IntN(15) == 0 {
		s += "garbage"
	}
	return []byte(s)
}

// writerTar is a well-formed archive from archive/tar's writer in one of
// its formats.
func writerTar(rng *rand.Rand) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	format := []tar.Format{tar.FormatUnknown, tar.FormatUSTAR, tar.FormatPAX, tar.FormatGNU}[rng.IntN(4)]
	for range 1 + rng.IntN(40) {
		typ := []byte{tar.TypeReg, tar.TypeReg, tar.TypeReg, tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeFifo}[rng.IntN(8)]
		h := &tar.Header{Name: randomName(rng), Typeflag: typ, Mode: 0o644, Uid: rng.IntN(3000), Format: format,
			ModTime: time.Unix(1577836800, 0)}
		if rng.IntN(20) == 0 {
			h.Uid = 1 << 30 // PAX or base-256
		}
		if typ == tar.TypeReg {
			h.Size = int64(rng.IntN(5000))
		}
		if typ == tar.TypeSymlink || typ == tar.TypeLink {
			h.Linkname = randomName(rng)
		}
		if format == tar.FormatGNU && rng.IntN(4) == 0 {
			h.AccessTime = time.Unix(1577836800, 0)
		}
		if tw.WriteHeader(h) != nil {
			continue // not representable in this format
		}
		body := make([]byte, h.Size)
		for i := range body {
			body[i] = byte(rng.Uint32())
		}
		tw.Write(body)
	}
	tw.Close()
	return buf.Bytes()
}

// generated is a random archive of one of the kinds, sometimes damaged.
func generated(rng *rand.Rand) []byte {
	var blob []byte
	if rng.IntN(3) == 0 {
		blob = writerTar(rng)
	} else {
		for range 1 + rng.IntN(20) {
			blob = rawEntry(rng, blob)
		}
		switch rng.IntN(6) {
		case 0: // no end blocks
		case 1:
			blob = append(blob, make([]byte, 512)...)
		case 2: // an end block, then another header
			blob = rawEntry(rng, append(blob, make([]byte, 512)...))
		default:
			blob = append(blob, make([]byte, 1024)...)
		}
	}
	switch rng.IntN(6) {
	case 0: // truncated anywhere
		blob = blob[:rng.IntN(len(blob)+1)]
	case 1: // a few bytes flipped
		for range 1 + rng.IntN(3) {
			if len(blob) > 0 {
				blob[rng.IntN(len(blob))] ^= byte(1 + rng.IntN(255))
			}
		}
	case 2: // garbage after the end
		blob = append(blob, []byte("trailing garbage")...)
	}
	return blob
}

// TestParseMatchesArchiveTar compares the walk with archive/tar's reading
// on thousands of generated archives, stored, read one byte at a time and
// gzip-compressed.
func TestParseMatchesArchiveTar(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 17))
	n := 4000
	if testing.Short() {
		n = 800
	}
	var fast, slowOnly, failed, entries int
	for i := range n {
		blob := generated(rng)
		sameAsArchiveTar(t, blob)
		if o := walkOutcome(t, blob, ahead, false); o.Err != "" {
			failed++
		} else {
			entries += len(o.Entries)
		}
		// How many headers the walk parsed itself: the test must reach both paths.
		var scratch []byte
		for off := 0; off+512 <= len(blob); off += 512 {
			if _, ok := parseHeader(blob[off:], &scratch); ok {
				fast++
			} else {
				slowOnly++
			}
		}
		if i%10 == 0 {
			want := walkOutcome(t, blob, reference, true)
			if got := walkOutcome(t, blob, ahead, true); !cmp.Equal(want, got) {
				t.Fatalf("one-byte reads: the walk differs from archive/tar's reading:\n%s", cmp.Diff(want, got))
			}
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(blob)
			zw.Close()
			z := gz.Bytes()
			if rng.IntN(2) == 0 {
				z = z[:rng.IntN(len(z)+1)]
			}
			sameAsArchiveTar(t, z)
		}
	}
	t.Logf("%d archives, %d failed, %d entries; %d blocks parsed here, %d left to archive/tar", n, failed, entries, fast, slowOnly)
	if fast < n || slowOnly < n || failed < n/10 || failed > n*9/10 {
		t.Fatalf("parsed %d blocks as headers and left %d to archive/tar: the generator misses a path", fast, slowOnly)
	}
}

// TestReadAheadMatchesArchiveTar walks archives of many blocks, whole,
// truncated anywhere (in a header, in content, at a block's edge) and
// damaged, reading them ahead at offsets, against archive/tar reading them
// in order.
func TestReadAheadMatchesArchiveTar(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for i := range 400 {
		size := rng.IntN(20_000)
		if i%40 == 0 {
			size = blockSize + rng.IntN(3*blockSize)
		}
		name := fmt.Sprintf("d%d/f%d", i%7, i)
		if i%13 == 0 {
			name = strings.Repeat("long/", 30) + name // a PAX header
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(size)}); err != nil {
			t.Fatal(err)
		}
		body := make([]byte, size)
		for j := range body {
			body[j] = byte(rng.Uint32())
		}
		tw.Write(body)
	}
	tw.Close()
	whole := append(buf.Bytes(), make([]byte, 5000)...) // and what follows the end blocks
	if len(whole) < 10*blockSize {
		t.Fatalf("the archive is %d bytes, want several blocks", len(whole))
	}
	cuts := []int{len(whole), len(whole) - 1, blockSize, blockSize + 1, 2*blockSize - 1, 3 * blockSize, 512, 513}
	for range 30 {
		cuts = append(cuts, rng.IntN(len(whole)))
	}
	for _, n := range cuts {
		sameAsArchiveTar(t, whole[:n])
	}
	for range 10 {
		blob := bytes.Clone(whole)
		blob[rng.IntN(len(blob))] ^= 0x5a
		sameAsArchiveTar(t, blob)
	}
	if o := walkOutcome(t, whole, ahead, false); o.Err != "" || len(o.Entries) != 400 || o.Stored != int64(len(whole)) {
		t.Fatalf("%d entries, %d bytes stored, error %q", len(o.Entries), o.Stored, o.Err)
	}
}

// TestParseHeaderFields checks the fields of headers the walk parses
// itself against archive/tar, and which ones it leaves to archive/tar.
func TestParseHeaderFields(t *testing.T) {
	ustar := func(name, prefix string, typ byte, size string) []byte {
		var b rawBlock
		b.put(0, name)
		b.put(100, "0000755\x00")
		b.put(108, "0001750\x00")
		b.put(116, "0000144\x00")
		b.put(124, size)
		b.put(136, "13612410000\x00")
		b[156] = typ
		b.put(157, "target")
		b.put(257, "ustar\x0000")
		b.put(345, prefix)
		copy(b[148:156], "        ")
		var sum int
		for _, c := range b {
			sum += int(c)
		}
		b.put(148, fmt.Sprintf("%06o\x00 ", sum))
		return b[:]
	}
	for _, tc := range []struct {
		name  string
		block []byte
		want  *header
	}{
		{"file", ustar("a/b", "", '0', "00000000012\x00"), &header{path: "/a/b", link: "target", size: 10, mode: 0o755, uid: 1000, gid: 100, typeflag: '0'}},
		{"prefix", ustar("b", "usr/lib", '0', "00000000000\x00"), &header{path: "/usr/lib/b", link: "target", mode: 0o755, uid: 1000, gid: 100, typeflag: '0'}},
		{"prefix only: a directory", ustar("", "usr/lib", '\x00', "00000000000\x00"), &header{path: "/usr/lib", link: "target", mode: 0o755, uid: 1000, gid: 100, typeflag: '5'}},
		{"legacy directory", ustar("./d/", "", '\x00', "00000000000\x00"), &header{path: "/d", link: "target", mode: 0o755, uid: 1000, gid: 100, typeflag: '5'}},
		{"legacy file", ustar("./d", "", '\x00', "00000000000\x00"), &header{path: "/d", link: "target", mode: 0o755, uid: 1000, gid: 100, typeflag: '0'}},
		{"unclean", ustar("a//b/../c/", "", '5', "00000000000\x00"), &header{path: "/a/c", link: "target", mode: 0o755, uid: 1000, gid: 100, typeflag: '5'}},
		{"size after a NUL", ustar("f", "", '0', "12\x0034      "), &header{path: "/f", link: "target", size: 0o12, mode: 0o755, uid: 1000, gid: 100, typeflag: '0'}},
		{"PAX", ustar("PaxHeaders/f", "", 'x', "00000000000\x00"), nil},
		{"base-256 size", ustar("f", "", '0', "\x80\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01"), nil},
		{"not octal", ustar("f", "", '0', "00000000009\x00"), nil},
		{"GNU long name", ustar("././@LongLink", "", 'L', "00000000000\x00"), nil},
		{"sparse", ustar("f", "", 'S', "00000000000\x00"), nil},
		{"end block", make([]byte, 512), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var scratch []byte
			got, ok := parseHeader(tc.block, &scratch)
			if tc.want == nil {
				if ok {
					t.Fatalf("parsed %+v, want it left to archive/tar", got)
				}
				return
			}
			if !ok {
				t.Fatal("left to archive/tar")
			}
			if diff := cmp.Diff(*tc.want, got, cmp.AllowUnexported(header{})); diff != "" {
				t.Errorf("header (-want +got):\n%s", diff)
			}
			th, err := tar.NewReader(bytes.NewReader(append(tc.block, make([]byte, 1024+512*20)...))).Next()
			if err != nil {
				t.Fatalf("archive/tar: %v", err)
			}
			if diff := cmp.Diff(fromTar(th), got, cmp.AllowUnexported(header{})); diff != "" {
				t.Errorf("against archive/tar (-archive/tar +walk):\n%s", diff)
			}
		})
	}
}

// FuzzParseHeader: a block the walk parses itself must read the same with
// archive/tar. The fuzzer's block gets a right checksum in one of the
// spellings when fix is set, so that the common path is reached.
func FuzzParseHeader(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 1))
	for range 50 {
		blob := rawEntry(rng, nil)
		f.Add(blob[:512], uint8(0))
	}
	f.Add(make([]byte, 512), uint8(1))
	f.Fuzz(func(t *testing.T, raw []byte, fix uint8) {
		var b rawBlock
		copy(b[:], raw)
		if fix != 0 {
			b.checksum(rand.New(rand.NewPCG(uint64(fix), 0)))
		}
		var scratch []byte
		got, ok := parseHeader(b[:], &scratch)
		if !ok {
			return
		}
		th, err := tar.NewReader(io.MultiReader(bytes.NewReader(b[:]), zeros{})).Next()
		if err != nil {
			t.Fatalf("parsed %+v, archive/tar fails: %v", got, err)
		}
		if diff := cmp.Diff(fromTar(th), got, cmp.AllowUnexported(header{})); diff != "" {
			t.Errorf("against archive/tar (-archive/tar +walk):\n%s", diff)
		}
	})
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// FuzzWalkMatchesArchiveTar: any blob walks as it does with archive/tar
// reading every header.
func FuzzWalkMatchesArchiveTar(f *testing.F) {
	rng := rand.New(rand.NewPCG(2, 3))
	for range 40 {
		f.Add(generated(rng))
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		sameAsArchiveTar(t, blob)
	})
}
