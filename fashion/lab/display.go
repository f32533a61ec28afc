package lab

import (
	"errors"
	"fmt"
	"html"
	"sync"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/janpfeifer/gonb/gonbui"
	"github.com/janpfeifer/gonb/gonbui/protocol"
)

// InNotebook reports whether the program runs in a GoNB notebook cell.
func InNotebook() bool { return gonbui.IsNotebook }

// shown, if not nil, receives every SVG that DisplaySVG, LivePlot.Show or
// LivePlot.Done shows, in a notebook or not: what tests look at.
var shown func(svg []byte)

// DisplaySVG shows an SVG document in the cell's output.
func DisplaySVG(svg []byte) error {
	if len(svg) == 0 {
		return errors.New("lab: DisplaySVG: empty SVG")
	}
	if shown != nil {
		shown(svg)
	}
	if gonbui.IsNotebook {
		sendSVG("", svg)
	}
	return nil
}

// DisplayMarkdown shows Markdown in a notebook, or prints it outside one.
func DisplayMarkdown(md string) error {
	if gonbui.IsNotebook {
		gonbui.DisplayMarkdown(md)
		gonbui.Sync() // as sendSVG does
	} else {
		fmt.Print(md)
	}
	return nil
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
	// Wait until GoNB has published it: a cell's process that exits with
	// data still in the pipe can lose it (a cell of a headless run once
	// ended without its chart).
	gonbui.Sync()
}

// The Display functions draw with Spanish's words: the axes, legends and
// labels of their charts are in Spanish; titles and names are the
// caller's.

// DisplayCurves shows the loss and accuracy charts of a history.
func DisplayCurves(title string, h []fashion.Epoch) error {
	if len(h) == 0 {
		return errors.New("lab: DisplayCurves: empty history")
	}
	return DisplaySVG(Spanish.CurvesSVG(title, h))
}

// DisplayOverlay shows one metric of several histories in one chart; see
// figures.Labels.OverlaySVG for the metrics and the errors.
func DisplayOverlay(title, metric string, names []string, histories [][]fashion.Epoch) error {
	svg, err := Spanish.OverlaySVG(title, metric, names, histories)
	if err != nil {
		return err
	}
	return DisplaySVG(svg)
}

// DisplayConfusion shows a confusion matrix (rows true class, columns
// predicted class) labelled with the class names.
func DisplayConfusion(title string, m [fashion.NumClasses][fashion.NumClasses]int) error {
	return DisplaySVG(Spanish.ConfusionSVG(title, m))
}

// DisplayBars shows a horizontal bar chart of values with a format such as
// "%.1f%%".
func DisplayBars(title string, names []string, values []float64, format string) error {
	svg, err := (&chart.Bars{Title: title, Names: names, Values: values, Format: format, Texts: Spanish.Chart}).SVG()
	if err != nil {
		return err
	}
	return DisplaySVG(svg)
}

// DisplayImages shows 28×28 images with captions in a grid of cols columns.
func DisplayImages(images [][]uint8, captions []string, cols int) error {
	svg, err := Spanish.ImagesSVG(images, captions, cols)
	if err != nil {
		return err
	}
	return DisplaySVG(svg)
}

// LivePlot shows the loss and accuracy curves of a training while it runs,
// redrawn after every epoch in one output area of the cell, and leaves the
// final static chart there when Done is called. Its Update method fits
// fashion.Hooks.Epoch:
//
//	live := lab.NewLivePlot("my model")
//	hooks := fashion.Hooks{Epoch: live.Update}
//	// ... train with hooks ...
//	err := live.Done()
//
// Outside a notebook it only records the history. It is safe for
// concurrent use.
type LivePlot struct {
	mu      sync.Mutex
	title   string
	id      string // GoNB display id; "" outside a notebook
	history []fashion.Epoch
}

// NewLivePlot starts a live plot. In a notebook it reserves an output area
// of the cell, showing a placeholder until the first epoch.
func NewLivePlot(title string) *LivePlot {
	p := &LivePlot{title: title}
	if gonbui.IsNotebook {
		p.id = "fashion_live_" + gonbui.UniqueId()
		msg := "esperando la primera época…"
		if title != "" {
			msg = title + ": " + msg
		}
		gonbui.UpdateHTML(p.id, `<div style="font-family:Helvetica, Arial, sans-serif;color:#666666">`+html.EscapeString(msg)+`</div>`)
	}
	return p
}

// Update records an epoch and, in a notebook, redraws the curves. It
// always returns nil, so it can be used as Hooks.Epoch.
func (p *LivePlot) Update(e fashion.Epoch) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.history = append(p.history, e)
	if p.id != "" {
		title := fmt.Sprintf("época %d", e.Epoch)
		if p.title != "" {
			title = p.title + " (" + title + ")"
		}
		gonbui.UpdateHTML(p.id, "<div>"+string(Spanish.CurvesSVG(title, p.history))+"</div>")
	}
	return nil
}

// Done replaces the live area with the final static chart of the history.
func (p *LivePlot) Done() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.history) == 0 {
		return errors.New("lab: LivePlot.Done: no epoch recorded")
	}
	svg := Spanish.CurvesSVG(p.title, p.history)
	if shown != nil {
		shown(svg)
	}
	if p.id != "" {
		sendSVG(p.id, svg)
	}
	return nil
}

// DoneWith replaces the recorded epochs with h and shows the final static
// chart: for a run that was not trained here (e.g. loaded from the cache).
func (p *LivePlot) DoneWith(h []fashion.Epoch) error {
	p.mu.Lock()
	p.history = append([]fashion.Epoch(nil), h...)
	p.mu.Unlock()
	return p.Done()
}

// Restart clears the recorded epochs and gives the plot a new title, in
// the same output area: for the next seed of an experiment.
func (p *LivePlot) Restart(title string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.title, p.history = title, nil
}

// Show replaces the live area with svg, a chart other than the curves of
// the recorded history (e.g. the versions of an experiment). It fails on
// an empty SVG.
func (p *LivePlot) Show(svg []byte) error {
	if len(svg) == 0 {
		return errors.New("lab: LivePlot.Show: empty SVG")
	}
	if shown != nil {
		shown(svg)
	}
	if p.id != "" {
		sendSVG(p.id, svg)
	}
	return nil
}

// History returns a copy of the epochs recorded so far.
func (p *LivePlot) History() []fashion.Epoch {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]fashion.Epoch(nil), p.history...)
}

// DisplayAugmented shows the first n training images as they are and, in
// the rows below, copies of them as cfg's augmentation changes them at
// random (Config.Shift, Flip, Erase), from cfg.Seed.
func DisplayAugmented(cfg fashion.Config, n, copies int) error {
	data, err := Data()
	if err != nil {
		return err
	}
	if n < 1 || n > data.Train.Len() || copies < 1 || copies > 10 {
		return fmt.Errorf("lab: DisplayAugmented(%d images, %d copies): want 1..%d images and 1..10 copies", n, copies, data.Train.Len())
	}
	originals := make([][]uint8, n)
	captions := make([]string, 0, n*(copies+1))
	for i := range originals {
		originals[i] = data.Train.Image(i)
		captions = append(captions, "original: "+fashion.ClassNames()[data.Train.Labels[i]])
	}
	changed, err := fashion.AugmentImages(originals, copies, cfg)
	if err != nil {
		return err
	}
	for c := range copies {
		for range originals {
			captions = append(captions, fmt.Sprintf("aumentada %d", c+1))
		}
	}
	return DisplayImages(append(originals, changed...), captions, n)
}
