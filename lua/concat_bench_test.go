package lua_test

import (
	"strings"
	"testing"
	"time"

	"github.com/framesched/framesched/lua"
)

// BenchmarkConcat is the cost of `..` building short strings in a loop: in
// a trusted addon, gopher-lua's OP_CONCAT (the in-run baseline); in an
// untrusted one, a call of the guard. "loop" is the loop alone (s = a),
// whose difference between the two is the context check every untrusted
// instruction pays.
func BenchmarkConcat(b *testing.B) {
	for _, form := range []struct{ name, expr string }{
		{"loop", "a"},
		{"2", "a .. b"},
		{"4", "a .. b .. c .. d"},
		{"number", "a .. i"},
	} {
		for _, c := range []struct {
			name    string
			trusted bool
		}{{"trusted", true}, {"untrusted", false}} {
			b.Run(form.name+"/"+c.name, func(b *testing.B) {
				b.ReportAllocs()
				_, a, _ := benchAddon(b, time.Hour, lua.AddonOptions{Trusted: c.trusted})
				b.StopTimer()
				b.ResetTimer()
				benchDo(b, a, strings.Replace(`
					local a, b, c, d = "abc", "defgh", "ij", "klmnop"
					local s
					bench.start()
					for i = 1, bench.n do s = EXPR end
					bench.stop()`, "EXPR", form.expr, 1))
			})
		}
	}
}
