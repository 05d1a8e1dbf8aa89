package runner

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/lua"
)

// The runner's async functions (lua.Host.RegisterAsync), blTasks.Async.<name>:
// their work runs on the scheduler's pool; in a task the call parks it, elsewhere
// it blocks.

// maxAsyncBytes bounds a file readFile reads, the input of deflate and
// inflate, and the output of inflate: 16 MiB.
const maxAsyncBytes = 16 << 20

// maxPath bounds readFile's path.
const maxPath = 4096

// RegisterAsync registers the runner's async functions on h: sha256,
// deflate, inflate and, unless dir is "", readFile restricted to dir. The
// showcase's host registers them too.
func RegisterAsync(h *lua.Host, dir string) {
	h.RegisterAsync("sha256", func(L *glua.LState) (lua.AsyncWork, error) {
		s := lua.CheckString(L, 1, "Async.sha256")
		return func(context.Context) ([]any, error) {
			sum := sha256.Sum256([]byte(s))
			return []any{hex.EncodeToString(sum[:])}, nil
		}, nil
	})
	h.RegisterAsync("deflate", func(L *glua.LState) (lua.AsyncWork, error) {
		s := checkBounded(L, "Async.deflate")
		return func(context.Context) ([]any, error) { return one(deflate(s)) }, nil
	})
	h.RegisterAsync("inflate", func(L *glua.LState) (lua.AsyncWork, error) {
		s := checkBounded(L, "Async.inflate")
		return func(ctx context.Context) ([]any, error) { return one(inflate(ctx, s)) }, nil
	})
	if dir == "" {
		return
	}
	h.RegisterAsync("readFile", func(L *glua.LState) (lua.AsyncWork, error) {
		const fn = "Async.readFile"
		path := lua.CheckString(L, 1, fn)
		switch {
		case path == "" || len(path) > maxPath:
			lua.ArgError(L, 1, fn, fmt.Sprintf("a path of 1 to %d bytes expected", maxPath))
		case filepath.IsAbs(path) || path[0] == '/' || path[0] == '\\':
			lua.ArgError(L, 1, fn, "a path relative to the scripts' directory expected, got an absolute one")
		}
		return func(context.Context) ([]any, error) { return one(readFileIn(dir, path)) }, nil
	})
}

// one is the results of work that makes b, or its error.
func one(b []byte, err error) ([]any, error) {
	if err != nil {
		return nil, err
	}
	return []any{b}, nil
}

// deflate is s compressed with DEFLATE.
func deflate(s string) ([]byte, error) {
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.DefaultCompression) // the level is valid
	if _, err := w.Write([]byte(s)); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// checkBounded is argument 1, a string of at most maxAsyncBytes.
func checkBounded(L *glua.LState, fn string) string {
	s := lua.CheckString(L, 1, fn)
	if len(s) > maxAsyncBytes {
		lua.ArgError(L, 1, fn, fmt.Sprintf("a string of at most %d MiB expected, got %d bytes", maxAsyncBytes>>20, len(s)))
	}
	return s
}

// readFileIn reads path, relative to dir, refusing a path that escapes
// dir, by .. or by a symbolic link (os.Root), what is not a regular file,
// and a file over maxAsyncBytes.
func readFileIn(dir, path string) ([]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("the scripts' directory: %v", pathErr(err))
	}
	defer root.Close()
	f, err := root.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", path, pathErr(err))
	}
	defer f.Close()
	st, err := f.Stat()
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q: %v", path, pathErr(err))
	case !st.Mode().IsRegular():
		return nil, fmt.Errorf("%q: not a regular file", path)
	case st.Size() > maxAsyncBytes:
		return nil, fmt.Errorf("%q: %d bytes, over the limit of %d MiB", path, st.Size(), maxAsyncBytes>>20)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxAsyncBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q: %v", path, pathErr(err))
	case len(b) > maxAsyncBytes: // it grew since Stat
		return nil, fmt.Errorf("%q: over the limit of %d MiB", path, maxAsyncBytes>>20)
	}
	return b, nil
}

// pathErr is err without the path an *fs.PathError repeats (the
// directory's, for the root).
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// inflate decompresses raw DEFLATE data, refusing output over
// maxAsyncBytes: a decompression bomb fails once that much is out,
// without allocating more. It stops early when ctx is done.
func inflate(ctx context.Context, s string) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader([]byte(s)))
	defer r.Close()
	var buf bytes.Buffer
	chunk := make([]byte, 64<<10)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := r.Read(chunk)
		if buf.Len()+n > maxAsyncBytes {
			return nil, fmt.Errorf("output over %d MiB refused (a decompression bomb?)", maxAsyncBytes>>20)
		}
		buf.Write(chunk[:n])
		switch {
		case err == io.EOF:
			return buf.Bytes(), nil
		case err != nil:
			return nil, fmt.Errorf("corrupt input: %v", err)
		}
	}
}
