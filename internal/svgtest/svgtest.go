// Package svgtest reads back the SVGs of fashion/chart and fashion/figures
// in their tests: it parses them with encoding/xml (so any escaping mistake
// fails), checks the root element, and collects what the tests assert on.
package svgtest

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
)

// Doc is what a test reads back from an SVG.
type Doc struct {
	Root    xml.StartElement
	Elems   map[string]int                 // count per element name
	Classes map[string]int                 // count per class attribute value
	Texts   []string                       // character data of each <text> element
	TextsOf map[string][]string            // the Texts of each class of <text> element
	Hrefs   []string                       // href of each <image>
	Attrs   map[string][]map[string]string // attributes of each element, by element name
	All     []map[string]string            // attributes of every element in document order, the name under "_elem"
}

func (d *Doc) HasText(s string) bool {
	for _, t := range d.Texts {
		if t == s {
			return true
		}
	}
	return false
}

func (d *Doc) RootAttr(name string) string {
	for _, a := range d.Root.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// Parse decodes every token of b, checks the Root element and collects
// the Doc.
func Parse(t testing.TB, b []byte) *Doc {
	t.Helper()
	d := &Doc{Elems: map[string]int{}, Classes: map[string]int{}, Attrs: map[string][]map[string]string{}, TextsOf: map[string][]string{}}
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
				if d.Root.Name.Local != "" {
					t.Fatalf("second Root element %q", tok.Name.Local)
				}
				d.Root = tok.Copy()
			}
			depth++
			d.Elems[tok.Name.Local]++
			am := map[string]string{}
			for _, a := range tok.Attr {
				am[a.Name.Local] = a.Value
				if a.Name.Local == "class" {
					d.Classes[a.Value]++
				}
				if tok.Name.Local == "image" && a.Name.Local == "href" {
					d.Hrefs = append(d.Hrefs, a.Value)
				}
			}
			d.Attrs[tok.Name.Local] = append(d.Attrs[tok.Name.Local], am)
			d.All = append(d.All, am)
			am["_elem"] = tok.Name.Local
			if tok.Name.Local == "text" {
				text, textClass = &strings.Builder{}, am["class"]
			}
		case xml.EndElement:
			depth--
			if tok.Name.Local == "text" && text != nil {
				d.Texts = append(d.Texts, text.String())
				d.TextsOf[textClass] = append(d.TextsOf[textClass], text.String())
				text = nil
			}
		case xml.CharData:
			if text != nil {
				text.Write(tok)
			}
		}
	}
	if d.Root.Name.Local != "svg" || d.Root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Fatalf("Root element is %v, want svg in the SVG namespace", d.Root.Name)
	}
	w, errW := strconv.Atoi(d.RootAttr("width"))
	h, errH := strconv.Atoi(d.RootAttr("height"))
	if errW != nil || errH != nil || w <= 0 || h <= 0 {
		t.Fatalf("Root width=%q height=%q", d.RootAttr("width"), d.RootAttr("height"))
	}
	if vb := d.RootAttr("viewBox"); vb != fmt.Sprintf("0 0 %d %d", w, h) {
		t.Fatalf("viewBox %q for %dx%d", vb, w, h)
	}
	if d.Elems["script"] > 0 || bytes.Count(b, []byte("http")) != 1 { // only the xmlns
		t.Fatalf("SVG has a script or an external URL")
	}
	if bytes.Contains(b, []byte(` id=`)) {
		t.Fatalf("SVG has element ids, which can clash in a page")
	}
	return d
}

// WithClass are the attributes of the elements of class class, in document
// order.
func (d *Doc) WithClass(class string) []map[string]string {
	var out []map[string]string
	for _, a := range d.All {
		if a["class"] == class {
			out = append(out, a)
		}
	}
	return out
}

// Rendered checks what a renderer returned, for table-driven tests: with
// wantErr set, that it failed with an error containing wantErr (it returns
// nil, there is nothing to read); otherwise that it succeeded, and it
// returns the parsed Doc.
func Rendered(t testing.TB, b []byte, err error, wantErr string) *Doc {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want one containing %q", err, wantErr)
		}
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return Parse(t, b)
}
