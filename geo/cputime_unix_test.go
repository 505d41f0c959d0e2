//go:build unix

package geo_test

import (
	"syscall"
	"testing"
	"time"
)

// cpuClock reports the process's CPU time per operation beside the wall
// time: on a shared machine the wall time moves with everyone else's load,
// the CPU time far less, so comparing it shows whether a change is real.
type cpuClock struct {
	b     *testing.B
	start time.Duration
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startCPU resets the benchmark timer and starts counting CPU time.
func startCPU(b *testing.B) cpuClock {
	b.Helper()
	b.ResetTimer()
	return cpuClock{b: b, start: processCPU()}
}

func (c cpuClock) report() {
	c.b.ReportMetric(float64(processCPU()-c.start)/float64(c.b.N), "cpu-ns/op")
}
