package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
)

// steps maps the step names shared with bench/torch_steps.py to the Go
// benchmarks that time them, in table order.
// flops is each step's floating-point operations per training case in
// its matrix products, so that a rate becomes GFLOP/s.
var steps = []struct {
	name, bench string
	flops       float64
}{
	{"cd1-binary-784x1000-b100", "BenchmarkCDStep/binary-784x1000/cd=1/batch=100", cdFlops(784, 1000, 1)},
	{"cd1-softmax-2000x500-b100", "BenchmarkCDStep/softmax-2000x500/cd=1/batch=100", cdFlops(2000, 500, 1)},
	{"adam-mnist-b100", "BenchmarkAdamStep/mnist-784-1000-500-250-30/batch=100", backpropFlops(784, 1000, 500, 250, 30)},
	{"adam-mnist-b1000", "BenchmarkAdamStep/mnist-784-1000-500-250-30/batch=1000", backpropFlops(784, 1000, 500, 250, 30)},
	{"adam-news-b100", "BenchmarkAdamStep/news-2000-500-250-125-10/batch=100", backpropFlops(2000, 500, 250, 125, 10)},
}

// cdFlops counts a CD-k step of a v x h RBM per case: the positive hidden
// probabilities (2vh), k Gibbs steps down and up (4vh each) and the two
// outer products of the gradient (4vh).
func cdFlops(v, h, k int) float64 { return float64((6 + 4*k) * v * h) }

// backpropFlops counts a forward and backward pass per case of the
// autoencoder unrolled from the encoder widths enc: 2 flops a weight
// forward, 4 backward (the weights' gradient and the inputs'), less the
// bottom layer's gradient with respect to the data.
func backpropFlops(enc ...int) float64 {
	var w int
	for i := 1; i < len(enc); i++ {
		w += 2 * enc[i-1] * enc[i] // encoder and decoder
	}
	return float64(6*w - 2*enc[0]*enc[1])
}

// torchResult is the output of bench/torch_steps.py.
type torchResult struct {
	Torch   string                        `json:"torch"`
	Best    map[string]float64            `json:"best"`
	Threads map[string]map[string]float64 `json:"threads"`
}

// stepJSON is one step of `bench/run --json`.
type stepJSON struct {
	Docsearch         float64  `json:"docsearch"`
	GFLOPS            float64  `json:"docsearch_gflops"`
	Pytorch           float64  `json:"pytorch"`
	Ratio             float64  `json:"ratio"`
	DocsearchOpenBLAS *float64 `json:"docsearch_openblas,omitempty"`
	RatioOpenBLAS     *float64 `json:"ratio_openblas,omitempty"`
}

func report(args []string) error {
	fs := flag.NewFlagSet("report", flag.ExitOnError)
	goFile := fs.String("go", "", "go test -bench output of the pure-Go build")
	obFile := fs.String("openblas", "", "go test -bench output of the -tags openblas build")
	torchFile := fs.String("torch", "", "JSON of bench/torch_steps.py")
	topkFile := fs.String("topk", "", "JSON of benchtool topk")
	evalFile := fs.String("eval", "", `JSON with "seconds" (benchtool eval, or bench/run timing docsearch eval)`)
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Parse(args)
	if *goFile == "" && *obFile == "" {
		return fmt.Errorf("report: need -go or -openblas")
	}
	m, err := readMeasured(*goFile, *obFile, *torchFile, *topkFile, *evalFile)
	if err != nil {
		return err
	}
	if *asJSON {
		return m.writeJSON()
	}
	return m.writeTable()
}

// measured is what report reads: the rates of the Go benchmarks of the
// pure-Go and OpenBLAS builds (nil when not given), PyTorch's, and the
// search and eval timings (when given).
type measured struct {
	torch            torchResult
	goRates, obRates map[string]float64
	topk             *topkResult // nil: not given
	eval             *evalResult // nil: not given
}

// topkResult is the output of benchtool topk.
type topkResult struct {
	P50 float64 `json:"p50_ms"`
}

// evalResult is the output of benchtool eval, or bench/run's timing of
// docsearch eval.
type evalResult struct {
	Seconds float64 `json:"seconds"`
	Source  string  `json:"source"`
}

// readMeasured reads the files report is given; "" for one not given.
func readMeasured(goFile, obFile, torchFile, topkFile, evalFile string) (*measured, error) {
	m := &measured{}
	if err := readJSON(torchFile, &m.torch); err != nil {
		return nil, err
	}
	var err error
	if goFile != "" {
		if m.goRates, err = benchRates(goFile); err != nil {
			return nil, err
		}
	}
	if obFile != "" {
		if m.obRates, err = benchRates(obFile); err != nil {
			return nil, err
		}
	}
	if topkFile != "" {
		m.topk = new(topkResult)
		if err := readJSON(topkFile, m.topk); err != nil {
			return nil, err
		}
	}
	if evalFile != "" {
		m.eval = new(evalResult)
		if err := readJSON(evalFile, m.eval); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// writeJSON prints the report as one JSON object.
func (m *measured) writeJSON() error {
	out := struct {
		Steps map[string]stepJSON `json:"steps"`
		TopK  float64             `json:"topk_1m_ms_p50"`
		Eval  float64             `json:"eval_20news_s"`
	}{Steps: map[string]stepJSON{}}
	if m.topk != nil {
		out.TopK = m.topk.P50
	}
	if m.eval != nil {
		out.Eval = m.eval.Seconds
	}
	for _, s := range steps {
		pt := m.torch.Best[s.name]
		var j stepJSON
		j.Pytorch = pt
		switch {
		case m.goRates != nil:
			j.Docsearch = m.goRates[s.bench]
			if m.obRates != nil {
				ob, r := m.obRates[s.bench], ratio(m.obRates[s.bench], pt)
				j.DocsearchOpenBLAS, j.RatioOpenBLAS = &ob, &r
			}
		default:
			j.Docsearch = m.obRates[s.bench]
		}
		j.Ratio = ratio(j.Docsearch, pt)
		j.GFLOPS = j.Docsearch * s.flops / 1e9
		out.Steps[s.name] = j
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

// writeTable prints the report as a table of steps, a column per build
// given, then the search and eval timings.
func (m *measured) writeTable() error {
	goRates, obRates, tr := m.goRates, m.obRates, m.torch
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "step\t"
	if goRates != nil {
		head += "docsearch go\t"
	}
	if obRates != nil {
		head += "docsearch openblas\t"
	}
	head += "pytorch\tpt 1 thr\tpt 2 thr\t"
	if goRates != nil {
		head += "GFLOP/s go\tratio go\t"
	}
	if obRates != nil {
		head += "ratio openblas\t"
	}
	fmt.Fprintln(w, head)
	for _, s := range steps {
		pt := tr.Best[s.name]
		line := s.name + "\t"
		if goRates != nil {
			line += rate(goRates[s.bench]) + "\t"
		}
		if obRates != nil {
			line += rate(obRates[s.bench]) + "\t"
		}
		line += rate(pt) + "\t" + rate(tr.Threads["1"][s.name]) + "\t" + rate(tr.Threads["2"][s.name]) + "\t"
		if goRates != nil {
			line += fmt.Sprintf("%.0f\t%.2f\t", goRates[s.bench]*s.flops/1e9, ratio(goRates[s.bench], pt))
		}
		if obRates != nil {
			line += fmt.Sprintf("%.2f\t", ratio(obRates[s.bench], pt))
		}
		fmt.Fprintln(w, line)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("samples/s, higher is better; GFLOP/s = samples/s x the flops of the step's matrix products as dense products (products with word counts skip their zero terms, so the softmax and news steps' figures are dense equivalents); ratio = docsearch / pytorch (best of 1 and 2 threads); torch %s\n", tr.Torch)
	if m.topk != nil {
		fmt.Printf("index.Search top-10 of 1M 10-D codes: p50 %.2f ms/query\n", m.topk.P50)
	}
	if m.eval != nil {
		fmt.Printf("eval, 7,532 documents all-pairs (%s): %.1f s\n", m.eval.Source, m.eval.Seconds)
	}
	return nil
}

// benchRates returns the best samples/s of every benchmark in a go test
// -bench output, keyed by name without the -GOMAXPROCS suffix.
func benchRates(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rates := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		name := fields[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		for i := 2; i+1 < len(fields); i++ {
			if fields[i+1] != "samples/s" {
				continue
			}
			if v, err := strconv.ParseFloat(fields[i], 64); err == nil && v > rates[name] {
				rates[name] = v
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, s := range steps {
		if rates[s.bench] == 0 {
			return nil, fmt.Errorf("report: %s has no samples/s for %s", path, s.bench)
		}
	}
	return rates, nil
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("report: %s: %w", path, err)
	}
	return nil
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func rate(x float64) string { return strconv.FormatFloat(x, 'f', 0, 64) }
