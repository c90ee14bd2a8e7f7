//go:build unix

package index

import "golang.org/x/sys/unix"

// freeBytes returns the bytes free to an unprivileged user on the file
// system of path.
func freeBytes(path string) (uint64, bool) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return 0, false
	}
	return st.Bavail * uint64(st.Bsize), true
}
