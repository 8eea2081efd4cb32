// Package walk reads one layer's tar stream in a single pass and records, for
// every entry, its normalized path, type, size, mode, owner, link target and a
// fast content hash. Content is hashed as it streams by and never kept.
package walk

import "fmt"

// Kind is the type of a layer entry.
type Kind uint8

// The kinds of layer entries. Whiteout and Opaque are the OCI markers
// (`.wh.NAME` and `.wh..wh..opq`); their Path is the path they act on.
const (
	File Kind = iota
	Dir
	Symlink
	HardLink
	CharDevice
	BlockDevice
	FIFO
	Whiteout
	Opaque
	Other
)

var kindNames = [...]string{"file", "dir", "symlink", "hardlink", "chardev", "blockdev", "fifo", "whiteout", "opaque", "other"}

// String returns the kind's lower-case name.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// IsMarker reports whether the kind is a whiteout or an opaque marker rather
// than something that exists in the filesystem.
func (k Kind) IsMarker() bool { return k == Whiteout || k == Opaque }

// Entry is one tar header of a layer, as recorded by the walk.
type Entry struct {
	// Path is absolute and clean ("/etc/passwd"). For a whiteout it is the
	// path removed; for an opaque marker, the directory made opaque.
	Path string
	// Link is the symlink or hard link target.
	Link string
	// Size is the content size for regular files and 0 for everything else.
	Size int64
	// HeaderSize is the size the tar header declares, whatever the type.
	HeaderSize int64
	// Hash is the xxh3 hash of the content (regular files only).
	Hash uint64
	// Mode holds the permission and setuid/setgid/sticky bits (07777).
	Mode uint32
	UID  uint32
	GID  uint32
	Kind Kind
}
