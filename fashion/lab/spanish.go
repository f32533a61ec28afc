package lab

import (
	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// Spanish are the words of every figure the notebook shows: the
// notebook speaks Spanish, so its charts do too (figures.English are
// those of `fashion report`). A cell that draws a figure of its own can
// use them, e.g. lab.Spanish.CurvesSVG(title, run.History).
//
// The classes keep the exercise's names (fashion.ClassNames), which the
// notebook prints as the label table and the data's sample captions use.
var Spanish = figures.Labels{
	Epoch: "época", Loss: "pérdida", Accuracy: "exactitud", AccuracyAxis: "exactitud (%)",
	Train: "entrenamiento", Val: "validación",
	TrainLoss: "pérdida de entrenamiento", ValLoss: "pérdida de validación",
	TrainAccuracy: "exactitud de entrenamiento (%)", ValAccuracy: "exactitud de validación (%)",
	Classes:   fashion.ClassNames(),
	TrueClass: "clase verdadera", PredictedClass: "clase predicha", TrueClassShare: "fracción de la clase verdadera",
	True: "verdadera", Predicted: "predicha",
	ValWilson: "validación (Wilson 95 %)", TestWilson: "prueba (Wilson 95 %)",
	TestSeeds: "prueba, media ± desviación estándar entre semillas", BaselineTest: "prueba de la línea base",
	ComparisonHeader: []string{"entrenamiento", "difiere del ejercicio", "mejor pérdida de validación (época)",
		"pérdida final de entrenamiento", "pérdida final de validación", "exactitud de prueba", "s/época"},
	NoImages: "sin imágenes",
	Chart:    chart.Texts{NoData: "sin datos", Missing: "n/d"},
}
