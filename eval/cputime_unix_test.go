//go:build unix

package eval

import "syscall"

// cpuSeconds returns the user plus system CPU time used by the process, so
// that benchmarks on a shared machine can report work rather than waiting.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
