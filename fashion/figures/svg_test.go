package figures

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from an SVG: it is parsed with
// encoding/xml, so any escaping mistake fails the parse. (Package chart's
// tests check the drawings in depth; these check what the figures put in.)
type svgDoc struct {
	root    xml.StartElement
	classes map[string]int      // count per class attribute value
	texts   []string            // character data of each <text> element
	attrs   []map[string]string // attributes of every element in document order, the name under "_elem"
}

func (d *svgDoc) hasText(s string) bool {
	for _, t := range d.texts {
		if t == s {
			return true
		}
	}
	return false
}

func (d *svgDoc) rootAttr(name string) string {
	for _, a := range d.root.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// withClass are the attributes of the elements of class class, in order.
func (d *svgDoc) withClass(class string) []map[string]string {
	var out []map[string]string
	for _, a := range d.attrs {
		if a["class"] == class {
			out = append(out, a)
		}
	}
	return out
}

// parseSVG decodes every token of b and checks it is one svg element with
// no script, external URL or element id.
func parseSVG(t *testing.T, b []byte) *svgDoc {
	t.Helper()
	d := &svgDoc{classes: map[string]int{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	var text *strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v\n%s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				if d.root.Name.Local != "" {
					t.Fatalf("second root element %q", tok.Name.Local)
				}
				d.root = tok.Copy()
			}
			depth++
			am := map[string]string{"_elem": tok.Name.Local}
			for _, a := range tok.Attr {
				am[a.Name.Local] = a.Value
				if a.Name.Local == "class" {
					d.classes[a.Value]++
				}
			}
			d.attrs = append(d.attrs, am)
			if tok.Name.Local == "text" {
				text = &strings.Builder{}
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" && text != nil {
				d.texts = append(d.texts, text.String())
				text = nil
			}
		case xml.CharData:
			if text != nil {
				text.Write(tok)
			}
		}
	}
	if d.root.Name.Local != "svg" || d.root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("root element is %v, want svg in the SVG namespace", d.root.Name)
	}
	if bytes.Contains(b, []byte("<script")) || bytes.Count(b, []byte("http")) != 1 { // only the xmlns
		t.Fatalf("SVG has a script or an external URL")
	}
	if bytes.Contains(b, []byte(` id=`)) {
		t.Fatalf("SVG has element ids, which can clash in a page")
	}
	return d
}

// nastyTitle has every character XML escaping must handle.
const nastyTitle = `a<b & "c" 'd' >e`
