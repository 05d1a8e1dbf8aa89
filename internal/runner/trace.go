package runner

import (
	"errors"
	"os"

	"github.com/framesched/framesched/tracefile"
)

// traceFile is the file --trace names and the writer of its trace; nil
// without --trace.
type traceFile struct {
	f  *os.File
	tw *tracefile.Writer
}

// createTrace creates the trace file at path; "" is no trace.
func createTrace(path string) (*traceFile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	return &traceFile{f: f, tw: tracefile.New(f)}, nil
}

func (t *traceFile) writer() *tracefile.Writer {
	if t == nil {
		return nil
	}
	return t.tw
}

// close ends the trace and closes the file, once the run has closed.
func (t *traceFile) close() error {
	if t == nil {
		return nil
	}
	return errors.Join(t.tw.Close(), t.f.Close())
}
