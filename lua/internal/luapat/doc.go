// Package luapat is a Lua 5.1 pattern matcher (reference manual §5.4.1)
// written for code that must not hang or exhaust its host: the pattern
// functions of untrusted addons (string.find, match, gmatch and gsub).
//
// Guarantees:
//
//   - The matcher is a classic backtracking one, but iterative: its
//     choice points live on an explicit stack, never on the Go stack, and
//     that stack holds at most MaxDepth entries (one per quantified item of
//     the pattern on the current path); a deeper pattern ends with
//     ErrTooComplex.
//   - It calls the check function given to it every CheckEvery steps (one
//     step per pattern item tried, per backtrack and per subject byte
//     scanned) and stops with the check's error as soon as it returns one,
//     so a pattern that would backtrack for hours can be interrupted.
//   - Its memory is the compiled pattern, the stack and the captures: it
//     never copies the subject.
//
// It follows gopher-lua's dialect where gopher-lua's differs from Lua 5.1
// in ways scripts can observe (see Compile), since the scripts it runs were
// written against gopher-lua.
package luapat
