package lab

import (
	"strings"
	"testing"
)

func TestGoSource(t *testing.T) {
	for _, tc := range []struct {
		names   []string
		want    []string // in the source, in order
		wantErr string
	}{
		{[]string{"Model.Logits", "dense"}, []string{"// Logits builds the forward pass", "func (m *Model) Logits(mctx *mlcontext.Context, x *Node) *Node {",
			"x = dense(mctx, x, i, n)", "func dense(", "Dot(x, w.ValueGraph(g))"}, ""},
		{[]string{"RMSprop.UpdateGraph"}, []string{"// UpdateGraph implements optimizers.Interface.", "func (o *RMSprop) UpdateGraph(",
			"sqAvg = Add(Mul(alpha, sqAvg), Mul(OneMinus(alpha), Square(grad)))"}, ""},
		{[]string{"Model.Nothing"}, nil, `no function "Model.Nothing"`},
		{nil, nil, "no function named"},
	} {
		src, err := GoSource(tc.names...)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("GoSource(%q): error %v, want one containing %q", tc.names, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("GoSource(%q): %v", tc.names, err)
			continue
		}
		rest := src
		for _, w := range tc.want {
			i := strings.Index(rest, w)
			if i < 0 {
				t.Errorf("GoSource(%q) lacks %q (in order):\n%s", tc.names, w, src)
				break
			}
			rest = rest[i+len(w):]
		}
	}
}
