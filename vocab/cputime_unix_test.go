//go:build unix

package vocab

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) used by the process so far,
// or 0 where it is not known. On a shared machine wall time varies with the
// load; CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
