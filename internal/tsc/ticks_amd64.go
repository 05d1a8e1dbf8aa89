package tsc

// ticks reads the time-stamp counter.
func ticks() uint64

func cpuid(leaf uint32) (eax, ebx, ecx, edx uint32)

// invariant reports whether the processor says its counter is invariant:
// CPUID leaf 0x80000007, EDX bit 8.
func invariant() bool {
	if top, _, _, _ := cpuid(0x80000000); top < 0x80000007 {
		return false
	}
	_, _, _, edx := cpuid(0x80000007)
	return edx&(1<<8) != 0
}
