package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/fashion-gomlx/fashion-gomlx/internal/atomicfile"

	"github.com/fashion-gomlx/fashion-gomlx/fashion"
	"github.com/fashion-gomlx/fashion-gomlx/fashion/study"
)

// studyCmd trains the baseline and one variant per technique (the
// notebook's experiment cells and the study's own; see study.Variants),
// reusing stored runs, and writes the results table.
func studyCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fashion study", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	only := fs.String("only", "", "comma-separated variant names to run (default: all)")
	epochs := fs.Int("epochs", 0, "override every variant's epochs (0: their own, 40); warm-up and SWA epochs shrink to fit")
	trainLimit := fs.Int("train-limit", 0, "train on a subset of this many images (0: all)")
	backend := fs.String("backend", "auto", "backend for every variant")
	jsonOut := fs.String("json", filepath.Join("docs", "study.json"), "rows as JSON")
	mdOut := fs.String("md", filepath.Join("docs", "study.md"), "rows as a Markdown document")
	list := fs.Bool("list", false, "list the variants and exit")
	listJSON := fs.Bool("list-json", false, "list the variants as JSON (name, about, config, Go edits of DefaultConfig, seeds, the notebook cell that defines it) and exit")
	notebook := fs.String("notebook", "", "the notebook whose experiment cells are the variants (default: "+study.NotebookFile+" in the repository)")
	if err := parseFlags(fs, args, stdout, "usage: fashion study [flags]"); err != nil {
		return err
	}
	path, err := notebookPath(*notebook)
	if err != nil {
		return err
	}
	variants, skipped, err := study.LoadVariants(path)
	if err != nil {
		return err
	}
	if *listJSON {
		type listed struct {
			Name    string         `json:"name"`
			About   string         `json:"about"`
			Config  fashion.Config `json:"config"`
			GoEdits []string       `json:"go_edits"`
			Seeds   int            `json:"seeds"`
			Cell    string         `json:"cell,omitempty"` // "": the study's own
		}
		var out []listed
		for _, v := range variants {
			out = append(out, listed{v.Name, v.About, v.Config, v.GoEdits(), v.Seeds, v.Cell})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if *list {
		for _, v := range variants {
			about, where := v.About, v.Cell
			if d := v.Config.Diff(fashion.DefaultConfig()); !strings.Contains(about, d) {
				about += ": " + d
			}
			if where == "" {
				where = "the study's own"
			}
			fmt.Fprintf(stdout, "%-17s %s [%s]\n", v.Name, about, where)
		}
		printSkipped(stdout, path, skipped)
		return nil
	}
	printSkipped(stdout, path, skipped)
	if *only != "" {
		names := strings.Split(*only, ",")
		var picked []study.Variant
		for _, name := range names {
			i := slices.IndexFunc(variants, func(v study.Variant) bool { return v.Name == name })
			if i < 0 {
				return usageError{fmt.Errorf("unknown variant %q (see fashion study -list)", name)}
			}
			picked = append(picked, variants[i])
		}
		variants = picked
	}
	for i := range variants {
		variants[i] = variants[i].WithEpochs(*epochs)
		c := &variants[i].Config
		c.Backend = *backend
		c.TrainLimit = *trainLimit
		if err := c.Validate(); err != nil {
			return usageError{fmt.Errorf("variant %s: %w", variants[i].Name, err)}
		}
	}
	data, err := fashion.Load("")
	if err != nil {
		return err
	}
	sess := fashion.NewSession() // the variants' seeds (and variants of one model) compile once
	defer sess.Close()
	var rows []study.Row
	for _, v := range variants {
		start := time.Now()
		var seedRuns []*fashion.Run
		allCached := true
		for i := range v.Seeds {
			cfg := v.Config
			cfg.Seed += uint64(i)
			run, cached, err := fashion.TrainCached(context.Background(), data, cfg, fashion.CacheOptions{Name: v.Name, Session: sess})
			if err != nil {
				return fmt.Errorf("variant %s, seed %d: %w", v.Name, cfg.Seed, err)
			}
			seedRuns = append(seedRuns, run)
			allCached = allCached && cached
		}
		row := study.NewRow(v, seedRuns...)
		rows = append(rows, row)
		how := fmt.Sprintf("trained in %s", time.Since(start).Round(time.Second))
		if allCached {
			how = "stored run"
		}
		test := fmt.Sprintf("%.2f%%", 100*row.TestAccuracy)
		if row.Seeds > 1 {
			test = fmt.Sprintf("%.2f ± %.2f%% (%d seeds)", 100*row.TestAccuracy, 100*row.TestAccuracySD, row.Seeds)
		}
		fmt.Fprintf(stdout, "%-14s test %s  best val %.4f (epoch %d)  final train/val %.4f/%.4f  %.2f s/epoch on %s (%s)\n",
			v.Name, test, row.BestValLoss, row.BestEpoch, row.FinalTrainLoss, row.FinalValLoss,
			row.SecondsPerEpoch, row.Backend, how)
		// Written after every variant, so a long study shows its progress.
		if err := writeStudy(rows, *jsonOut, *mdOut, args); err != nil {
			return err
		}
	}
	if h := study.Headline(rows); h != "" {
		fmt.Fprint(stdout, "\n"+h)
	}
	return nil
}

// notebookPath is the -notebook flag's notebook, or the repository's.
func notebookPath(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	root := fashion.RepoRoot()
	if root == "" {
		return "", usageError{fmt.Errorf("no checkout of the repository at or above the working directory, so no %s: pass -notebook PATH", study.NotebookFile)}
	}
	return filepath.Join(root, filepath.FromSlash(study.NotebookFile)), nil
}

// printSkipped lists the notebook's experiment cells that the study does
// not train, and why.
func printSkipped(w io.Writer, notebook string, skipped []study.Skipped) {
	for _, s := range skipped {
		fmt.Fprintf(w, "not in the study: %s %s, %q: %s\n", notebook, s.Where(), s.Name, s.Reason)
	}
}

func writeStudy(rows []study.Row, jsonOut, mdOut string, args []string) error {
	data, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(jsonOut, append(data, '\n')); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# Study: the exercise's techniques, one at a time\n\n")
	fmt.Fprintf(&b, "Made by `%s` on %s (%s/%s, %d cores), %s.\n",
		strings.TrimSpace("go run ./cmd/fashion study "+strings.Join(args, " ")), cpuModel(), runtime.GOOS, runtime.GOARCH,
		runtime.NumCPU(), time.Now().UTC().Format("2006-01-02"))
	b.WriteString("Runs are stored in data/runs (see fashion.TrainCached): a second study reuses them.\n")
	b.WriteString("Test accuracy is on the held-out test half (5000 images; its Wilson 95% interval near 89% is about ±0.9 points),\n")
	b.WriteString("with the weights of the last epoch (of the best one where early stopping is on). Variants with 3 seeds\n")
	b.WriteString("(initialization and shuffling; the split stays 42) show mean ± sample sd; the losses and epochs are the first seed's.\n")
	b.WriteString("Seconds per epoch include validation and were measured while other work shared the 2 cores. Rows are also in `study.json`.\n\n")
	if h := study.Headline(rows); h != "" {
		b.WriteString(h + "\n")
	}
	b.WriteString(study.Markdown(rows))
	return writeFile(mdOut, []byte(b.String()))
}

// writeFile writes atomically (see atomicfile).
func writeFile(path string, data []byte) error { return atomicfile.Write(path, data) }

// cpuModel reads the CPU's name from /proc/cpuinfo.
func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown CPU"
}
