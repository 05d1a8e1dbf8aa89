package tsc

import (
	"os"
	"runtime"
	"strings"
	"sync"
)

// clocksource is the file where Linux names the clock it keeps time with.
const clocksource = "/sys/devices/system/clocksource/clocksource0/current_clocksource"

// Available reports whether Clocks use the counter: an invariant counter
// that the kernel (Linux) keeps time with. Decided once.
var Available = sync.OnceValue(func() bool {
	if runtime.GOOS != "linux" || !invariant() {
		return false
	}
	b, err := os.ReadFile(clocksource)
	return err == nil && strings.TrimSpace(string(b)) == "tsc"
})
