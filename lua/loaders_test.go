package lua_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/framesched/framesched/lua"
)

// With AllowLoad, an untrusted addon's load, loadstring, loadfile and
// dofile compile with guarded concatenation, and otherwise behave as a
// trusted addon's (gopher-lua's): results, varargs, syntax errors as nil
// and a message, a missing file, a first line starting with #.
func TestConcatLoaders(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "chunk.lua")
	if err := os.WriteFile(file, []byte("#!/usr/bin/lua\nlocal a, b = ...\nreturn select('#', ...), tostring(a) .. '|' .. tostring(b), nil .. 'x'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(dir, "plain.lua")
	if err := os.WriteFile(plain, []byte("local a, b = ...\nreturn select('#', ...), a .. '|' .. b\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.lua")
	if err := os.WriteFile(broken, []byte("local x = 'a' ..\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
		local file, plain, broken, missing = %q, %q, %q, %q
		local function show(...)
			local t = {select("#", ...)}
			for i = 1, select("#", ...) do local v = select(i, ...) t[#t + 1] = type(v) == "function" and "function" or tostring(v) end
			return table.concat(t, " ")
		end
		print(show(loadstring("return select('#', ...), ... .. '!', (...)", "chunk")(1, nil, 3)))
		print(show(loadstring("return 1 ..")))
		print(show(loadstring("x = = 1", "named")))
		print(show(loadstring("return 'a' .. 'b'")()))
		print(show(pcall(loadstring("return nil .. 'x'", "=named"))))
		local pieces = {"return ", "'p' ", "..", " 'q' .. ", 7}
		local i = 0
		print(show(load(function() i = i + 1 return pieces[i] end, "pieces")()))
		print(show(load(function() return {} end)))
		print(show(load(function() return nil end)))
		print(show(pcall(load(function() return "" end))))
		print(show(pcall(loadfile(file), "a", "b")))
		print(show(pcall(loadfile(plain), "a", "b")))
		print(show(pcall(loadfile(plain), "a")))
		print(show(loadfile(missing)))
		print(show(loadfile(broken)))
		print(show(pcall(dofile, file)))
		print(show(pcall(dofile, missing)))
		print(show(pcall(dofile, broken)))
		print(show(pcall(loadstring("local s = 'x' for i = 1, 25 do s = s .. s end return #s"))))`,
		file, plain, broken, filepath.Join(dir, "missing.lua"))
	var outs [2][]string
	for i, trusted := range []bool{false, true} {
		bubble(t, func(t *testing.T) {
			e := newEnv(t, lua.Config{})
			e.run(e.addon("A", lua.AddonOptions{Trusted: trusted, AllowLoad: true}), src)
			outs[i] = e.out
		})
	}
	want := "2 true 33554432" // trusted: 32 MiB
	if n := len(outs[1]); n == 0 || outs[1][n-1] != want {
		t.Fatalf("trusted:\n%s", strings.Join(outs[1], "\n"))
	}
	outs[1][len(outs[1])-1] = "2 false <string>:1: ..: the result would be over 16 MiB"
	diffLines(t, outs[0], outs[1])
}

// load's reader may not hand it more than 16 MiB of source.
func TestConcatLoadReaderBounded(t *testing.T) {
	bubble(t, func(t *testing.T) {
		e := newEnv(t, lua.Config{})
		a := e.addon("A", lua.AddonOptions{AllowLoad: true})
		e.run(a, `
			local piece = "--" .. string.rep("x", 4 * 2^20 - 3) .. "\n"
			local n = 0
			local function reader(max) return function() n = n + 1 if n <= max then return piece end end end
			print(type(load(reader(4))))
			n = 0
			print(try(load, reader(5)))`)
		checkLines(t, e.out, []string{"function", "load: the result would be over 16 MiB"})
	})
}
