// Package chart draws static charts as SVG (and gray images as PNG) with the
// standard library only: line charts with bands, reference lines and direct
// labels; small multiples of line charts; heat maps of count matrices;
// horizontal bar charts; dot charts with interval whiskers; image grids and
// an image's pixel values as text. It knows nothing of the data it draws:
// callers pass numbers, names and labels.
//
// # No language
//
// Every word a drawing holds is its caller's: titles, axis labels, names,
// captions, and the few words a chart would write of its own accord (what
// stands for missing data) in each chart's Texts. Left empty, those write
// nothing, and an unnamed series is numbered ("#1"): a chart drawn for a
// Spanish notebook has no English in it, and one drawn for an English
// report no Spanish.
//
// # Why hand-written
//
// GoMLX ships plotting helpers (margaid, plotly), but they are fed by a
// train.Loop, send inline HTML that JupyterLab sanitizes, or load their
// JavaScript from a CDN: a notebook opened offline, after the sanitizer, or
// on GitHub may show nothing. These SVGs have no JavaScript, no external
// fonts or URLs and no element ids: they show anywhere an <img> or inline
// SVG does, and several can share one HTML page without clashing.
//
// # Determinism
//
// The same input always gives the same bytes: coordinates are rounded to one
// decimal, nothing depends on map order, time or randomness. Outputs can be
// compared byte for byte, cached, and committed to a repository without
// spurious diffs.
//
// # Classes
//
// The parts of a drawing carry classes prefixed "fm-" (fm-series, fm-band,
// fm-legend-entry, fm-direct-label, fm-panel, fm-cell, fm-bar, fm-dot,
// fm-whisker, fm-ref, fm-note, fm-image, fm-caption, fm-title, ...), which
// tests and style sheets select; the doc of each chart names its own.
//
// # Bad input
//
// Values that cannot be drawn (NaN, ±Inf, and on a logarithmic axis values
// <= 0) are skipped, leaving a gap. Inputs that cannot be meant (slices of
// mismatched lengths, a ragged matrix, an image of the wrong size, an
// absurd scale) are errors, never panics.
package chart
