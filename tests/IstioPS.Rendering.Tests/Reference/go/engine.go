package main

// A Helm 4 engine (pkg/engine) rebuilt on the same parts: Go's text/template, Sprig 3.3.0's TxtFuncMap, Helm's
// extra functions, late-bound include/tpl/required/fail, Helm's template order, its error rewriting and its
// coalescing of values. Written from Helm's documented behaviour and source; kept small on purpose.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/gobwas/glob"
	"sigs.k8s.io/yaml"
	goyaml3 "sigs.k8s.io/yaml/goyaml.v3"
)

const includeLimit = 1000 // Helm's recursionMaxNums

const errStart, errEnd = "HELM_ERR_START", "HELM_ERR_END"

var errWrapped = regexp.MustCompile(errStart + `((?s).*)` + errEnd)

func helmFuncs() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	f["toYaml"] = func(v any) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	f["mustToYaml"] = func(v any) string {
		b, err := yaml.Marshal(v)
		if err != nil {
			panic(err)
		}
		return strings.TrimSuffix(string(b), "\n")
	}
	f["toYamlPretty"] = func(v any) string {
		var buf bytes.Buffer
		enc := goyaml3.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(v); err != nil {
			return ""
		}
		return strings.TrimSuffix(buf.String(), "\n")
	}
	f["fromYaml"] = func(s string) map[string]any {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromYamlArray"] = func(s string) []any {
		a := []any{}
		if err := yaml.Unmarshal([]byte(s), &a); err != nil {
			a = []any{err.Error()}
		}
		return a
	}
	f["toJson"] = func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(b)
	}
	f["mustToJson"] = func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return string(b)
	}
	f["fromJson"] = func(s string) map[string]any {
		m := map[string]any{}
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	f["fromJsonArray"] = func(s string) []any {
		a := []any{}
		if err := json.Unmarshal([]byte(s), &a); err != nil {
			a = []any{err.Error()}
		}
		return a
	}
	f["lookup"] = func(string, string, string, string) (map[string]any, error) { return map[string]any{}, nil }
	f["getHostByName"] = func(string) string { return "" }
	f["include"] = func(string, any) string { return "not implemented" }
	f["tpl"] = func(string, any) any { return "not implemented" }
	f["required"] = func(string, any) (any, error) { return "not implemented", nil }
	return f
}

func include(t *template.Template, depth map[string]int) func(string, any) (string, error) {
	return func(name string, data any) (string, error) {
		if n, ok := depth[name]; ok {
			if n > includeLimit {
				return "", fmt.Errorf("rendering template has a nested reference name: %s: %w", name, errors.New("unable to execute template"))
			}
			depth[name]++
		} else {
			depth[name] = 1
		}
		var b strings.Builder
		err := t.ExecuteTemplate(&b, name, data)
		depth[name]--
		return b.String(), err
	}
}

func tpl(parent *template.Template, depth map[string]int) func(string, any) (string, error) {
	return func(text string, vals any) (string, error) {
		t, err := parent.Clone()
		if err != nil {
			return "", fmt.Errorf("cannot clone template: %w", err)
		}
		t.Option("missingkey=zero")
		t.Funcs(template.FuncMap{"include": include(t, depth), "tpl": tpl(t, depth)})
		t, err = t.New(parent.Name()).Parse(text)
		if err != nil {
			return "", fmt.Errorf("cannot parse template %q: %w", text, err)
		}
		var b strings.Builder
		if err := t.Execute(&b, vals); err != nil {
			return "", fmt.Errorf("error during tpl function execution for %q: %w", text, err)
		}
		return strings.ReplaceAll(b.String(), "<no value>", ""), nil
	}
}

func newTemplate() *template.Template {
	t := template.New("gotpl")
	t.Option("missingkey=zero")
	f := helmFuncs()
	depth := map[string]int{}
	f["include"] = include(t, depth)
	f["tpl"] = tpl(t, depth)
	f["required"] = func(warn string, val any) (any, error) {
		if val == nil {
			return val, errors.New(errStart + warn + errEnd)
		}
		if s, ok := val.(string); ok && s == "" {
			return val, errors.New(errStart + warn + errEnd)
		}
		return val, nil
	}
	f["fail"] = func(msg string) (string, error) { return "", errors.New(errStart + msg + errEnd) }
	t.Funcs(f)
	return t
}

// templateOrder is Helm's sortTemplates: more path segments first, then reverse lexical order.
func templateOrder(names []string) []string {
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		ca, cb := strings.Count(a, "/"), strings.Count(b, "/")
		if ca != cb {
			return ca > cb
		}
		return a > b
	})
	return out
}

// render is Helm's Engine.render for one chart whose templates all see the same top-level values.
func render(templates map[string]string, top map[string]any, basePath string) (out map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("rendering template failed: %v", r)
		}
	}()
	t := newTemplate()
	names := make([]string, 0, len(templates))
	for n := range templates {
		names = append(names, n)
	}
	keys := templateOrder(names)
	for _, name := range keys {
		if _, err := t.New(name).Parse(templates[name]); err != nil {
			return nil, parseError(name, err)
		}
	}
	out = map[string]string{}
	for _, name := range keys {
		if strings.HasPrefix(path.Base(name), "_") {
			continue
		}
		top["Template"] = map[string]any{"Name": name, "BasePath": basePath}
		var b strings.Builder
		if err := t.ExecuteTemplate(&b, name, top); err != nil {
			return nil, execError(name, err)
		}
		out[name] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}

// parseError is Helm's cleanupParseError.
func parseError(name string, err error) error {
	tokens := strings.Split(err.Error(), ": ")
	if len(tokens) == 1 {
		return fmt.Errorf("parse error in (%s): %w", name, err)
	}
	return fmt.Errorf("parse error at (%s): %s", tokens[1], tokens[len(tokens)-1])
}

type trace struct{ location, message, function string }

func (t trace) String() string {
	var b strings.Builder
	if t.location != "" {
		fmt.Fprintf(&b, "%s\n  ", t.location)
	}
	if t.function != "" {
		fmt.Fprintf(&b, "%s\n    ", t.function)
	}
	if t.message != "" {
		fmt.Fprintf(&b, "%s\n", t.message)
	}
	return b.String()
}

func parseTrace(s string) (trace, bool) {
	const prefix = "template: "
	if !strings.HasPrefix(s, prefix) {
		return trace{}, false
	}
	rest := s[len(prefix):]
	if strings.HasPrefix(rest, "no template ") {
		return trace{message: s}, true
	}
	if name, after, ok := strings.Cut(rest, ": executing "); ok {
		if len(after) > 0 && after[0] == '"' {
			if q := strings.IndexByte(after[1:], '"'); q >= 0 {
				fn := after[1 : q+1]
				afterFn := after[q+2:]
				if strings.HasPrefix(afterFn, " at <") {
					if loc, msg, ok := strings.Cut(afterFn[len(" at <"):], ">: "); ok {
						if cut := strings.Index(msg, " template:"); cut >= 0 {
							msg = msg[:cut]
						}
						return trace{location: name, message: msg, function: "executing \"" + fn + "\" at <" + loc + ">:"}, true
					}
				}
			}
		}
	}
	if sep := strings.LastIndex(rest, ": "); sep >= 0 {
		msg := rest[sep+2:]
		if cut := strings.Index(msg, " template:"); cut >= 0 {
			msg = msg[:cut]
		}
		return trace{location: rest[:sep], message: msg}, true
	}
	return trace{}, false
}

// execError is Helm's reformatExecErrorMsg.
func execError(name string, err error) error {
	var ee template.ExecError
	if !errors.As(err, &ee) {
		return err
	}
	tokens := strings.SplitN(err.Error(), ": ", 3)
	if len(tokens) != 3 {
		return fmt.Errorf("execution error in (%s): %w", name, err)
	}
	if parts := errWrapped.FindStringSubmatch(tokens[2]); len(parts) >= 2 {
		return fmt.Errorf("execution error at (%s): %s", tokens[1], parts[1])
	}
	var traces []trace
	for cur := err; cur != nil; cur = errors.Unwrap(cur) {
		tr, ok := parseTrace(cur.Error())
		if !ok {
			return err
		}
		if len(traces) == 0 || traces[len(traces)-1] != tr {
			traces = append(traces, tr)
		}
	}
	var b strings.Builder
	for _, tr := range traces {
		b.WriteString(tr.String())
	}
	return errors.New(strings.TrimSpace(b.String()))
}

// files is Helm's .Files.
type files map[string][]byte

// Glob is Helm's: a gobwas/glob pattern with '/' as separator; a pattern that does not compile matches everything.
func (f files) Glob(pattern string) files {
	g, err := glob.Compile(pattern, '/')
	if err != nil {
		g, _ = glob.Compile("**")
	}
	nf := files{}
	for name, contents := range f {
		if g.Match(name) {
			nf[name] = contents
		}
	}
	return nf
}

func (f files) GetBytes(name string) []byte {
	if v, ok := f[name]; ok {
		return v
	}
	return []byte{}
}

func (f files) Get(name string) string { return string(f.GetBytes(name)) }

func (f files) AsConfig() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = string(v)
	}
	return helmFuncs()["toYaml"].(func(any) string)(m)
}

func (f files) AsSecrets() string {
	if f == nil {
		return ""
	}
	m := map[string]string{}
	for k, v := range f {
		m[path.Base(k)] = base64.StdEncoding.EncodeToString(v)
	}
	return helmFuncs()["toYaml"].(func(any) string)(m)
}

func (f files) Lines(p string) []string {
	if f == nil || f[p] == nil {
		return []string{}
	}
	s := string(f[p])
	if s[len(s)-1] == '\n' {
		s = s[:len(s)-1]
	}
	return strings.Split(s, "\n")
}

// Capabilities as Helm 4's common.Capabilities (HelmVersion reduced to its Version field).
type KubeVersion struct {
	Version    string
	normalized string
	Major      string
	Minor      string
}

func (kv *KubeVersion) String() string {
	if kv.normalized != "" {
		return kv.normalized
	}
	return kv.Version
}

func (kv *KubeVersion) GitVersion() string { return kv.Version }

type VersionSet []string

func (v VersionSet) Has(apiVersion string) bool {
	for _, x := range v {
		if x == apiVersion {
			return true
		}
	}
	return false
}

type BuildInfo struct {
	Version      string `json:"version,omitempty"`
	GitCommit    string `json:"git_commit,omitempty"`
	GitTreeState string `json:"git_tree_state,omitempty"`
	GoVersion    string `json:"go_version,omitempty"`
	KubeClientVersion string `json:"kube_client_version"`
}

type Capabilities struct {
	KubeVersion KubeVersion
	APIVersions VersionSet
	HelmVersion BuildInfo
}

// The API versions IstioPS's renderer reports (src/IstioPS.Rendering/Helm/HelmRenderer.cs), so charts that
// ask .Capabilities.APIVersions.Has see the same answers on both sides.
var apiVersions = VersionSet{"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v1", "autoscaling/v2", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
	"storage.k8s.io/v1", "coordination.k8s.io/v1", "discovery.k8s.io/v1", "scheduling.k8s.io/v1",
	"certificates.k8s.io/v1", "events.k8s.io/v1", "node.k8s.io/v1"}

func capabilities() *Capabilities {
	return &Capabilities{
		KubeVersion: KubeVersion{Version: "v1.32.0", normalized: "v1.32.0", Major: "1", Minor: "32"},
		APIVersions: apiVersions,
		HelmVersion: BuildInfo{Version: "v3.18.0"},
	}
}

// chartMap is Helm 4's accessor.MetadataAsMap (struct field names as keys) plus IsRoot.
func chartMap(md map[string]any) map[string]any {
	str := func(k string) string {
		if s, ok := md[k].(string); ok {
			return s
		}
		if v, ok := md[k]; ok && v != nil {
			return fmt.Sprint(v)
		}
		return ""
	}
	list := func(k string) []any {
		l, _ := md[k].([]any)
		if l == nil {
			return []any{}
		}
		return l
	}
	var ann map[string]string
	if a, ok := md["annotations"].(map[string]any); ok {
		ann = map[string]string{}
		for k, v := range a {
			ann[k] = fmt.Sprint(v)
		}
	}
	maint := []any{}
	for _, m := range list("maintainers") {
		mm, _ := m.(map[string]any)
		s := func(k string) string { x, _ := mm[k].(string); return x }
		maint = append(maint, map[string]any{"Name": s("name"), "Email": s("email"), "URL": s("url")})
	}
	dep, _ := md["deprecated"].(bool)
	return map[string]any{
		"Name": str("name"), "Home": str("home"), "Sources": list("sources"), "Version": str("version"),
		"Description": str("description"), "Keywords": list("keywords"), "Maintainers": maint, "Icon": str("icon"),
		"APIVersion": str("apiVersion"), "Condition": str("condition"), "Tags": str("tags"), "AppVersion": str("appVersion"),
		"Deprecated": dep, "Annotations": ann, "KubeVersion": str("kubeVersion"), "Dependencies": []any{}, "Type": str("type"),
		"IsRoot": true,
	}
}

// coalesce is Helm 4's CoalesceValues for a chart without dependencies: user values over the chart's values.yaml.
func coalesce(defaults, user map[string]any) map[string]any {
	v := user
	for key, val := range defaults {
		if value, ok := v[key]; ok {
			if value == nil {
				delete(v, key)
			} else if dest, ok := value.(map[string]any); ok {
				if src, ok := val.(map[string]any); ok {
					cleanNil(src)
					coalesceTables(dest, src)
				}
			}
		} else {
			if val == nil {
				continue
			}
			if sub, ok := val.(map[string]any); ok {
				cleanNil(sub)
			}
			v[key] = val
		}
	}
	return v
}

func coalesceTables(dst, src map[string]any) {
	nonNil := map[string]bool{}
	for k, v := range src {
		if v != nil {
			nonNil[k] = true
		}
	}
	for k, v := range dst {
		if v == nil {
			src[k] = nil
		}
	}
	for k, val := range src {
		dv, ok := dst[k]
		if ok && dv == nil && nonNil[k] {
			delete(dst, k)
		} else if !ok {
			dst[k] = val
		} else if sm, isMap := val.(map[string]any); isMap {
			if dm, isMap := dv.(map[string]any); isMap {
				coalesceTables(dm, sm)
			}
		}
	}
}

func cleanNil(m map[string]any) {
	for k, v := range m {
		if v == nil {
			delete(m, k)
		} else if sub, ok := v.(map[string]any); ok {
			cleanNil(sub)
		}
	}
}
