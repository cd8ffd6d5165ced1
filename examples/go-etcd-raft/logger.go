package main

import (
	"fmt"
	"os"
)

// stderrLogger is etcd's raft.Logger writing warnings and errors to stderr (stdout is the protocol). Debug
// and info lines are dropped: etcd logs every election at info level, and the host quotes stderr only when a
// process fails. Panicf panics as etcd expects, with an assertionFailure, which handleLine turns into an error
// reply of kind "assertion": etcd reporting a broken invariant of its own, not an adapter mistake.
type stderrLogger struct{ id uint64 }

func (l stderrLogger) write(level, text string) {
	fmt.Fprintf(os.Stderr, "etcd-raft node %d %s: %s\n", l.id, level, text)
}

func (l stderrLogger) Debug(v ...interface{})                 {}
func (l stderrLogger) Debugf(format string, v ...interface{}) {}
func (l stderrLogger) Info(v ...interface{})                  {}
func (l stderrLogger) Infof(format string, v ...interface{})  {}
func (l stderrLogger) Warning(v ...interface{})               { l.write("warning", fmt.Sprint(v...)) }
func (l stderrLogger) Warningf(format string, v ...interface{}) {
	l.write("warning", fmt.Sprintf(format, v...))
}
func (l stderrLogger) Error(v ...interface{}) { l.write("error", fmt.Sprint(v...)) }
func (l stderrLogger) Errorf(format string, v ...interface{}) {
	l.write("error", fmt.Sprintf(format, v...))
}
func (l stderrLogger) Fatal(v ...interface{})                 { l.fatal(fmt.Sprint(v...)) }
func (l stderrLogger) Fatalf(format string, v ...interface{}) { l.fatal(fmt.Sprintf(format, v...)) }
func (l stderrLogger) Panic(v ...interface{})                 { l.panic(fmt.Sprint(v...)) }
func (l stderrLogger) Panicf(format string, v ...interface{}) { l.panic(fmt.Sprintf(format, v...)) }

func (l stderrLogger) fatal(text string) {
	l.write("fatal", text)
	os.Exit(1)
}

// assertionFailure is the value etcd's Panicf panics with here, so a recover can tell etcd's own invariant checks
// (e.g. "tocommit(70) is out of range [lastIndex(69)]") from a bug of the adapter (a nil pointer, say).
type assertionFailure string

func (l stderrLogger) panic(text string) {
	l.write("panic", text)
	panic(assertionFailure(text))
}
