// Package figures draws the project's standard figures from its types:
// the loss and accuracy curves of a training history (fashion.Epoch), one
// metric of several runs overlaid, the confusion matrix and the per-class
// accuracy of an evaluation, and galleries of 28×28 Fashion-MNIST images.
//
// The drawing is done by package chart, which knows nothing of Fashion-MNIST;
// this package only turns histories, class names and image sizes into
// chart inputs, so that notebooks and the HTML report show the same figures.
//
// Neither package has a language: every word of a figure (axes, legends,
// captions, class names, a table's header, what stands for missing data)
// comes from a Labels value, whose methods draw the figures. English holds
// the words of the HTML report (`fashion report`), which the package-level
// functions use; the notebook layer, package lab, passes Spanish ones.
//
// Like chart's, every figure is a deterministic, self-contained SVG. It
// never talks to a notebook: displaying the bytes is the caller's job.
package figures
