// Command reference records what Go's text/template with Sprig 3.3.0 and Helm 4's engine functions produce,
// so IstioPS's native renderer can be compared with it in CI (which has no Go). See ../README.md.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	root := flag.String("root", ".", "the Reference folder (corpus/ in, expected/ out)")
	release := flag.String("release", "", "an Istio release folder: also record seeded random renders of its charts")
	seeds := flag.Int("seeds", 24, "random value sets per chart")
	dump := flag.String("dump", "", "with -release: print the rendered templates of one chart run, \"chart#seed\" (for investigating a difference)")
	signatures := flag.Bool("signatures", false, "print the Go signature of every Sprig and Helm function (for GoSignatures.cs)")
	flag.Parse()
	if *signatures {
		printSignatures()
		return
	}
	dumpRun = *dump
	must(os.MkdirAll(filepath.Join(*root, "expected"), 0o755))
	must(recordCorpus(*root))
	if *release != "" {
		must(recordCharts(*root, *release, *seeds))
	}
}

// printSignatures lists each function's parameter types (Go's reflect names; "..." marks a variadic last one)
// and its result types, one "name\tparams\tresults" line each, sorted by name.
func printSignatures() {
	f := helmFuncs()
	names := make([]string, 0, len(f))
	for n := range f {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := reflect.TypeOf(f[n])
		var in, out []string
		for i := 0; i < t.NumIn(); i++ {
			s := t.In(i).String()
			if t.IsVariadic() && i == t.NumIn()-1 {
				s = "..." + t.In(i).Elem().String()
			}
			in = append(in, s)
		}
		for i := 0; i < t.NumOut(); i++ {
			out = append(out, t.Out(i).String())
		}
		fmt.Printf("%s\t%s\t%s\n", n, strings.Join(in, ","), strings.Join(out, ","))
	}
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type corpusCase struct {
	File, Name, Template, Helpers, Values, Expect string
	HasValues, HasExpect                          bool
}

// parseCorpus reads the case format shared with the C# test: "=== name" starts a case, "--- helpers" and
// "--- values" start its optional sections; each section is its lines joined by "\n" (no final newline).
func parseCorpus(file, text string) []corpusCase {
	var cases []corpusCase
	var cur *corpusCase
	var section string
	var lines []string
	flush := func() {
		if cur == nil {
			return
		}
		body := strings.Join(lines, "\n")
		switch section {
		case "template":
			cur.Template = body
		case "helpers":
			cur.Helpers = body
		case "values":
			cur.Values, cur.HasValues = body, true
		case "expect":
			cur.Expect, cur.HasExpect = body, true
		}
		lines = nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			if cur != nil {
				cases = append(cases, *cur)
			}
			cur = &corpusCase{File: file, Name: strings.TrimSpace(line[4:])}
			section = "template"
		case cur != nil && (line == "--- helpers" || line == "--- values" || line == "--- expect"):
			flush()
			section = line[4:]
		case cur != nil:
			lines = append(lines, line)
		}
	}
	flush()
	if cur != nil {
		cases = append(cases, *cur)
	}
	return cases
}

type result struct {
	File   string `json:"file,omitempty"`
	Name   string `json:"name"`
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
	// Source says where an expectation came from when not from this Go: "go-docs" for constructs newer than
	// the Go that recorded it (written in the case's "--- expect" section from Go's documentation).
	Source string `json:"source,omitempty"`
}

func recordCorpus(root string) error {
	dir := filepath.Join(root, "corpus")
	defaults, err := os.ReadFile(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return err
	}
	chartYaml, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return err
	}
	var md map[string]any
	if err := yaml.Unmarshal(chartYaml, &md); err != nil {
		return err
	}
	fs := files{}
	_ = filepath.Walk(filepath.Join(dir, "files"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			fs[filepath.ToSlash(rel)] = b
		}
		return nil
	})
	names, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	sort.Strings(names)
	var results []result
	for _, name := range names {
		text, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		for _, c := range parseCorpus(filepath.Base(name), string(text)) {
			values := string(defaults)
			if c.HasValues {
				values = c.Values
			}
			out, rerr := renderCase(c, values, md, fs)
			r := result{File: c.File, Name: c.Name}
			if c.HasExpect {
				out, rerr, r.Source = c.Expect, nil, "go-docs"
			}
			if rerr != nil {
				s := rerr.Error()
				r.Error = &s
			} else {
				r.Output = &out
			}
			results = append(results, r)
		}
	}
	return writeJSON(filepath.Join(root, "expected", "corpus.json"), results)
}

func renderCase(c corpusCase, values string, md map[string]any, fs files) (string, error) {
	vals := map[string]any{}
	if err := yaml.Unmarshal([]byte(values), &vals); err != nil {
		return "", fmt.Errorf("values: %w", err)
	}
	tpls := map[string]string{"t/templates/main.yaml": c.Template}
	if c.Helpers != "" {
		tpls["t/templates/_helpers.tpl"] = c.Helpers
	}
	top := map[string]any{
		"Values":       vals,
		"Release":      map[string]any{"Name": "rel", "Namespace": "ns", "IsUpgrade": false, "IsInstall": true, "Revision": 1, "Service": "Helm"},
		"Chart":        chartMap(md),
		"Capabilities": capabilities(),
		"Files":        fs,
		"Subcharts":    map[string]any{},
	}
	out, err := render(tpls, top, "t/templates")
	if err != nil {
		return "", err
	}
	return out["t/templates/main.yaml"], nil
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// ---- seeded random values over Istio's charts ----------------------------------------------------------

var dumpRun string

var charts = []string{"base", "istio-control/istio-discovery", "gateway", "gateways/istio-ingress", "gateways/istio-egress", "istio-cni", "ztunnel"}

type chartObject struct {
	Template string `json:"template"`
	ID       string `json:"id"`
	Hash     string `json:"hash"`
}

type chartRun struct {
	Chart   string        `json:"chart"`
	Seed    int           `json:"seed"`
	Values  string        `json:"values"`
	Objects []chartObject `json:"objects,omitempty"`
	Error   *string       `json:"error,omitempty"`
}

func recordCharts(root, release string, seeds int) error {
	var runs []chartRun
	for _, rel := range charts {
		dir := filepath.Join(release, "manifests", "charts", rel)
		md, defaults, tpls, fs, err := loadChart(dir)
		if err != nil {
			return err
		}
		name, _ := md["name"].(string)
		for seed := 0; seed < seeds; seed++ {
			user := map[string]any{}
			if seed > 0 { // seed 0: the chart's own defaults
				r := rand.New(rand.NewSource(int64(seed)*7919 + int64(len(rel))))
				user = mutate(r, cloneMap(defaults), 0).(map[string]any)
			}
			userJSON, _ := json.Marshal(user)
			run := chartRun{Chart: rel, Seed: seed, Values: string(userJSON)}
			var parsed map[string]any
			must(yaml.Unmarshal(userJSON, &parsed))
			if parsed == nil {
				parsed = map[string]any{}
			}
			var freshDefaults map[string]any
			must(yaml.Unmarshal(mustJSON(defaults), &freshDefaults))
			vals := coalesce(freshDefaults, parsed)
			top := map[string]any{
				"Values":       vals,
				"Release":      map[string]any{"Name": "istio", "Namespace": "istio-system", "IsUpgrade": false, "IsInstall": true, "Revision": 1, "Service": "Helm"},
				"Chart":        chartMap(md),
				"Capabilities": capabilities(),
				"Files":        fs,
				"Subcharts":    map[string]any{},
			}
			out, rerr := render(tpls, top, name+"/templates")
			if dumpRun == fmt.Sprintf("%s#%d", rel, seed) {
				fmt.Println("values:", string(userJSON))
				for n, text := range out {
					fmt.Printf("==== %s\n%s\n", n, text)
				}
				os.Exit(0)
			}
			if rerr != nil {
				s := rerr.Error()
				run.Error = &s
			} else {
				run.Objects = objects(out)
			}
			runs = append(runs, run)
		}
	}
	return writeJSON(filepath.Join(root, "expected", "charts.json"), runs)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	must(err)
	return b
}

func cloneMap(m map[string]any) map[string]any {
	var c map[string]any
	must(json.Unmarshal(mustJSON(m), &c))
	return c
}

func loadChart(dir string) (map[string]any, map[string]any, map[string]string, files, error) {
	var md, vals map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, nil, nil, nil, err
	}
	if err := yaml.Unmarshal(b, &md); err != nil {
		return nil, nil, nil, nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "values.yaml")); err == nil {
		if err := yaml.Unmarshal(b, &vals); err != nil {
			return nil, nil, nil, nil, err
		}
	}
	if vals == nil {
		vals = map[string]any{}
	}
	name, _ := md["name"].(string)
	tpls := map[string]string{}
	fs := files{}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case rel == "Chart.yaml" || rel == "values.yaml" || strings.HasPrefix(rel, "charts/"):
		case strings.HasPrefix(rel, "templates/"):
			tpls[name+"/"+rel] = string(data)
		default:
			fs[rel] = data
		}
		return nil
	})
	return md, vals, tpls, fs, err
}

// mutate returns a user-values tree derived from v: some leaves changed, some maps or keys removed (null),
// so that coalescing, defaults, type checks and conditionals all get exercised.
func mutate(r *rand.Rand, v any, depth int) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p := r.Float64()
			switch {
			case p < 0.03:
				out[k] = nil
			case p < 0.55:
				if m := mutate(r, x[k], depth+1); m != nil || x[k] == nil {
					if sub, ok := m.(map[string]any); ok && len(sub) == 0 {
						continue
					}
					out[k] = m
				}
			}
		}
		if r.Float64() < 0.05 {
			out[fmt.Sprintf("extra%d", r.Intn(10))] = scalar(r, nil)
		}
		return out
	case []any:
		switch p := r.Float64(); {
		case p < 0.15:
			return []any{}
		case p < 0.3:
			return append(append([]any{}, x...), scalar(r, nil))
		default:
			return x
		}
	default:
		if r.Float64() < 0.35 {
			return scalar(r, v)
		}
		return v
	}
}

func scalar(r *rand.Rand, old any) any {
	choices := []any{true, false, "", "x", "istio-1", "123", "true", "1.2.3", "a b", 0.0, 1.0, 3.0, -1.0, 2.5, 65536.0, 1e21,
		map[string]any{"k": "v"}, []any{"a", 1.0}, nil}
	switch o := old.(type) {
	case bool:
		if r.Float64() < 0.6 {
			return !o
		}
	case string:
		if r.Float64() < 0.4 {
			return o + "-m"
		}
	case float64:
		if r.Float64() < 0.4 {
			return o + 1
		}
	}
	return choices[r.Intn(len(choices))]
}

// objects splits each rendered template into YAML documents (lines starting with "---"), parses each with
// sigs.k8s.io/yaml and identifies it by kind/namespace/name and a hash of its canonical JSON.
func objects(out map[string]string) []chartObject {
	names := make([]string, 0, len(out))
	for n := range out {
		names = append(names, n)
	}
	sort.Strings(names)
	var res []chartObject
	for _, n := range names {
		if strings.HasSuffix(n, ".txt") {
			continue
		}
		for _, doc := range splitDocs(out[n]) {
			var obj any
			if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
				res = append(res, chartObject{Template: n, ID: "unparsable", Hash: "error: " + err.Error()})
				continue
			}
			if obj == nil {
				continue
			}
			id := "?"
			if m, ok := obj.(map[string]any); ok {
				meta, _ := m["metadata"].(map[string]any)
				id = fmt.Sprintf("%v/%v/%v", m["kind"], meta["namespace"], meta["name"])
			}
			sum := sha256.Sum256(mustJSON(obj))
			res = append(res, chartObject{Template: n, ID: id, Hash: hex.EncodeToString(sum[:])})
		}
	}
	return res
}

func splitDocs(text string) []string {
	var docs []string
	var cur []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "---") {
			docs = append(docs, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, line)
	}
	docs = append(docs, strings.Join(cur, "\n"))
	var res []string
	for _, d := range docs {
		if strings.TrimSpace(d) != "" {
			res = append(res, d)
		}
	}
	return res
}
