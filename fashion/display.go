package fashion

// Thin wrappers that show the charts of plot.go in a GoNB (Jupyter)
// notebook. Outside a notebook every Display function does nothing: it
// still reports invalid arguments, but renders and sends nothing.

import (
	"fmt"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// InNotebook reports whether the program runs in a GoNB notebook cell.
func InNotebook() bool { return gonbui.IsNotebook }

// DisplaySVG shows an SVG document in the cell's output.
func DisplaySVG(svg []byte) {
	if !gonbui.IsNotebook {
		return
	}
	sendSVG("", svg)
}

// sendSVG sends svg as image/svg+xml, which JupyterLab draws for outputs it
// trusts (those of the session). Not as inline HTML (gonbui.DisplaySvg's
// way): in a notebook opened from disk, untrusted, JupyterLab sanitizes HTML
// and shows a chart's labels as loose text. For such notebooks
// notebooks/run_notebook.py adds a PNG of every SVG when it saves one. id,
// if not empty, is the display id to create or update.
func sendSVG(id string, svg []byte) {
	gonbui.SendData(&protocol.DisplayData{
		Data:      map[protocol.MIMEType]any{protocol.MIMEImageSVG: string(svg)},
		DisplayID: id,
	})
}

// DisplayCurves shows the loss and accuracy charts of a history.
func DisplayCurves(title string, h []Epoch) {
	if !gonbui.IsNotebook {
		return
	}
	DisplaySVG(CurvesSVG(title, h))
}

// DisplayOverlay shows one metric of several histories in one chart; see
// OverlaySVG for the metrics and the errors.
func DisplayOverlay(title, metric string, names []string, histories [][]Epoch) error {
	if !gonbui.IsNotebook {
		return checkOverlay(metric, names, histories)
	}
	svg, err := OverlaySVG(title, metric, names, histories)
	if err != nil {
		return err
	}
	DisplaySVG(svg)
	return nil
}

// DisplayConfusion shows a confusion matrix (rows true class, columns
// predicted class) labelled with ClassNames.
func DisplayConfusion(title string, m [NumClasses][NumClasses]int) {
	if !gonbui.IsNotebook {
		return
	}
	DisplaySVG(ConfusionSVG(title, m, nil))
}

// DisplayBars shows a horizontal bar chart; see BarsSVG.
func DisplayBars(title string, names []string, values []float64, format string) {
	if !gonbui.IsNotebook {
		return
	}
	DisplaySVG(BarsSVG(title, names, values, format))
}

// DisplayImages shows images with captions in a grid of cols columns at 3
// screen pixels per image pixel; see ImageGridSVG for the errors.
func DisplayImages(images [][]uint8, captions []string, cols int) error {
	if !gonbui.IsNotebook {
		return checkImages(images, captions, 3)
	}
	svg, err := ImageGridSVG(images, captions, cols, 0)
	if err != nil {
		return err
	}
	DisplaySVG(svg)
	return nil
}

// LivePlot shows the loss and accuracy curves of a training while it runs,
// redrawn after every epoch in one output area of the cell, and leaves the
// final static chart there when Done is called. Its Update method fits
// Hooks.Epoch:
//
//	live := fashion.NewLivePlot("my model")
//	hooks := fashion.Hooks{Epoch: live.Update}
//	// ... train with hooks ...
//	live.Done()
//
// Outside a notebook it only records the history. It is safe for
// concurrent use.
type LivePlot struct {
	mu      sync.Mutex
	title   string
	id      string // GoNB display id; "" outside a notebook
	history []Epoch
}

// NewLivePlot starts a live plot. In a notebook it reserves an output area
// of the cell, showing a placeholder until the first epoch.
func NewLivePlot(title string) *LivePlot {
	p := &LivePlot{title: title}
	if gonbui.IsNotebook {
		p.id = "fashion_live_" + gonbui.UniqueId()
		msg := "waiting for the first epoch…"
		if title != "" {
			msg = title + ": " + msg
		}
		gonbui.UpdateHTML(p.id, `<div style="font-family:`+fontFamily+`;color:#666666">`+esc(msg)+`</div>`)
	}
	return p
}

// Update records an epoch and, in a notebook, redraws the curves. It
// always returns nil, so it can be used as Hooks.Epoch.
func (p *LivePlot) Update(e Epoch) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.history = append(p.history, e)
	if p.id != "" {
		title := fmt.Sprintf("epoch %d", e.Epoch)
		if p.title != "" {
			title = p.title + " (" + title + ")"
		}
		gonbui.UpdateHTML(p.id, "<div>"+string(CurvesSVG(title, p.history))+"</div>")
	}
	return nil
}

// Done replaces the live area with the final static chart of the history.
func (p *LivePlot) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.id != "" {
		sendSVG(p.id, CurvesSVG(p.title, p.history))
	}
}

// DoneWith replaces the recorded epochs with h and shows the final static
// chart: for a run that was not trained here (e.g. loaded from the cache).
func (p *LivePlot) DoneWith(h []Epoch) {
	p.mu.Lock()
	p.history = append([]Epoch(nil), h...)
	p.mu.Unlock()
	p.Done()
}

// History returns a copy of the epochs recorded so far.
func (p *LivePlot) History() []Epoch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Epoch(nil), p.history...)
}
