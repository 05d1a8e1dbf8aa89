// Package tracecheck checks that a trace file follows the Trace Event
// Format as Perfetto and chrome://tracing read it, for the tests of the
// packages that write one (tracefile and its hosts).
package tracecheck
