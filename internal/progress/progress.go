// Package progress draws the module's one kind of progress bar: a single
// line redrawn in place with "\r", for downloads (bytes) and training
// epochs (steps).
//
// Written here because the bars GoMLX ships (pkg/ml/train's progressbar
// loop hook) are tied to its train.Loop, which this module does not use.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Width is the number of cells of the bar.
const Width = 30

// Unit says how the counts are printed.
type Unit int

const (
	Count Unit = iota // "120/469"
	Bytes             // "12.3/29.5 MB"
)

// Bar is a one-line progress bar on a writer. It redraws at most every
// 100 ms (and whenever the percentage changes for Bytes), so a fast loop
// does not flood a terminal. The zero value draws nothing.
type Bar struct {
	w       io.Writer
	label   string
	unit    Unit
	total   int64 // <= 0: unknown
	done    int64
	lastPct int
	last    time.Time
	drawn   bool
}

// New returns a bar drawing on w; total <= 0 means the total is unknown. A
// nil w gives a bar that draws nothing.
func New(w io.Writer, label string, total int64, unit Unit) *Bar {
	return &Bar{w: w, label: label, total: total, unit: unit, lastPct: -1}
}

// IsTerminal reports whether w is a character device (a terminal): a bar on
// a log file or pipe would fill it with redraws.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// Reset starts the bar again with a new label and total (the next epoch).
func (b *Bar) Reset(label string, total int64) {
	b.label, b.total, b.done, b.lastPct = label, total, 0, -1
}

// Set records that done units are finished and redraws if due.
func (b *Bar) Set(done int64) {
	if b == nil || b.w == nil {
		return
	}
	b.done = done
	due := time.Since(b.last) >= 100*time.Millisecond || (b.total > 0 && done >= b.total)
	if b.unit == Bytes && b.total > 0 {
		due = b.percent() != b.lastPct
	}
	if due || !b.drawn {
		b.draw()
	}
}

// Write counts len(p) units (bytes), so a Bar can sit in an io.MultiWriter.
func (b *Bar) Write(p []byte) (int, error) {
	b.Set(b.done + int64(len(p)))
	return len(p), nil
}

func (b *Bar) percent() int {
	if b.total <= 0 {
		return 0
	}
	return int(min(100, b.done*100/b.total))
}

func (b *Bar) draw() {
	b.drawn, b.last, b.lastPct = true, time.Now(), b.percent()
	var counts string
	switch {
	case b.unit == Bytes && b.total > 0:
		counts = fmt.Sprintf("%3d%% %6.1f/%.1f MB", b.percent(), float64(b.done)/1e6, float64(b.total)/1e6)
	case b.unit == Bytes:
		counts = fmt.Sprintf("%6.1f MB", float64(b.done)/1e6)
	default:
		counts = fmt.Sprintf("%d/%d", b.done, b.total)
	}
	if b.total > 0 {
		filled := b.percent() * Width / 100
		fmt.Fprintf(b.w, "\r%-28s [%s%s] %s", b.label, strings.Repeat("=", filled), strings.Repeat(" ", Width-filled), counts)
	} else {
		fmt.Fprintf(b.w, "\r%-28s %s", b.label, counts)
	}
}

// Finish draws the final state and ends the line with a word ("done",
// "failed").
func (b *Bar) Finish(word string) {
	if b == nil || b.w == nil {
		return
	}
	b.draw()
	fmt.Fprintln(b.w, " "+word)
	b.drawn = false
}

// Clear erases the bar's line, so that other output can take it.
func (b *Bar) Clear() {
	if b == nil || b.w == nil || !b.drawn {
		return
	}
	fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", 28+Width+24))
	b.drawn = false
}
