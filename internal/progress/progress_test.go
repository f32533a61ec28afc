package progress

import (
	"bytes"
	"strings"
	"testing"
)

func TestBar(t *testing.T) {
	for _, tc := range []struct {
		name  string
		unit  Unit
		total int64
		steps []int64
		want  []string // substrings of the output
	}{
		{"steps", Count, 469, []int64{1, 469}, []string{"\repoch 3", "[==============================] 469/469", " done\n"}},
		{"bytes", Bytes, 2e6, []int64{1e6, 2e6}, []string{" 50%", "100%    2.0/2.0 MB", " done\n"}},
		{"bytes, total unknown", Bytes, -1, []int64{5e5}, []string{"   0.5 MB", " done\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			b := New(&out, "epoch 3", tc.total, tc.unit)
			for _, s := range tc.steps {
				b.Set(s)
			}
			b.Finish("done")
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output %q lacks %q", out.String(), w)
				}
			}
		})
	}
}

func TestClearAndNil(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, "x", 10, Count)
	b.Clear() // nothing drawn yet: nothing to erase
	if out.Len() != 0 {
		t.Errorf("Clear before any draw wrote %q", out.String())
	}
	b.Set(3)
	b.Clear()
	if !strings.HasSuffix(out.String(), "\r") {
		t.Errorf("Clear did not return to the line's start: %q", out.String())
	}
	New(nil, "x", 10, Count).Set(1) // draws nothing, does not panic
	var nilBar *Bar
	nilBar.Set(1)
	nilBar.Clear()
	if IsTerminal(&out) {
		t.Error("a buffer is not a terminal")
	}
}
