package runner

import (
	"regexp"
	"strings"
	"testing"
)

// TestMemoryFlag: --memory sets each addon's memory limit. The task that
// goes over fails with an ERROR line; the addon keeps most of its limit in
// a global, so it is stopped, with another ERROR line, and its other task
// with it.
func TestMemoryFlag(t *testing.T) {
	const src = `
kept = {}
blTasks.Task.Create(function(self)
	for i = 1, 1e7 do kept[i] = string.rep("x", 1000) .. i if i % 100 == 0 then self:Breath() end end
end):Start()
blTasks.Task.Create(function(self)
	for f = 1, 50 do self:Wait(blTasks.Wait.Frame()) end
	print("never")
end):Start()
`
	out := virtual(t, src, "--memory", "2")
	out = regexp.MustCompile(`(uses|keeps) [0-9]+ KiB`).ReplaceAllString(out, "$1 N KiB")
	want := strings.Join([]string{
		"1\tERROR [test] memory: addon test uses N KiB, over its limit of 2048 KiB",
		"\ttask test.lua:3, created at test.lua:3",
		"1\tERROR [test] addon stopped: memory: addon test keeps N KiB of its 2048 KiB limit once the code that went over has ended",
		"\tin addon",
		"301\tEND\tidle",
	}, "\n") + "\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}
