package lua

import (
	"reflect"
	"sync"
	"unsafe"

	glua "github.com/yuin/gopher-lua"

	"github.com/framesched/framesched/sched"
)

// Parked tasks lend their call-stack tables.
//
// A gopher-lua thread's call stack (with MinimizeStackMemory) grows by
// segments of 8 frames, but its table of segments is allocated whole when
// the thread is made: a pointer per 8 levels of the limit, 5 KB for
// callStackSize, the largest part of a parked Lua task (BenchmarkTaskMemory:
// 5.2 of its 15 KB). Only a thread that runs needs the room to grow, so while
// a task is parked between slices its thread keeps just the entries of the
// segments it uses, in a small array of its own, and the whole table waits
// in a small stock of the host for the next slice that starts. The table is
// gopher-lua's unexported state: its layout is checked by reflection once,
// and threads of a layout other than the one checked (another version of
// gopher-lua) keep their tables.

// lentSegments is how many segments a parked thread keeps in place of its
// table: threads parked deeper (more than 32 Lua frames) keep their table.
const lentSegments = 4

// lendAbove is how many started Lua tasks a host has at most while parking
// threads keep their tables: a few tasks' tables are little memory, and
// lending and taking a table back is a tenth of a park and resume
// (BenchmarkParkResume/lua). A task that parked keeping its table did so
// with at most lendAbove tasks started, so at most lendAbove parked threads
// keep theirs, whatever the count later.
const lendAbove = 64

// maxStockedTables bounds the tables a host keeps for the next slices.
const maxStockedTables = 16

// callStackLayout is where a thread's table of call-stack segments lies.
type callStackLayout struct {
	ok       bool
	itab     unsafe.Pointer // the interface's type word for *autoGrowingCallFrameStack
	stack    uintptr        // LState.stack, a callFrameStack interface
	segments uintptr        // autoGrowingCallFrameStack.segments, a slice of pointers
	segIdx   uintptr        // autoGrowingCallFrameStack.segIdx, the segment in use, a uint16
}

var (
	stackLayout     callStackLayout
	stackLayoutOnce sync.Once
)

// layoutOf checks gopher-lua's call-stack layout on th, once.
func layoutOf(th *glua.LState) *callStackLayout {
	stackLayoutOnce.Do(func() {
		sf, ok := reflect.TypeFor[glua.LState]().FieldByName("stack")
		if !ok || sf.Type.Kind() != reflect.Interface {
			return
		}
		cs := reflect.ValueOf(th).Elem().FieldByIndex(sf.Index).Elem()
		if cs.Kind() != reflect.Pointer || cs.Type().Elem().Kind() != reflect.Struct || cs.Type().Elem().Name() != "autoGrowingCallFrameStack" {
			return
		}
		segs, ok1 := cs.Type().Elem().FieldByName("segments")
		idx, ok2 := cs.Type().Elem().FieldByName("segIdx")
		if !ok1 || !ok2 || segs.Type.Kind() != reflect.Slice || segs.Type.Elem().Kind() != reflect.Pointer || idx.Type.Kind() != reflect.Uint16 {
			return
		}
		word := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(th), sf.Offset))
		stackLayout = callStackLayout{ok: true, itab: word[0], stack: sf.Offset, segments: segs.Offset, segIdx: idx.Offset}
	})
	return &stackLayout
}

// segmentsOf returns th's table of segments and the index of the segment in
// use, or ok false when th's call stack is not of the checked layout.
func segmentsOf(th *glua.LState) (segs *[]unsafe.Pointer, inUse int, ok bool) {
	l := layoutOf(th)
	word := (*[2]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(th), l.stack))
	if !l.ok || word[0] != l.itab {
		return nil, 0, false
	}
	return (*[]unsafe.Pointer)(unsafe.Add(word[1], l.segments)), int(*(*uint16)(unsafe.Add(word[1], l.segIdx))), true
}

// lendTable gives the table of the parked task's thread to the host's
// stock; the thread keeps the segments it uses in lt.kept. Nothing runs on
// the thread until returnTable.
func (lt *luaTask) lendTable() {
	segs, inUse, ok := segmentsOf(lt.th)
	if !ok || lt.tableLen != 0 || inUse >= lentSegments {
		return
	}
	table := *segs
	n := copy(lt.kept[:], table[:inUse+1])
	clear(table[:n])
	*segs = lt.kept[:n:n]
	lt.tableLen = len(table)
	if h := lt.a.h; len(h.tables) < maxStockedTables {
		h.tables = append(h.tables, table)
	}
}

// lentBytes is the size of the table lt's thread has lent, 0 when none.
func (lt *luaTask) lentBytes() int64 {
	return int64(lt.tableLen) * int64(unsafe.Sizeof(unsafe.Pointer(nil)))
}

// returnTable gives the thread of a task about to run a table again: one
// from the host's stock, or a new one.
func (lt *luaTask) returnTable() {
	if lt.tableLen == 0 {
		return
	}
	var table []unsafe.Pointer
	h := lt.a.h
	if n := len(h.tables); n > 0 && len(h.tables[n-1]) == lt.tableLen {
		table, h.tables[n-1] = h.tables[n-1], nil
		h.tables = h.tables[:n-1]
	} else {
		table = make([]unsafe.Pointer, lt.tableLen)
	}
	segs, _, _ := segmentsOf(lt.th)
	n := copy(table, *segs)
	*segs = table
	clear(lt.kept[:n])
	lt.tableLen = 0
}

// onSlice is a Lua task's sched.Self.OnSlice: the watchdog and the memory
// meter (slice) for a watched task, and the table's lending while it is
// parked.
func (lt *luaTask) onSlice(start bool) {
	if start {
		lt.returnTable()
	}
	if lt.watched {
		lt.slice(start)
	}
	if !start && len(lt.a.h.running) > lendAbove && lt.self.State() != sched.Finished {
		lt.lendTable()
	}
}
