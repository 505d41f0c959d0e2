//go:build !unix

package geo_test

import "testing"

type cpuClock struct{}

// startCPU resets the benchmark timer; CPU time is reported on Unix only.
func startCPU(b *testing.B) cpuClock {
	b.Helper()
	b.ResetTimer()
	return cpuClock{}
}

func (cpuClock) report() {}
