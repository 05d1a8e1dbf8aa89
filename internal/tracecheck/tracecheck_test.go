package tracecheck

import (
	"strings"
	"testing"
)

const names = `{"name":"process_name","ph":"M","pid":1,"tid":0,"args":{"name":"p"}},
{"name":"thread_name","ph":"M","pid":1,"tid":1,"args":{"name":"t"}}`

func TestRead(t *testing.T) {
	tests := []struct {
		events string
		err    string // "" for a valid file
	}{
		{`{"name":"a","ph":"B","pid":1,"tid":1,"ts":1},{"name":"b","ph":"X","pid":1,"tid":1,"ts":2,"dur":1},{"name":"a","ph":"E","pid":1,"tid":1,"ts":5},{"name":"c","ph":"i","s":"t","pid":1,"tid":1,"ts":5}`, ""},
		{`{"name":"a","ph":"X","pid":1,"tid":1,"ts":1,"dur":4},{"name":"b","ph":"X","pid":1,"tid":1,"ts":2,"dur":1},{"name":"c","ph":"X","pid":1,"tid":1,"ts":5,"dur":1}`, ""},
		{`{"name":"a","ph":"B","pid":1,"tid":1,"ts":1}`, "never ended"},
		{`{"name":"a","ph":"E","pid":1,"tid":1,"ts":1}`, "without a B"},
		{`{"name":"a","ph":"B","pid":1,"tid":1,"ts":1},{"name":"b","ph":"E","pid":1,"tid":1,"ts":2}`, "closes B"},
		{`{"name":"a","ph":"X","pid":1,"tid":1,"ts":3,"dur":1},{"name":"b","ph":"X","pid":1,"tid":1,"ts":2,"dur":1}`, "before"},
		{`{"name":"a","ph":"X","pid":1,"tid":1,"ts":1,"dur":2},{"name":"b","ph":"X","pid":1,"tid":1,"ts":2,"dur":2}`, "overlaps"},
		{`{"name":"a","ph":"X","pid":1,"tid":1,"ts":1}`, "dur"},
		{`{"name":"a","ph":"i","pid":1,"tid":1,"ts":1}`, "scope"},
		{`{"name":"a","ph":"X","pid":1,"tid":1,"dur":1}`, "no ts"},
		{`{"name":"a","ph":"X","tid":1,"ts":1,"dur":1}`, "no pid"},
		{`{"ph":"X","pid":1,"tid":1,"ts":1,"dur":1}`, "no name"},
		{`{"name":"a","ph":"X","pid":1,"tid":2,"ts":1,"dur":1}`, "no name"},
		{`{"name":"a","ph":"Q","pid":1,"tid":1,"ts":1}`, "phase"},
		{`{"name":"c","ph":"C","pid":1,"tid":1,"ts":1,"args":{"n":2}}`, ""},
		{`{"name":"c","ph":"C","pid":1,"tid":1,"ts":1,"args":{"n":"x"}}`, "not a number"},
		{`{"name":"c","ph":"C","pid":1,"tid":1,"ts":1}`, "without values"},
		{`{"name":"process_name","ph":"M","pid":2,"tid":1,"args":{"name":"q"}}`, "processes 1 and 2"},
		{`{"name":"process_name","ph":"M","pid":2,"tid":3,"args":{"name":"q"}},{"name":"a","ph":"i","s":"t","pid":3,"tid":2,"ts":1}`, "another process"},
		{`{"name":"process_name","ph":"M","pid":2,"tid":1,"args":{"name":"q"}}`, "processes"},
	}
	for _, tt := range tests {
		_, err := Read(strings.NewReader(`{"traceEvents":[` + names + "," + tt.events + `]}`))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("%s: %v, want valid", tt.events, err)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("%s: error %v, want one saying %q", tt.events, err, tt.err)
		}
	}
	for _, doc := range []string{`{"traceEvents":[`, `[]`, `{}`, `{"traceEvents":[]} {}`} {
		if _, err := Read(strings.NewReader(doc)); err == nil {
			t.Errorf("%s: valid, want an error", doc)
		}
	}
}
