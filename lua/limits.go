package lua

import (
	"strings"

	glua "github.com/yuin/gopher-lua"
)

// Bounded built-ins. gopher-lua's Go built-ins never look at the context
// that the watchdog cancels, so one call could run for seconds or allocate
// without bound from a small input: string.rep("x", 2^40) is a fatal out
// of memory, unpack({}, 1, 400000) takes seconds (each value pushed may
// grow the registry by a fixed step, so n values cost n²). For untrusted
// addons these are replaced:
//
//   - string.rep, string.format and table.concat refuse a result over
//     maxString bytes, checked before allocating it;
//   - unpack and string.byte refuse more than maxResults values, Lua 5.1's
//     own limit (LUAI_MAXCSTACK);
//   - table.concat builds its result in one buffer, without the stack;
//   - coroutine.resume runs the coroutine under the context of the code
//     resuming it, so the watchdog of that code reaches the coroutine;
//   - string.find, match, gmatch (and gfind) and gsub run our own pattern
//     matcher (patterns.go, package luapat), which checks the context every
//     few thousand steps, so the watchdog ends a pattern that backtracks
//     for hours (string.rep("a-", 12).."b" over 40 "a"s), and whose
//     backtracking stack is bounded ("pattern too complex"); gsub builds
//     its result in one buffer and refuses one over maxString bytes;
//   - the `..` operator, one VM instruction that gopher-lua gives no hook,
//     is compiled into a call of a guard that refuses a result over
//     maxString bytes before building it (concat.go, compile.go): "..: the
//     result would be over 16 MiB".
//
// Each refusal is a Lua error naming the function and the limit. Trusted
// addons keep gopher-lua's built-ins and `..`: nothing interrupts them
// anyway.
const (
	maxString  = 16 << 20
	maxResults = 8000
)

// limitBuiltins replaces the built-ins above in a state of an untrusted
// addon, its main state or a worker state; charge is the state's memory
// budget's.
func limitBuiltins(L *glua.LState, charge allocHook) {
	lib := func(name string) *glua.LTable {
		if name == "" {
			return L.G.Global
		}
		return L.GetGlobal(name).(*glua.LTable)
	}
	set := func(name, fn string, f glua.LGFunction) { lib(name).RawSetString(fn, L.NewFunction(f)) }
	orig := func(name, fn string) glua.LGFunction { return lib(name).RawGetString(fn).(*glua.LFunction).GFunction }

	set("", "unpack", limitedUnpack)
	set("string", "rep", limitedRep(charge))
	set("string", "byte", limitedByte(orig("string", "byte")))
	set("string", "format", limitedFormat(charge, orig("string", "format")))
	set("table", "concat", limitedConcat(charge))
	set("string", "find", strFind)
	set("string", "match", strMatch)
	gmatch := L.NewFunction(strGmatch)
	lib("string").RawSetString("gmatch", gmatch)
	lib("string").RawSetString("gfind", gmatch)
	set("string", "gsub", chargeResult(charge, strGsub))
	for _, fn := range []string{"upper", "lower", "reverse"} {
		set("string", fn, chargeArg(charge, orig("string", fn)))
	}
	create := orig("coroutine", "create")
	set("coroutine", "create", func(L *glua.LState) int {
		charge(L, sizeThread)
		if ctx := L.Context(); ctx != nil {
			// The coroutine's context derives from L's, which the
			// resume that runs it replaces; a meter must not be its parent
			// (see plain).
			L.SetContext(plain(ctx))
			defer L.SetContext(ctx)
		}
		return create(L)
	})
	propagateResume(L)
}

// propagateResume makes coroutine.resume run the coroutine under the
// context of the code resuming it.
func propagateResume(L *glua.LState) {
	co := L.GetGlobal("coroutine").(*glua.LTable)
	resume := co.RawGetString("resume").(*glua.LFunction).GFunction
	co.RawSetString("resume", L.NewFunction(func(L *glua.LState) int {
		if th, ok := L.Get(1).(*glua.LState); ok && L.Context() != nil {
			th.SetContext(L.Context())
		}
		return resume(L)
	}))
}

// tooLong raises the error of a result over maxString bytes.
func tooLong(L *glua.LState, fn string) {
	L.RaiseError("%s: the result would be over %d MiB", fn, maxString>>20)
}

// tooMany raises the error of more than maxResults values.
func tooMany(L *glua.LState, fn string, n int64) {
	L.RaiseError("%s: too many results (%d, the limit is %d)", fn, n, maxResults)
}

// limitedUnpack is unpack(t [, i [, j]]).
func limitedUnpack(L *glua.LState) int {
	t := L.CheckTable(1)
	i := int64(L.OptInt(2, 1))
	j := int64(L.OptInt(3, t.Len()))
	if i > j {
		return 0
	}
	if n := j - i + 1; n > maxResults || n <= 0 {
		tooMany(L, "unpack", n)
	}
	for k := i; k <= j; k++ {
		L.Push(t.RawGetInt(int(k)))
	}
	return int(j - i + 1)
}

// chargeArg charges the addon's memory budget with the length of f's first
// argument, a string, before f makes one as long (string.upper).
func chargeArg(charge allocHook, f glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		if s, ok := L.Get(1).(glua.LString); ok {
			charge(L, int64(len(s)))
		}
		return f(L)
	}
}

// chargeResult charges the addon's memory budget with the length of f's
// first result, a string that f built within maxString bytes (string.gsub).
func chargeResult(charge allocHook, f glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		n := f(L)
		if s, ok := L.Get(-n).(glua.LString); ok && n > 0 {
			charge(L, int64(len(s)))
		}
		return n
	}
}

// limitedRep is string.rep(s, n).
func limitedRep(charge allocHook) glua.LGFunction {
	return func(L *glua.LState) int {
		s := L.CheckString(1)
		n := L.CheckInt(2)
		if n <= 0 || s == "" {
			L.Push(glua.LString(""))
			return 1
		}
		if int64(n) > maxString/int64(len(s)) {
			tooLong(L, "string.rep")
		}
		charge(L, int64(n)*int64(len(s)))
		L.Push(glua.LString(strings.Repeat(s, n)))
		return 1
	}
}

// limitedByte is gopher-lua's string.byte(s [, i [, j]]) with at most
// maxResults values. (Like gopher-lua's, string.byte(s) returns every byte.)
func limitedByte(byteFn glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		s := L.CheckString(1)
		l, start, end := len(s), L.OptInt(2, 1)-1, L.OptInt(3, -1)
		if start < 0 {
			start = l + start + 1
		}
		if end < 0 {
			end = l + end + 1
		}
		if n := min(end, l) - max(start, 0); L.GetTop() != 2 && n > maxResults {
			tooMany(L, "string.byte", int64(n))
		}
		return byteFn(L)
	}
}

// limitedConcat is table.concat(t [, sep [, i [, j]]]), with gopher-lua's
// choice of i and j, built in one buffer of at most maxString bytes.
func limitedConcat(charge allocHook) glua.LGFunction {
	return func(L *glua.LState) int {
		t := L.CheckTable(1)
		sep := L.OptString(2, "")
		i := L.OptInt(3, 1)
		j := L.OptInt(4, t.Len())
		if L.GetTop() == 3 && (i > t.Len() || i < 1) {
			L.Push(glua.LString(""))
			return 1
		}
		i = max(min(i, t.Len()), 1)
		j = min(j, t.Len())
		if i > j {
			L.Push(glua.LString(""))
			return 1
		}
		size := int64(j-i) * int64(len(sep))
		parts := make([]string, 0, min(j-i+1, 1024))
		for k := i; k <= j; k++ {
			v := t.RawGetInt(k)
			if !glua.LVCanConvToString(v) {
				L.RaiseError("invalid value (%s) at index %d in table for concat", v.Type().String(), k)
			}
			s := v.String()
			if size += int64(len(s)); size > maxString {
				tooLong(L, "table.concat")
			}
			parts = append(parts, s)
		}
		charge(L, size)
		L.Push(glua.LString(strings.Join(parts, sep)))
		return 1
	}
}

// limitedFormat is gopher-lua's string.format with Lua 5.1's limit of two
// digits on a width or precision, and at most maxString bytes of result:
// each value formatted adds its own length, or 512 bytes for a number,
// plus its width and precision.
func limitedFormat(charge allocHook, format glua.LGFunction) glua.LGFunction {
	return func(L *glua.LState) int {
		f := L.CheckString(1)
		size, arg := int64(len(f)), 2
		for i := 0; i < len(f); i++ {
			if f[i] != '%' {
				continue
			}
			i++
			if i < len(f) && f[i] == '%' {
				continue
			}
			for i < len(f) && strings.IndexByte("-+ #0", f[i]) >= 0 {
				i++
			}
			for _, what := range []string{"width", "precision"} {
				if what == "precision" && (i >= len(f) || f[i] != '.') {
					break
				} else if what == "precision" {
					i++
				}
				n := 0
				for ; i < len(f) && f[i] >= '0' && f[i] <= '9'; i++ {
					n++
				}
				if n > 2 {
					L.RaiseError("string.format: invalid format (%s over 2 digits)", what)
				}
			}
			size += 200
			switch v := L.Get(arg).(type) {
			case glua.LString:
				size += int64(len(v))
			default:
				size += 512
			}
			arg++
		}
		if size > maxString {
			tooLong(L, "string.format")
		}
		charge(L, size)
		return format(L)
	}
}
