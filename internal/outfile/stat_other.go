//go:build !unix

package outfile

import "io/fs"

// links returns 1: hard links are not counted on this system.
func links(fs.FileInfo) uint64 { return 1 }

// owner reports no owner: files have none to keep on this system.
func owner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
