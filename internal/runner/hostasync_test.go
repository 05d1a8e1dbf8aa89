package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	glua "github.com/yuin/gopher-lua"
)

// The runner's async functions: readFile within the scripts' directory,
// sha256, deflate and inflate.

// runIn runs test.lua, written with files (name, content...) into a new
// directory, with --virtual, and returns its output.
func runIn(t *testing.T, dir, src string, files ...string) string {
	t.Helper()
	for i := 0; i+1 < len(files); i += 2 {
		p := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "test.lua")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runArgs([]string{"--virtual", "--max-frames", "5", path})
	if res.stderr != "" {
		t.Fatalf("stderr %q", res.stderr)
	}
	return res.stdout
}

func TestAsyncFunctionsBlocking(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "scripts")
	if err := os.WriteFile(filepath.Join(root, "secret.txt"), []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "secret.txt"), filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	got := runIn(t, dir, `
local Async = blTasks.Async
local function try(f, ...)
	local ok, err = pcall(f, ...)
	if ok then return err end
	return (tostring(err):gsub("^[%w_.]+:%d+: ", ""))
end
print(Async.readFile("data/a.txt"))
print(Async.readFile("data/../data/a.txt"))
print(try(Async.readFile, "../secret.txt"))
print(try(Async.readFile, "link.txt"))
print(try(Async.readFile, "/etc/passwd"))
print(try(Async.readFile, "missing.txt"))
print(try(Async.readFile, "data"))
print(try(Async.readFile, ""))
print(try(Async.readFile, {}))
print(Async.sha256("abc"))
print(try(Async.sha256))
local z = Async.deflate(string.rep("framesched ", 100))
print(#z < 100, Async.inflate(z) == string.rep("framesched ", 100))
print(try(Async.inflate, "not deflate data"))
Sim.Done()
`, "data/a.txt", "hello file")
	want := []string{
		"hello file",
		"hello file",
		`Async.readFile: "../secret.txt": path escapes from parent`,
		`Async.readFile: "link.txt": path escapes from parent`,
		"Async.readFile: bad argument #1 (a path relative to the scripts' directory expected, got an absolute one)",
		`Async.readFile: "missing.txt": no such file or directory`,
		`Async.readFile: "data": not a regular file`,
		"Async.readFile: bad argument #1 (a path of 1 to 4096 bytes expected)",
		"Async.readFile: bad argument #1 (string expected, got table)",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"Async.sha256: bad argument #1 (string expected, got no value)",
		"true\ttrue",
		"Async.inflate: corrupt input: flate: corrupt input before offset 1",
		"0\tEND\tdone",
	}
	checkOutput(t, got, strings.Join(want, "\n")+"\n")
}

// In a task the call parks it; the task resumes with the result at the
// start of the next frame: a --virtual run waits for the pool before each.
func TestAsyncFunctionsInTask(t *testing.T) {
	src := `
blTasks.Task.Create(function(self)
	print("call in frame", Sim.Frame())
	print(blTasks.Async.sha256(""))
	print("resumed in frame", Sim.Frame())
	Sim.Done()
end):Start()
blTasks.Task.Create(function(self)
	while true do print("tick", Sim.Frame()) self:Wait(blTasks.Wait.Frame()) end
end):Start()
`
	want := "call in frame\t1\ntick\t1\ntick\t2\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\nresumed in frame\t2\n2\tEND\tdone\n"
	for range 3 {
		checkOutput(t, runIn(t, t.TempDir(), src), want)
	}
}

// A decompression bomb is refused once its output passes 16 MiB, and
// inputs over 16 MiB are refused before any work.
func TestAsyncFunctionsBounded(t *testing.T) {
	var bomb bytes.Buffer
	w, _ := flate.NewWriter(&bomb, flate.BestCompression)
	zeros := make([]byte, 1<<20)
	for range 17 {
		w.Write(zeros)
	}
	w.Close()
	if _, err := inflate(context.Background(), bomb.String()); err == nil || !strings.Contains(err.Error(), "output over 16 MiB refused") {
		t.Errorf("inflate(bomb of %d bytes) = %v", bomb.Len(), err)
	}
	dir := t.TempDir()
	big, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(maxAsyncBytes + 1); err != nil { // sparse
		t.Fatal(err)
	}
	big.Close()
	if _, err := readFileIn(dir, "big.bin"); err == nil || !strings.Contains(err.Error(), "over the limit of 16 MiB") {
		t.Errorf("readFileIn(big.bin) = %v", err)
	}
	// Lua's strings stop at 16 MiB (the sandbox's string.rep and ..);
	// the functions' own check holds for a host whose strings do not.
	L := glua.NewState()
	defer L.Close()
	err = L.CallByParam(glua.P{Fn: L.NewFunction(func(L *glua.LState) int {
		checkBounded(L, "Async.deflate")
		return 0
	}), Protect: true}, glua.LString(strings.Repeat("x", maxAsyncBytes+1)))
	if err == nil || !strings.Contains(err.Error(), "Async.deflate: bad argument #1 (a string of at most 16 MiB expected, got 16777217 bytes)") {
		t.Errorf("checkBounded(16 MiB + 1) = %v", err)
	}
}
