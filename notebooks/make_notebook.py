#!/usr/bin/env python3
"""Writes notebooks/fashion.ipynb (without outputs) from the cells below.

The notebook is the story; the package fashion holds the code. Edit the cells
here, run `python3 notebooks/make_notebook.py`, then execute the notebook
(scripts/run-notebook.sh) to fill in the outputs.
"""
import json
import pathlib
import subprocess

MODULE = "github.com/fashion-gomlx/fashion-gomlx"
ROOT = pathlib.Path(__file__).resolve().parent.parent

# The study's variants (fashion/study.Variants) are the one definition of each
# experiment's settings: the cells are written from their Go edits of
# DefaultConfig (fashion study -list-json), never retyped here.
VARIANTS = {v["name"]: v for v in json.loads(subprocess.run(
    ["go", "run", "./cmd/fashion", "study", "-list-json"],
    cwd=ROOT, check=True, capture_output=True, text=True).stdout)}

cells = []


def md(text):
    cells.append({"cell_type": "markdown", "metadata": {}, "source": text.strip("\n")})


def go(text):
    cells.append({"cell_type": "code", "execution_count": None, "metadata": {},
                  "outputs": [], "source": text.strip("\n")})


def assignments(edits, per_line=3):
    """Joins the edits ("cfg.X = v") into Go tuple assignments of up to
    per_line fields each, so that a cell stays a few lines long."""
    pairs = [e.split(" = ", 1) for e in edits]
    return [", ".join(l for l, _ in pairs[i:i + per_line]) + " = " + ", ".join(r for _, r in pairs[i:i + per_line])
            for i in range(0, len(pairs), per_line)]


def experiment(name):
    """A cell that trains the study's variant name: its edits of DefaultConfig."""
    edits = assignments(VARIANTS[name]["go_edits"] or [])
    lines = ["%%", "cfg := fashion.DefaultConfig()"] + edits + [f'lab.Must(lab.Experiment("{name}", cfg))']
    go("\n".join(lines))


md("""
# Fashion-MNIST con Go: GoNB + GoMLX

Este cuaderno rehace en Go el ejercicio *Fashion-PyTorch*: un MLP 784-120-72-48-10
entrenado con RMSprop sobre Fashion-MNIST, que sobreajusta a las pocas épocas, y luego
las técnicas para remediarlo (L2, Dropout, normalización, inicialización de He,
activaciones avanzadas, *LR scheduling*, ...).

El código vive en el paquete `fashion` de este repositorio; cada celda dice solo qué
cambia respecto de la configuración del ejercicio (`fashion.DefaultConfig()`).

- GoNB ejecuta **cada celda como un proceso nuevo**: nada entrenado sobrevive a la
  celda siguiente. Por eso cada entrenamiento se guarda en `data/runs/` (registro y
  pesos), con una clave que resume su configuración completa, los datos y el código:
  volver a ejecutar una celda ya entrenada devuelve el resultado guardado al instante.
- Con la variable de entorno `FASHION_QUICK=1` los entrenamientos usan 2000 imágenes y
  2 épocas (así lo ejecuta la integración continua).
""")

md("""
## Preparación

La primera celda apunta el `go.mod` privado del cuaderno al repositorio (esté donde esté
clonado), para poder importar el paquete `fashion`, e informa qué *backend* se usará:
XLA si hay un *plugin* PJRT instalado (CUDA en GPUs), si no el *backend* de Go puro.
""")

go(f"""
!*root="$(cd "$GONB_DIR" && while [ ! -f go.mod ] && [ "$PWD" != / ]; do cd ..; done; pwd)" && \\
  go mod edit -replace {MODULE}="$root" -require {MODULE}@v0.0.0-00010101000000-000000000000 && \\
  echo "fashion: $root"
""")

go("""
import (
	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/lab"
)
""")

go("""
%%
backend := lab.Must(fashion.NewBackend("auto"))
fmt.Println(backend)
backend.Finalize()
""")

md("""
# Preprocesamiento

## Visualización del dataset

Cargamos los cuatro archivos IDX de Fashion-MNIST (de `$FASHION_MNIST_DIR`,
`data/fashion-mnist`, el paquete de Debian `dataset-fashion-mnist` o, si no están, de
internet), verificando el SHA-256 de su contenido, y revisamos las formas como en el
ejercicio.
""")

go("""
%%
data := lab.Must(lab.Data())
fmt.Println("Datos en", data.Dir)
fmt.Println("Shape del x-train", data.Train.ImagesShape(), " Shape del y-train", data.Train.LabelsShape())
fmt.Println("Shape del x-test ", data.Test.ImagesShape(), " Shape del y-test ", data.Test.LabelsShape())
""")

md("""
Cada imagen es una matriz de 28×28 enteros entre 0 y 255 (escala de grises). Esta es la
primera imagen de entrenamiento de la clase 4:
""")

go("""
%%
data := lab.Must(lab.Data())
i := data.Train.IndexOf(4)
fmt.Print(figures.MatrixText(data.Train.Image(i)))
lab.NoError(lab.DisplayImages([][]uint8{data.Train.Image(i)}, []string{fashion.ClassNames[4]}, 1))
""")

md("""
Las etiquetas son las siguientes:
""")

go("""
%%
for label, name := range fashion.ClassNames {
	fmt.Printf("%8d  %s\\n", label, name)
}
""")

md("""
Y una muestra de las primeras imágenes de entrenamiento con su clase:
""")

go("""
%%
data := lab.Must(lab.Data())
images, captions := data.Train.Sample(32)
lab.NoError(lab.DisplayImages(images, captions, 8))
""")

md("""
## Escalado

Normalizamos a [0, 1] dividiendo por 255 y estandarizamos con la media 0.2860 y la
desviación 0.3530 que usa el ejercicio ("precalculados para FashionMNIST").
Comprobamos esas constantes calculándolas sobre el conjunto de entrenamiento:
""")

go("""
%%
data := lab.Must(lab.Data())
mean, std := fashion.MeanStd(data.Train.Images)
fmt.Printf("media %.4f (constante %.4f), desviación %.4f (constante %.4f)\\n", mean, fashion.Mean, std, fashion.Std)
x := fashion.Standardize(data.Train.Image(0), fashion.Mean, fashion.Std)
fmt.Printf("un píxel negro queda en %.4f, uno blanco en %.4f\\n", slices.Min(x), slices.Max(x))
""")

md("""
## División del conjunto de datos

Como el ejercicio (`train_test_split(test_size=0.5, random_state=42, stratify=Y_test)`),
dividimos el conjunto de prueba oficial en validación y prueba, estratificado por clase:
500 imágenes de cada clase en cada mitad, siempre la misma división para la semilla 42
(el mismo esquema que scikit-learn, no los mismos índices).
""")

go("""
%%
data := lab.Must(lab.Data())
val, test := lab.Must2(fashion.SplitHalves(data.Test, 42))
fmt.Println("validación:", val.Len(), val.ClassCounts())
fmt.Println("prueba:    ", test.Len(), test.ClassCounts())
""")

md("""
# Construcción de arquitectura

El MLP del ejercicio: aplanar la imagen (784), tres capas ocultas de 120, 72 y 48
neuronas con ReLU y una capa de salida de 10 *logits*, con la entropía cruzada media
como pérdida. Los pesos se inicializan como `torch.nn.Linear` (uniforme en ±1/√fan_in),
y el optimizador es RMSprop con la semántica de PyTorch (momentum 0.9, sin corrección
de sesgo), que el paquete implementa porque el `RMSProp` de GoMLX es otro algoritmo.
""")

go("""
%%
cfg := fashion.DefaultConfig()
fmt.Println(cfg.Summary())
""")

md("""
# Entrenamiento inicial

Con la configuración del ejercicio: 40 épocas, lotes de 128, RMSprop lr 1e-4, momentum
0.9. Cada línea es una época como la imprime el ejercicio (pérdida media de los lotes
de entrenamiento, pérdida de validación y la diferencia porcentual "Diff"); la gráfica
se actualiza en vivo mientras entrena.
""")

go("""
%%
lab.Must(lab.Experiment("baseline", fashion.DefaultConfig()))
""")

md("""
Como en el ejercicio, se empieza a generar *overfitting* muy rápidamente: la pérdida de
validación toca su mínimo hacia la época 8-10 y luego sube, mientras la de
entrenamiento sigue bajando. Así se compara nuestra curva de validación con el registro
de PyTorch del ejercicio:
""")

go("""
%%
run := lab.Must(lab.StoredExperiment("baseline"))
lab.NoError(lab.DisplayOverlay("Pérdida de validación: GoMLX vs. PyTorch (ejercicio)", "val_loss",
	[]string{"GoMLX", "PyTorch (ejercicio)"}, [][]fashion.Epoch{run.History, fashion.ExerciseHistory()}))
""")

md("""
## L2 y Dropout

**L2** suma λ·Σw² (solo matrices de pesos, no sesgos) a la pérdida que se deriva; la
pérdida que se imprime sigue siendo la entropía cruzada, para comparar curvas.
**Dropout** apaga cada neurona oculta con probabilidad p durante el entrenamiento
(escalando las demás por 1/(1−p)) y no hace nada en evaluación.
""")

experiment("l2")

experiment("dropout")

experiment("l2_dropout")

md("""
# Implementación de técnicas

## Normalización

*Batch norm* (antes de la activación; en evaluación usa los promedios acumulados) y
*layer norm* (normaliza las características de cada ejemplo).
""")

experiment("batchnorm")

experiment("layernorm")

md("""
## Inicialización de pesos (He)

La inicialización de He (Kaiming) normal usa desviación √2/√fan_in para ReLU, y sesgos
en cero.
""")

experiment("he")

md("""
## Funciones de activación avanzadas

LeakyReLU (pendiente 0.01, como PyTorch), ELU, SELU (con inicialización LeCun normal),
GELU, SiLU/Swish y tanh (con Xavier), cada una con la inicialización que le corresponde.
""")

for act in ["leaky_relu", "elu", "selu", "gelu", "silu", "tanh"]:
    experiment(act)

md("""
## Optimizadores

SGD con momentum de Nesterov, Adam y AdamW (con *weight decay* desacoplado: resta
lr·λ·p en cada paso, fuera del paso adaptativo; no es lo mismo que L2 con Adam).
""")

experiment("sgd_nesterov")

experiment("adam")

experiment("adamw")

md("""
## LR scheduling

Decaimiento escalonado, coseno con calentamiento lineal, *one-cycle* y reducción cuando
la validación se estanca (*plateau*).
""")

experiment("step_lr")

experiment("cosine")

experiment("onecycle")

experiment("plateau")

md("""
## Early stopping

Detiene el entrenamiento tras 5 épocas sin mejorar la pérdida de validación y restaura
los pesos de la mejor época.
""")

experiment("early_stop")

md("""
## Combinación de técnicas

AdamW + *batch norm* + dropout 0.2 + He + coseno, con la arquitectura del ejercicio; y
la misma receta en un MLP más ancho (1024-512-256, dropout 0.3).
""")

experiment("combined")

experiment("combined_wide")

md("""
# Comparación de todos los entrenamientos

Las curvas de validación de todos los entrenamientos guardados y una tabla con lo que
cambia cada uno, su mejor pérdida de validación, las pérdidas finales y la exactitud en
la mitad de prueba.
""")

go("""
%%
runs := lab.Must(lab.Experiments())
lab.NoError(lab.DisplayComparison(runs))
""")

md("""
# Evaluación final

Elegimos el entrenamiento con mayor exactitud de **validación** (en la época cuyos pesos
se conservaron) y solo entonces lo evaluamos en la mitad de prueba, 5000 imágenes que
no intervinieron en ninguna decisión: exactitud, matriz de confusión, exactitud por
clase y una galería de imágenes mal clasificadas con su clase verdadera y la predicha.
""")

go("""
%%
run := lab.Must(lab.BestExperiment())
lab.Must(lab.DisplayEvaluation(run, 24))
""")

nb = {
    "cells": cells,
    "metadata": {
        "kernelspec": {"display_name": "Go (gonb)", "language": "go", "name": "gonb"},
        "language_info": {"codemirror_mode": "", "file_extension": ".go", "mimetype": "",
                          "name": "go", "nbconvert_exporter": "", "pygments_lexer": "", "version": "go1.26"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
for i, c in enumerate(nb["cells"]):
    c["id"] = f"cell-{i:02d}"
out = pathlib.Path(__file__).with_name("fashion.ipynb")
out.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
print(f"wrote {out} ({len(cells)} cells)")
