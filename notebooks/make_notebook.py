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


def options(name, section):
    """The options of an experiment cell: its section, and its seeds where
    the study's variant has several (the same cache entries as the study)."""
    opts = [f'lab.Section("{section}")']
    if VARIANTS[name]["seeds"] > 1:
        opts.append(f'lab.Seeds({VARIANTS[name]["seeds"]})')
    return ", ".join(opts)


def experiment(name, section):
    """A cell that trains the study's variant name: its edits of DefaultConfig."""
    edits = VARIANTS[name]["go_edits"] or []
    lines = ["%%", "cfg := fashion.DefaultConfig()"] + edits + [f'lab.Must(lab.Experiment("{name}", cfg, {options(name, section)}))']
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
- Cada `lab.Experiment(nombre, cfg)` con una configuración nueva es una **versión** nueva
  de ese nombre: si cambia, por ejemplo, `cfg.Dropout` de 0.2 a 0.5 y vuelve a ejecutar la
  celda, la celda muestra la versión nueva junto a las anteriores y a la línea base, y
  dice qué cambió. `lab.Versions(nombre)` las lista; `lab.Forget(nombre)` y
  `lab.ForgetVersion(nombre, n)` las olvidan (los entrenamientos siguen guardados).
- La comparación final usa solo los experimentos definidos en este cuaderno (la última
  versión de cada nombre), no todo lo que haya en `data/runs/`.
- Algunos experimentos se entrenan con 3 semillas (`lab.Seeds(3)`: inicialización y orden
  de los lotes; la división validación/prueba sigue siendo la de la semilla 42), para
  medir cuánto varía el resultado solo por azar.
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

En PyTorch el modelo es una clase con `forward`; en GoMLX es una función que **construye
un grafo**. Lo que un usuario de PyTorch encuentra al leer el código:

- `*Node` es un nodo del grafo, no un tensor con valores: `Dot(x, w)` o `Add(...)` no
  calculan nada al ejecutarse, añaden una operación. El grafo se construye una vez para
  cada forma de entrada, se compila y luego se ejecuta muchas veces (como `torch.compile`
  o `jax.jit`, pero siempre).
- Los pesos viven en un **contexto** (`*context.Context`), no en atributos de un
  `nn.Module`: `ctx.In("hidden_0")` abre un ámbito y `GetVariable("weights")` devuelve la
  variable; `ValueGraph(g)` la trae al grafo. El optimizador guarda su estado en el mismo
  contexto, bajo otro ámbito, y actualiza las variables con `SetValueGraph`.
- El **backend** ejecuta el grafo compilado: XLA (CPU o CUDA) o Go puro. El mismo código
  corre en ambos; no hay `.to(device)`.
- Los errores de forma al construir el grafo son `panic` dentro de GoMLX; el paquete los
  convierte en errores en su frontera, y las celdas los muestran con `lab.Must`.

Este es el código del paquete que construye el *forward* (impreso desde su fuente con
`go/parser` y `go/printer`: es exactamente lo que se ejecuta, no una copia):
""")

go("""
%%
lab.NoError(lab.DisplayGoSource("Model.Logits", "dense"))
""")

md("""
Y el paso de RMSprop: `prepareUpdate` obtiene los gradientes de la pérdida respecto de las
variables entrenables (el `loss.backward()` de PyTorch, aquí también construido como
grafo) y cada variable recibe su actualización `p -= lr·buf`:
""")

go("""
%%
lab.NoError(lab.DisplayGoSource("RMSprop.UpdateGraph"))
""")

md("""
Construimos el grafo del modelo para un lote de 128 imágenes y lo ejecutamos una vez en el
*backend*: así se ven, como con `print(model)` y un resumen, las capas, la forma de cada
variable del contexto y el número de parámetros.
""")

go("""
%%
cfg := fashion.DefaultConfig()
fmt.Print(lab.Must(lab.BuildModel(cfg, 128)))
fmt.Println(cfg.Summary())
""")

md("""
# Entrenamiento inicial

Con la configuración del ejercicio: 40 épocas, lotes de 128, RMSprop lr 1e-4, momentum
0.9. Cada línea es una época como la imprime el ejercicio (pérdida media de los lotes
de entrenamiento, pérdida de validación y la diferencia porcentual "Diff"); la gráfica
se actualiza en vivo mientras entrena. La línea base se entrena con 3 semillas (42, 43 y
44): la curva es la media y la banda ± una desviación estándar.
""")

go("""
%%
lab.Must(lab.Experiment("baseline", fashion.DefaultConfig(), lab.Seeds(3)))
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

experiment("l2", "L2 y dropout")

experiment("dropout", "L2 y dropout")

md("""
### Volver a ejecutar una celda: versiones

¿Y con más dropout? Cambiamos `cfg.Dropout` a 0.5 con el mismo nombre, como haría quien
prueba ajustes en la celda anterior. Es una versión nueva de `dropout`: la celda la dibuja
junto a la anterior (a trazos) y a la línea base (gris), y dice qué cambió y cómo se
movieron la mejor pérdida de validación y la exactitud de validación. La comparación final
usará la última versión.
""")

go("""
%%
cfg := fashion.DefaultConfig()
cfg.Dropout = []float64{0.5}
lab.Must(lab.Experiment("dropout", cfg, lab.Section("L2 y dropout"), lab.Seeds(3)))
""")

go("""
%%
for _, v := range lab.Must(lab.Versions("dropout")) {
	fmt.Printf("v%d  %s  %s  %d semilla(s)\\n", v.N, v.Trained.Format("2006-01-02 15:04"), v.Config.Diff(fashion.DefaultConfig()), len(v.Seeds))
}
""")
md("""
Con p = 0.5 la red aprende peor en 40 épocas: la exactitud de validación baja de
88.87 ± 0.29 % (p = 0.2, 3 semillas) a 87.37 ± 0.33 %, y la de prueba de 89.10 ± 0.12 % a
87.37 ± 0.06 %: 1.5 y 1.7 puntos, mucho más que la dispersión entre semillas. La comparación
final usa la última versión (aquí, 0.5); para volver a 0.2 basta con ejecutar de nuevo la
celda de dropout (la versión 1 vuelve a ser la última) o `lab.ForgetVersion("dropout", 2)`.
""")


experiment("l2_dropout", "L2 y dropout")

md("""
# Implementación de técnicas

## Normalización

*Batch norm* (antes de la activación; en evaluación usa los promedios acumulados) y
*layer norm* (normaliza las características de cada ejemplo).
""")

experiment("batchnorm", "Normalización")

experiment("layernorm", "Normalización")

md("""
## Inicialización de pesos (He)

La inicialización de He (Kaiming) normal usa desviación √2/√fan_in para ReLU, y sesgos
en cero.
""")

experiment("he", "Inicialización")

md("""
## Funciones de activación avanzadas

LeakyReLU (pendiente 0.01, como PyTorch), ELU, SELU (con inicialización LeCun normal),
GELU, SiLU/Swish y tanh (con Xavier), cada una con la inicialización que le corresponde.
""")

for act in ["leaky_relu", "elu", "selu", "gelu", "silu", "tanh"]:
    experiment(act, "Activaciones")

md("""
## Optimizadores

SGD con momentum de Nesterov, Adam y AdamW (con *weight decay* desacoplado: resta
lr·λ·p en cada paso, fuera del paso adaptativo; no es lo mismo que L2 con Adam).
""")

experiment("sgd_nesterov", "Optimizadores")

experiment("adam", "Optimizadores")

experiment("adamw", "Optimizadores")

md("""
## LR scheduling

Decaimiento escalonado, coseno con calentamiento lineal, *one-cycle* y reducción cuando
la validación se estanca (*plateau*).
""")

experiment("step_lr", "LR scheduling")

experiment("cosine", "LR scheduling")

experiment("onecycle", "LR scheduling")

experiment("plateau", "LR scheduling")

md("""
## Early stopping

Detiene el entrenamiento tras 5 épocas sin mejorar la pérdida de validación y restaura
los pesos de la mejor época.
""")

experiment("early_stop", "Early stopping")

md("""
## Combinación de técnicas

AdamW + *batch norm* + dropout 0.2 + He + coseno, con la arquitectura del ejercicio; y
la misma receta en un MLP más ancho (1024-512-256, dropout 0.3).
""")

experiment("combined", "Combinaciones")

experiment("combined_wide", "Combinaciones")

md("""
# Comparación de todos los entrenamientos

Los experimentos de este cuaderno (la última versión de cada nombre): la pérdida de
validación en un panel por sección, cada uno contra la línea base en gris; la exactitud
de validación y de prueba de cada uno con su intervalo de Wilson al 95 % sobre 5000
imágenes (y, con 3 semillas, la media ± la desviación estándar entre semillas); y, a la
derecha, el p-valor de la prueba exacta de McNemar contra la línea base sobre las mismas
5000 imágenes de prueba (compara las imágenes que un modelo acierta y el otro no). La
tabla está ordenada por exactitud de validación, que es con lo que se elige.
""")

go("""
%%
exps := lab.Must(lab.Experiments())
lab.NoError(lab.DisplayComparison(exps))
""")

md("""
## ¿Qué diferencias son reales?

Dos fuentes de ruido, ambas medidas aquí (cifras de la ejecución completa guardada):

- **La muestra de prueba.** Con 5000 imágenes, el intervalo de Wilson al 95 % de una
  exactitud cercana al 89 % mide unos ±0.85 puntos (la línea base: 88.97 %, 88.1–89.8 %).
- **La semilla.** La misma configuración con las semillas 42, 43 y 44 da en la línea base
  88.70 %, 89.30 % y 88.90 % de prueba (88.97 ± 0.31) y 88.17 ± 0.58 % de validación:
  solo por la semilla, la exactitud de validación de un entrenamiento se mueve más de
  medio punto. *Batch norm* varía igual (validación 88.51 ± 0.62 %).

Con esa vara:

- **Superan a la línea base por más que ambos ruidos:** la combinación ancha
  (`combined_wide`, 1024-512-256: 90.72 % de validación y 91.46 % de prueba, +2.5 puntos,
  McNemar p < 0.001) y la combinación con la arquitectura del ejercicio (`combined`,
  3 semillas: 89.94 ± 0.08 % de prueba frente a 88.97 ± 0.31 %, +0.97 puntos, más que la
  suma de las dos desviaciones; p < 0.001). Bajar la tasa de aprendizaje durante el
  entrenamiento (`step_lr` y `plateau`: 90.2 % de prueba, +1.2 puntos, p < 0.001) también
  queda fuera de ambos ruidos, aunque con una sola semilla.
- **Empeoran por más que el ruido:** L2 con λ = 1e-3 (86.68 %, p < 0.001), L2 + dropout
  (86.04 %, p < 0.001), dropout 0.5 (87.37 ± 0.06 %, p = 0.001) y SiLU (87.72 %, p = 0.01).
- **No se distinguen del ruido:** *batch norm* (89.24 ± 0.07 % frente a 88.97 ± 0.31 %:
  +0.27 puntos, menos que la suma de las desviaciones; p = 0.24), Adam (88.70 ± 0.18 %,
  p = 0.96), dropout 0.2 (89.10 ± 0.12 %, en su celda), la inicialización de He, las
  activaciones salvo SiLU, SGD con Nesterov, AdamW y *early stopping* (todas dentro del
  intervalo de Wilson de la línea base; las más lejanas, GELU y tanh, a −0.8 puntos;
  p ≥ 0.17). En el límite, con una semilla: *cosine* y *one-cycle* por arriba (+0.5 y
  +0.7 puntos, p = 0.05 y 0.02) y *layer norm* por abajo (87.94 %, −1.0 punto, p = 0.06).

Dos advertencias. McNemar compara la semilla 42 de cada experimento con la semilla 42 de la
línea base, que fue la peor de sus tres en prueba (88.70 %): mide el ruido de la muestra de
prueba para ese par de entrenamientos, no el de la semilla, así que un p pequeño con una
sola semilla no basta. Y elegir el mejor de 23 experimentos por su exactitud de validación
favorece al que tuvo suerte: por eso la elección se hace en validación y la prueba, que no
intervino, da la estimación final.
""")

md("""
# Evaluación final

Elegimos el experimento con mayor exactitud de **validación** (en la época cuyos pesos
se conservaron; con varias semillas, la media, y de ellas la semilla con mayor exactitud
de validación) y solo entonces lo evaluamos en la mitad de prueba, 5000 imágenes que
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
