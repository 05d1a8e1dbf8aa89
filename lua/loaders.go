package lua

import (
	"bufio"
	"io"
	"os"
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// guardLoaders gives L, a state of an untrusted addon that may load code
// (AllowLoad), load, loadstring, loadfile and dofile that compile with
// guarded concatenation (compile.go). Otherwise they are gopher-lua's: a syntax
// error is nil and its message (dofile raises it), and load joins its
// reader's pieces, here refusing more than maxString bytes of them.
func (c *compiler) guardLoaders(L *glua.LState) {
	L.SetGlobal("load", L.NewFunction(c.loadReader))
	L.SetGlobal("loadstring", L.NewFunction(func(L *glua.LState) int {
		src := L.CheckString(1)
		return c.pushLoaded(L, strings.NewReader(src), L.OptString(2, "<string>"))
	}))
	L.SetGlobal("loadfile", L.NewFunction(c.loadFile))
	L.SetGlobal("dofile", L.NewFunction(c.doFile))
}

// pushLoaded compiles src and pushes the function, or nil and the error's
// message.
func (c *compiler) pushLoaded(L *glua.LState, src io.Reader, name string) int {
	fn, err := c.load(L, src, name)
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString(err.Error()))
		return 2
	}
	L.Push(fn)
	return 1
}

// loadReader is load(reader [, chunkname]): reader is called until it
// returns nil or an empty string, and its pieces are the source.
func (c *compiler) loadReader(L *glua.LState) int {
	reader := L.CheckFunction(1)
	name := L.OptString(2, "?")
	top := L.GetTop()
	var src strings.Builder
	for {
		L.SetTop(top)
		L.Push(reader)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == glua.LNil {
			break
		}
		if !glua.LVCanConvToString(piece) {
			L.Push(glua.LNil)
			L.Push(glua.LString("reader function must return a string"))
			return 2
		}
		s := piece.String()
		if s == "" {
			break
		}
		if int64(src.Len())+int64(len(s)) > maxString {
			tooLong(L, "load")
		}
		src.WriteString(s)
	}
	return c.pushLoaded(L, strings.NewReader(src.String()), name)
}

// loadFile is loadfile([filename]), which reads standard input without a
// filename.
func (c *compiler) loadFile(L *glua.LState) int {
	if L.GetTop() < 1 {
		return c.pushLoaded(L, os.Stdin, "<stdin>")
	}
	name := L.CheckString(1)
	f, err := os.Open(name)
	if err != nil {
		L.Push(glua.LNil)
		L.Push(glua.LString("can not open file: " + name))
		return 2
	}
	defer f.Close()
	return c.pushLoaded(L, f, name)
}

// doFile is dofile([filename]): it runs the file (standard input without a
// filename) and returns what it returns.
func (c *compiler) doFile(L *glua.LState) int {
	path := L.ToString(1)
	top := L.GetTop()
	fn, err := c.loadPath(L, path)
	if err != nil {
		L.Push(glua.LString(err.Error()))
		L.Panic(L)
	}
	L.Push(fn)
	L.Call(0, glua.MultRet)
	return L.GetTop() - top
}

// loadPath compiles the file at path (standard input for "") as
// L.LoadFile does: a first line starting with # (#!/usr/bin/lua) is
// skipped, but for its last byte (the newline), so that lines keep their
// numbers.
func (c *compiler) loadPath(L *glua.LState, path string) (*glua.LFunction, error) {
	f := os.Stdin
	if path != "" {
		var err error
		if f, err = os.Open(path); err != nil {
			return nil, fileError(err)
		}
		defer f.Close()
	}
	r := bufio.NewReader(f)
	first, err := r.ReadByte()
	if err != nil && err != io.EOF {
		return nil, fileError(err)
	}
	if first == '#' {
		for more := true; more && err == nil; {
			_, more, err = r.ReadLine()
		}
		if err == io.EOF {
			err = nil
		} else if err != nil {
			return nil, fileError(err)
		}
	}
	if err != io.EOF {
		if err := r.UnreadByte(); err != nil {
			return nil, fileError(err)
		}
	}
	return c.load(L, r, path)
}

func fileError(err error) *glua.ApiError {
	return &glua.ApiError{Type: glua.ApiErrorFile, Object: glua.LString(err.Error()), Cause: err}
}
