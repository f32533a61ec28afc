package lab

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/chart"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/figures"
)

// QuickEnv names the environment variable that makes notebook experiments
// quick (a 2000-image subset, at most 2 epochs): set it to 1 to check the
// notebook end to end in a few minutes, as CI does.
const QuickEnv = "FASHION_QUICK"

// Quick reports whether $FASHION_QUICK asks for quick experiments.
func Quick() bool {
	v := os.Getenv(QuickEnv)
	return v != "" && v != "0" && v != "false"
}

// quickened returns cfg reduced for quick mode.
func quickened(cfg fashion.Config) fashion.Config {
	if !Quick() {
		return cfg
	}
	cfg.Epochs = min(cfg.Epochs, 2)
	if cfg.TrainLimit == 0 || cfg.TrainLimit > 2000 {
		cfg.TrainLimit = 2000
	}
	cfg.WarmupEpochs = min(cfg.WarmupEpochs, float64(cfg.Epochs)/2)
	cfg.SWAEpochs = min(cfg.SWAEpochs, cfg.Epochs)
	return cfg
}

// Teacher trains (or reads back) the teacher that cfg's students distill
// from (fashion.TeacherConfig, Config.Teacher "cnn"), drawing its curves,
// and prints its accuracy. It is not an experiment of the notebook: it
// stays out of the comparison and of the final evaluation, which are about
// the exercise's network; the students read it from the run cache.
func Teacher(cfg fashion.Config) (*fashion.Run, error) {
	tcfg, err := fashion.TeacherConfig(quickened(cfg))
	if err != nil {
		return nil, err
	}
	data, err := Data()
	if err != nil {
		return nil, err
	}
	sess := fashion.NewSession()
	defer sess.Close()
	about := fmt.Sprintf("red convolucional, %s lr %g, %d épocas con desplazamientos y reflejos", tcfg.Optimizer, tcfg.LR, tcfg.Epochs)
	live := NewLivePlot("El maestro: " + about)
	run, log, err := trainOne(sess, data, "teacher", "maestro", tcfg, nil, live)
	if err != nil {
		for _, l := range log.lines {
			fmt.Println(l)
		}
		return nil, err
	}
	if err := live.DoneWith(run.History); err != nil {
		return nil, err
	}
	params := 0
	for _, p := range run.Params {
		params += len(p.Values)
	}
	fmt.Printf("El maestro (%s; %d parámetros): exactitud de validación %.2f%%, de prueba %.2f%% sobre %d imágenes.\n",
		about, params, 100*run.KeptValAccuracy(), 100*run.TestAccuracy, 5000)
	fmt.Println(log.summary)
	return run, nil
}

// Data loads the data once per process (see fashion.Load).
var Data = sync.OnceValues(func() (*fashion.Data, error) { return fashion.Load("") })

// Must returns v, or panics with err: for notebook cells, where a failed
// step should stop the cell loudly.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Must2 is Must for functions that return two values and an error.
func Must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		panic(err)
	}
	return a, b
}

// NoError panics if err is not nil: for cells that call a Display function.
func NoError(err error) {
	if err != nil {
		panic(err)
	}
}

// runs is the notebook's run cache.
func runs() fashion.Cache { return fashion.Cache{Dir: fashion.DefaultRunsDir()} }

// Option is a setting of Experiment beyond its Config.
type Option func(*options) error

type options struct {
	seeds     int
	section   string
	session   *fashion.Session
	technique *fashion.Technique
}

// WithTechnique trains the experiment with a technique of the learner's
// own (see fashion.Technique: a penalty, a constraint, a change of the
// training batch, written in GoMLX) beside its Config. The technique's name
// and the code of its pieces, without comments, are part of each run's
// key: re-running the cell returns the stored runs, an edit of the code is
// a new version of the experiment, drawn against the earlier ones, and an
// edit of a comment is not.
func WithTechnique(t fashion.Technique) Option {
	return func(o *options) error {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("lab: WithTechnique: %w", err)
		}
		if _, err := t.Version(); err != nil {
			return fmt.Errorf("lab: WithTechnique: %w", err)
		}
		o.technique = &t
		return nil
	}
}

// InSession trains in sess instead of a session of the experiment's own:
// a program that runs several experiments of the same model compiles its
// graphs once for all of them (the seeds of one experiment always share
// theirs). A notebook cell is a process of its own, so there is nothing to
// share between cells; this is for programs and tests.
func InSession(sess *fashion.Session) Option {
	return func(o *options) error {
		if sess == nil {
			return fmt.Errorf("lab: InSession(nil): want a session from fashion.NewSession")
		}
		o.session = sess
		return nil
	}
}

// Seeds trains the experiment with n seeds, cfg.Seed, cfg.Seed+1, ...,
// cfg.Seed+n−1 (initialization and shuffling; the validation/test split,
// SplitSeed, stays the same), each its own cached run, and reports the
// mean ± standard deviation over them. n is 1 to 20.
func Seeds(n int) Option {
	return func(o *options) error {
		if n < 1 || n > 20 {
			return fmt.Errorf("lab: Seeds(%d): want 1 to 20 seeds", n)
		}
		o.seeds = n
		return nil
	}
}

// Section says which section of the notebook the experiment belongs to,
// e.g. "Normalización": the comparison draws one panel per section.
func Section(name string) Option {
	return func(o *options) error {
		o.section = name
		return nil
	}
}

// Experiment trains cfg under a name, or reads back the stored run of the
// same configuration at once, and records it as a version of name (see
// Version): a new configuration adds a version, the same one as the latest
// adds nothing. A cell's output answers its question first: while it
// trains, a notebook draws live curves (each seed's in turn); then the
// cell shows the loss curves of this version against the name's previous
// versions and the baseline (grey), and one line with what changed since
// the previous version (or, for a first version, against the baseline)
// and how the best validation loss and the validation accuracy moved.
// The details follow, for whoever wants them: the comparison with the
// baseline, the mean ± sd over the seeds, the first seed's epochs in full
// (fashion.FormatEpoch) and one line for each other seed. What it prints
// and draws is in Spanish, the notebook's language, but for the exercise's
// own epoch line and the core's line on the backend. Outside a notebook
// nothing shows while it trains.
func Experiment(name string, cfg fashion.Config, opts ...Option) (*Version, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	o := options{seeds: 1}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	cfg = quickened(cfg) // validated once, by TrainCached
	data, err := Data()
	if err != nil {
		return nil, err
	}
	v := &Version{Name: name, Section: o.section, Config: cfg}
	if o.technique != nil {
		version, _ := o.technique.Version() // checked by WithTechnique
		v.Technique = &fashion.TechniqueRecord{Name: o.technique.Name, Version: version}
	}
	title := name
	if diff := v.fromExercise(); diff != "" {
		title += " (" + diff + ")"
	}
	if o.session == nil {
		o.session = fashion.NewSession()
		defer o.session.Close()
	}
	live := NewLivePlot(title)
	var logs []*seedLog
	for i := range o.seeds {
		c := cfg
		c.Seed = cfg.Seed + uint64(i)
		label := name
		if o.seeds > 1 {
			label = fmt.Sprintf("%s semilla %d", name, c.Seed)
			live.Restart(fmt.Sprintf("%s, semilla %d (%d de %d)", title, c.Seed, i+1, o.seeds))
		}
		run, log, err := trainOne(o.session, data, name, label, c, o.technique, live)
		if err != nil {
			printLogs(append(logs, log)) // what the failed seed and those before it did
			return nil, err
		}
		logs = append(logs, log)
		v.Seeds, v.Keys, v.Runs = append(v.Seeds, c.Seed), append(v.Keys, run.Key), append(v.Runs, run)
	}
	ix, at, err := record(v)
	if err != nil {
		printLogs(logs)
		return nil, err
	}
	if cur := ix.Versions[at]; cur != v { // an unchanged re-run, or an older version chosen again
		cur.Runs = v.Runs
		v = cur
	}
	lines, err := showVersions(live, ix, at)
	if err != nil {
		printLogs(logs)
		return nil, err
	}
	// The answer, then the details.
	fmt.Println(lines[0])
	fmt.Println()
	fmt.Println("Detalles:")
	for _, l := range lines[1:] {
		fmt.Println(l)
	}
	if o.seeds > 1 {
		bestLoss, bestSD := v.BestValLoss()
		fmt.Printf("%s, %d semillas: mejor pérdida de validación %s; exactitud de validación %s, de prueba %s (media ± desviación estándar)\n",
			name, o.seeds, loss(bestLoss, bestSD), pct(v.ValAccuracy()), pct(v.TestAccuracy()))
	}
	printLogs(logs)
	return v, nil
}

// seedLog is what one seed's training says: its lines (the backend, or
// the stored run it read back, and every epoch) and a summary line.
type seedLog struct {
	lines   []string
	epochs  int // how many of lines are epochs
	summary string
}

// printLogs prints the logs of an experiment's seeds: the first one in
// full, then each other's summary, one line per seed (their epochs would
// only repeat the story).
func printLogs(logs []*seedLog) {
	for i, l := range logs {
		if l == nil {
			continue
		}
		if i == 0 {
			for _, line := range l.lines {
				fmt.Println(line)
			}
		}
		if l.summary != "" {
			fmt.Println(l.summary)
		}
	}
}

// trainOne trains (or reads back) one seed's run of the experiment name,
// labelled label in its log, drawing its epochs in live. It prints
// nothing: its log says what happened, also when it fails.
func trainOne(sess *fashion.Session, data *fashion.Data, name, label string, cfg fashion.Config, tech *fashion.Technique, live *LivePlot) (*fashion.Run, *seedLog, error) {
	log := &seedLog{}
	hooks := &fashion.Hooks{
		// The backend as a user names it (xla:cpu); its reason and plugin are the run record's.
		Backend: func(b *fashion.Backend) {
			log.lines = append(log.lines, fmt.Sprintf("%s: backend %s", label, fashion.BackendName(b.Config)))
		},
		Epoch: func(e fashion.Epoch) error {
			log.lines = append(log.lines, fashion.FormatEpoch(e, cfg.Epochs))
			log.epochs++
			return live.Update(e)
		},
	}
	run, cached, err := fashion.TrainCached(context.Background(), data, cfg, fashion.CacheOptions{Cache: runs(), Name: name, Hooks: hooks, Quick: Quick(), Session: sess, Technique: tech})
	if err != nil {
		return nil, log, fmt.Errorf("lab: experiment %s: %w", label, err)
	}
	stored := ""
	if cached {
		log.lines = append(log.lines, fmt.Sprintf("%s: entrenamiento guardado %s (entrenado el %s en %s); no se vuelve a entrenar",
			label, run.Key, run.Started.Format("2006-01-02 15:04"), run.Backend))
		if log.epochs == 0 { // read back, not trained here
			for _, e := range run.History {
				log.lines = append(log.lines, fashion.FormatEpoch(e, run.Config.Epochs))
			}
		}
		stored = " (guardado)"
	}
	best, last := run.BestEpoch(), run.History[len(run.History)-1]
	log.summary = fmt.Sprintf("%s%s: mejor pérdida de validación %.4f en la época %d; pérdida final de entrenamiento/validación %.4f/%.4f; "+
		"exactitud de validación %.2f%%, de prueba %.2f%% (pesos de la época %d); %.2f s/época",
		label, stored, best.ValLoss, best.Epoch, last.TrainLoss, last.ValLoss, 100*run.KeptValAccuracy(), 100*run.TestAccuracy, run.KeptEpoch, run.SecondsPerEpoch)
	return run, log, nil
}

// maxShown is how many earlier versions a cell draws besides the current
// one: more would crowd the chart.
const maxShown = 3

// showVersions replaces the live plot with the loss curves of the
// versions and the baseline, and returns the lines that say what changed:
// first the cell's answer (against the previous version of the name, or
// for a first version against the baseline, or its results alone), then,
// after a previous version, against the baseline.
func showVersions(live *LivePlot, ix *index, at int) ([]string, error) {
	cur := ix.Versions[at]
	var groups []figures.Group
	var base *Version
	if cur.Name != Baseline {
		var err error
		if base, err = latest(Baseline); err != nil {
			return nil, err
		}
	}
	if base != nil {
		groups = append(groups, figures.Group{Name: Baseline, Histories: histories(base), Grey: true})
	}
	var earlier []*Version
	for i, v := range ix.Versions {
		if i != at {
			earlier = append(earlier, v)
		}
	}
	earlier = earlier[max(0, len(earlier)-maxShown):]
	if err := fillRuns(earlier); err != nil {
		return nil, err
	}
	for k, v := range earlier {
		groups = append(groups, figures.Group{Name: fmt.Sprintf("v%d", v.N), Histories: histories(v), Dashed: true,
			Color: chart.Palette[(k+1)%len(chart.Palette)]})
	}
	groups = append(groups, figures.Group{Name: fmt.Sprintf("v%d (esta celda)", cur.N), Histories: histories(cur), Color: chart.Palette[0]})

	var lines []string
	if len(earlier) > 0 {
		prev := earlier[len(earlier)-1]
		lines = append(lines, changeLine(cur, prev, fmt.Sprintf("v%d", prev.N)))
	}
	if base != nil {
		lines = append(lines, changeLine(cur, base, Baseline))
	}
	if len(lines) == 0 {
		lines = append(lines, firstLine(cur))
	}
	title := fmt.Sprintf("%s v%d", cur.Name, cur.N)
	switch {
	case len(earlier) > 0 && base != nil:
		title += ": frente a sus versiones anteriores y la línea base"
	case len(earlier) > 0:
		title += ": frente a sus versiones anteriores"
	case base != nil:
		title += ": frente a la línea base"
	}
	if len(cur.Seeds) > 1 {
		title += fmt.Sprintf(" (media ± desviación estándar de %d semillas)", len(cur.Seeds))
	}
	svg, err := Spanish.VersionsSVG(title, groups)
	if err != nil {
		return nil, err
	}
	return lines, live.Show(svg)
}

// histories are the histories of a version's runs.
func histories(v *Version) [][]fashion.Epoch {
	h := make([][]fashion.Epoch, len(v.Runs))
	for i, r := range v.Runs {
		h[i] = r.History
	}
	return h
}

// seedsNote says over how many seeds a version's numbers are means: ""
// for one.
func seedsNote(v *Version) string {
	if len(v.Seeds) > 1 {
		return fmt.Sprintf(" (medias de %d semillas)", len(v.Seeds))
	}
	return ""
}

// firstLine is the answer of a first version with nothing to compare it
// with (the baseline's first, or any before there is a baseline): its
// results, e.g.
//
//	baseline v1: primera versión; mejor pérdida de validación 0.3312; exactitud de validación 88.96%
func firstLine(cur *Version) string {
	l, _ := cur.BestValLoss()
	a, _ := cur.ValAccuracy()
	return fmt.Sprintf("%s v%d: primera versión; mejor pérdida de validación %.4f; exactitud de validación %.2f%%%s",
		cur.Name, cur.N, l, 100*a, seedsNote(cur))
}

// techniqueChange says how cur's technique differs from prev's, "" when
// it does not.
func techniqueChange(cur, prev *Version) string {
	name := func(t *fashion.TechniqueRecord) string {
		if t == nil {
			return "ninguna"
		}
		return t.Name
	}
	switch {
	case cur.Technique == nil && prev.Technique == nil:
		return ""
	case cur.Technique != nil && prev.Technique != nil && cur.Technique.Name == prev.Technique.Name:
		if cur.Technique.Version == prev.Technique.Version {
			return ""
		}
		return fmt.Sprintf("código de la técnica %s cambiado (%s, antes %s)", cur.Technique.Name, cur.Technique.Version[:8], prev.Technique.Version[:8])
	}
	return fmt.Sprintf("técnica %s (antes %s)", name(cur.Technique), name(prev.Technique))
}

// changeLine says what differs in cur from prev (a previous version or the
// baseline, called what) and how the best validation loss and the
// validation accuracy moved, e.g.
//
//	dropout v2 frente a v1: dropout=[0.5] (antes dropout=[0.2]); mejor pérdida de validación 0.3312 → 0.3290 (-0.0022); exactitud de validación 88.96% → 89.20% (+0.24 puntos)
func changeLine(cur, prev *Version, what string) string {
	change := cur.Config.Diff(prev.Config)
	if t := techniqueChange(cur, prev); t != "" {
		change = strings.TrimPrefix(change+", "+t, ", ")
	} else if change != "" {
		// A field left out of prev's JSON (an empty Dropout) has no
		// "name=value" of its own.
		was := prev.Config.Diff(cur.Config)
		if was == "" {
			was = "sin fijar"
		}
		change += " (antes " + was + ")"
	}
	// Against the baseline the seed counts are no change of the experiment.
	if len(cur.Seeds) != len(prev.Seeds) && prev.Name == cur.Name {
		if change != "" {
			change += ", "
		}
		change += fmt.Sprintf("%d semilla(s), antes %d", len(cur.Seeds), len(prev.Seeds))
	}
	if change == "" {
		change = "los mismos ajustes"
		if !slices.Equal(cur.Keys, prev.Keys) {
			change += ", entrenado de nuevo (cambiaron los datos o el código del paquete)"
		}
	}
	pl, _ := prev.BestValLoss()
	cl, _ := cur.BestValLoss()
	pa, _ := prev.ValAccuracy()
	ca, _ := cur.ValAccuracy()
	return fmt.Sprintf("%s v%d frente a %s: %s; mejor pérdida de validación %.4f → %.4f (%+.4f); exactitud de validación %.2f%% → %.2f%% (%+.2f puntos)%s",
		cur.Name, cur.N, what, change, pl, cl, cl-pl, 100*pa, 100*ca, 100*(ca-pa), seedsNote(cur))
}

// TestHalf returns the test half of the official test set as cfg's run saw
// it (raw images, for display and for Run.Evaluate).
func TestHalf(cfg fashion.Config) (*fashion.Set, error) {
	data, err := Data()
	if err != nil {
		return nil, err
	}
	return fashion.TestHalf(data, cfg)
}
