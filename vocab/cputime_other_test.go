//go:build !unix

package vocab

import "time"

// cpuTime is unknown here.
func cpuTime() time.Duration { return 0 }
