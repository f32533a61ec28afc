package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// svgDoc is what the tests read back from an SVG: it is parsed with
// encoding/xml, so any escaping mistake fails the parse.
type svgDoc struct {
	root    xml.StartElement
	elems   map[string]int                 // count per element name
	classes map[string]int                 // count per class attribute value
	texts   []string                       // character data of each <text> element
	textsOf map[string][]string            // the texts of each class of <text> element
	hrefs   []string                       // href of each <image>
	attrs   map[string][]map[string]string // attributes of each element, by element name
	all     []map[string]string            // attributes of every element in document order, the name under "_elem"
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

// parseSVG decodes every token of b, checks the root element and collects
// the svgDoc.
func parseSVG(t *testing.T, b []byte) *svgDoc {
	t.Helper()
	d := &svgDoc{elems: map[string]int{}, classes: map[string]int{}, attrs: map[string][]map[string]string{}, textsOf: map[string][]string{}}
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	var text *strings.Builder
	var textClass string
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
			d.elems[tok.Name.Local]++
			am := map[string]string{}
			for _, a := range tok.Attr {
				am[a.Name.Local] = a.Value
				if a.Name.Local == "class" {
					d.classes[a.Value]++
				}
				if tok.Name.Local == "image" && a.Name.Local == "href" {
					d.hrefs = append(d.hrefs, a.Value)
				}
			}
			d.attrs[tok.Name.Local] = append(d.attrs[tok.Name.Local], am)
			d.all = append(d.all, am)
			am["_elem"] = tok.Name.Local
			if tok.Name.Local == "text" {
				text, textClass = &strings.Builder{}, am["class"]
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" && text != nil {
				d.texts = append(d.texts, text.String())
				d.textsOf[textClass] = append(d.textsOf[textClass], text.String())
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
	w, errW := strconv.Atoi(d.rootAttr("width"))
	h, errH := strconv.Atoi(d.rootAttr("height"))
	if errW != nil || errH != nil || w <= 0 || h <= 0 {
		t.Fatalf("root width=%q height=%q", d.rootAttr("width"), d.rootAttr("height"))
	}
	if vb := d.rootAttr("viewBox"); vb != fmt.Sprintf("0 0 %d %d", w, h) {
		t.Fatalf("viewBox %q for %dx%d", vb, w, h)
	}
	if d.elems["script"] > 0 || bytes.Count(b, []byte("http")) != 1 { // only the xmlns
		t.Fatalf("SVG has a script or an external URL")
	}
	if bytes.Contains(b, []byte(` id=`)) {
		t.Fatalf("SVG has element ids, which can clash in a page")
	}
	return d
}

// withClass are the attributes of the elements of class class, in document
// order.
func (d *svgDoc) withClass(class string) []map[string]string {
	var out []map[string]string
	for _, a := range d.all {
		if a["class"] == class {
			out = append(out, a)
		}
	}
	return out
}

// nastyTitle has every character XML escaping must handle.
const nastyTitle = `a<b & "c" 'd' >e`
