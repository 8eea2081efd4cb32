package walk

import (
	"archive/tar"
	"encoding/binary"
	"os"
	"strings"
)

// The walk decodes the common tar headers itself, straight out of the
// blocks, and leaves everything else to archive/tar, which stays the
// reference: a v7, ustar or GNU header of a plain type (file, hard link,
// symlink, devices, directory, FIFO, contiguous file) whose numeric fields
// are octal and whose checksum is right, read as archive/tar reads it, costs
// no allocation but its path and link. PAX and GNU long-name records, sparse
// files, base-256 numbers, star headers, end blocks and whatever fails a
// check go to a tar.Reader started at that header (see readTar).

// header is what the walk records of one tar header.
type header struct {
	// path is the normalized name (Normalize).
	path     string
	link     string
	size     int64
	mode     int64
	uid, gid int64
	typeflag byte
	sparse   bool
}

// typeRegA is the pre-POSIX type flag of a regular file, a NUL byte
// (archive/tar's deprecated TypeRegA), which old archives still carry.
const typeRegA = '\x00'

// fromTar takes what the walk records from a header archive/tar read.
func fromTar(h *tar.Header) header {
	return header{
		path:     Normalize(h.Name),
		link:     h.Linkname,
		size:     h.Size,
		mode:     h.Mode,
		uid:      int64(h.Uid),
		gid:      int64(h.Gid),
		typeflag: h.Typeflag,
		sparse:   isSparse(h),
	}
}

// isSparse reports whether a regular file entry is a GNU sparse file (old
// GNU format or one of the PAX GNU.sparse.* encodings).
func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// plainType reports whether a type flag (after archive/tar's mapping of the
// legacy '\x00') has no meta data beyond its header: after such an entry
// the next header follows its content and padding.
func plainType(flag byte) bool {
	return flag >= tar.TypeReg && flag <= tar.TypeCont
}

// dataSize is the size of the content that follows a header of a plain
// type, as archive/tar counts it: header-only types have none whatever
// their size field says.
func dataSize(flag byte, size int64) int64 {
	switch flag {
	case tar.TypeLink, tar.TypeSymlink, tar.TypeChar, tar.TypeBlock, tar.TypeDir, tar.TypeFifo:
		return 0
	}
	return size
}

// padding is the number of bytes that round n up to a whole tar block.
func padding(n int64) int64 { return -n & 511 }

// insecurePathsRejected reports whether GODEBUG makes archive/tar's Next
// fail on names that are not local: then every header goes to archive/tar.
func insecurePathsRejected() bool {
	for _, kv := range strings.Split(os.Getenv("GODEBUG"), ",") {
		if strings.TrimSpace(kv) == "tarinsecurepath=0" {
			return true
		}
	}
	return false
}

// parseHeader decodes the 512-byte header block b exactly as archive/tar's
// Reader.Next would, when it is of the common kind; ok is false otherwise,
// and for blocks Next rejects or treats specially (end blocks), which the
// caller then hands to archive/tar. scratch is reused to build the path.
func parseHeader(b []byte, scratch *[]byte) (h header, ok bool) {
	b = b[:512]
	sum, ok := octal(b[148:156])
	if !ok || sum != checksum(b) {
		// A signed checksum, a bad one, or an end block (all zeros).
		return header{}, false
	}
	var prefix []byte
	withDevices := true
	switch magic := string(b[257:263]); {
	case magic == "ustar\x00":
		if string(b[508:512]) == "tar\x00" {
			return header{}, false // star: another prefix field and times
		}
		prefix = cstring(b[345:500])
	case magic == "ustar " && string(b[263:265]) == " \x00":
		// GNU: archive/tar reads the access and change times when set, and
		// may then take them for a prefix.
		if b[345] != 0 || b[357] != 0 {
			return header{}, false
		}
	default:
		withDevices = false // v7
	}
	if h.mode, ok = octal(b[100:108]); !ok {
		return header{}, false
	}
	if h.uid, ok = octal(b[108:116]); !ok {
		return header{}, false
	}
	if h.gid, ok = octal(b[116:124]); !ok {
		return header{}, false
	}
	if h.size, ok = octal(b[124:136]); !ok {
		return header{}, false
	}
	if _, ok = octal(b[136:148]); !ok { // the modification time
		return header{}, false
	}
	if withDevices {
		if _, ok = octal(b[329:337]); !ok {
			return header{}, false
		}
		if _, ok = octal(b[337:345]); !ok {
			return header{}, false
		}
	}
	h.typeflag = b[156]
	if h.typeflag != typeRegA && !plainType(h.typeflag) {
		return header{}, false
	}
	p := append((*scratch)[:0], '/')
	if len(prefix) > 0 {
		p = append(append(p, prefix...), '/')
	}
	p = append(p, cstring(b[0:100])...)
	*scratch = p
	if h.typeflag == typeRegA {
		// Legacy archives mark directories with a trailing slash.
		h.typeflag = tar.TypeReg
		if len(p) > 1 && p[len(p)-1] == '/' {
			h.typeflag = tar.TypeDir
		}
	}
	h.path = normalizeBytes(p)
	if link := cstring(b[157:257]); len(link) > 0 {
		h.link = string(link)
	}
	return h, true
}

// cstring is b up to its first NUL.
func cstring(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// octal parses a numeric field as archive/tar's parser does for the octal
// form: spaces and NULs trimmed at both ends, then the digits up to the
// first NUL. ok is false for a base-256 field and for anything archive/tar
// rejects.
func octal(b []byte) (int64, bool) {
	if len(b) > 0 && b[0]&0x80 != 0 {
		return 0, false // base-256
	}
	i, j := 0, len(b)
	for i < j && (b[i] == ' ' || b[i] == 0) {
		i++
	}
	for j > i && (b[j-1] == ' ' || b[j-1] == 0) {
		j--
	}
	if i == j {
		return 0, true
	}
	var x int64
	for _, c := range b[i:j] {
		if c == 0 {
			break
		}
		if c < '0' || c > '7' {
			return 0, false
		}
		x = x<<3 | int64(c-'0')
	}
	return x, true
}

// checksum is the unsigned sum of a header's bytes with the checksum field
// taken as spaces, eight bytes at a time.
func checksum(b []byte) int64 {
	const lanes = 0x00ff00ff00ff00ff
	var acc uint64 // four 16-bit sums: 64 words add at most 32,640 to each
	for i := 0; i < 512; i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		acc += w&lanes + w>>8&lanes
	}
	sum := int64(acc&0xffff + acc>>16&0xffff + acc>>32&0xffff + acc>>48)
	for _, c := range b[148:156] {
		sum -= int64(c)
	}
	return sum + 8*' '
}

// normalizeBytes is Normalize of p[1:], where p[0] is a slash, with one
// allocation for the common clean name.
func normalizeBytes(p []byte) string {
	name := p[1:]
	if isClean(name) {
		if name[0] == '/' {
			return string(name)
		}
		return string(p)
	}
	return Normalize(string(name))
}
