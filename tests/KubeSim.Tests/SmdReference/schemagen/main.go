// Command schemagen writes KubeSim's tests/KubeSim/Apply/BuiltinSchema.json: the merge schema of the built-in
// kinds KubeSim knows in full, in KubeSim's compact form, from structured-merge-diff's schema of
// kube-apiserver 1.32's OpenAPI (x-kubernetes-list-type, -list-map-keys, -map-type, patch strategies and
// merge keys, and the `default: {}` openapi-gen gives non-pointer struct fields). That schema is the YAML
// that client-go v0.32 carries in applyconfigurations/internal/internal.go; see schemagen.sh. Nothing
// fetched is committed: only what this program writes.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	yaml "gopkg.in/yaml.v2"
)

// The kinds KubeSim gives a full schema: every built-in kind an Istio install (istioctl's profiles, the Helm
// charts, the samples' addons) or IstioPS writes, and the workloads KubeSim's controllers run.
var kinds = [][3]string{
	{"v1/ConfigMap", "io.k8s.api.core.v1.ConfigMap", "ConfigMap"},
	{"v1/Secret", "io.k8s.api.core.v1.Secret", "Secret"},
	{"v1/Service", "io.k8s.api.core.v1.Service", "Service"},
	{"v1/ServiceAccount", "io.k8s.api.core.v1.ServiceAccount", "ServiceAccount"},
	{"v1/Namespace", "io.k8s.api.core.v1.Namespace", "Namespace"},
	{"v1/ResourceQuota", "io.k8s.api.core.v1.ResourceQuota", "ResourceQuota"},
	{"apps/v1/Deployment", "io.k8s.api.apps.v1.Deployment", "Deployment"},
	{"apps/v1/DaemonSet", "io.k8s.api.apps.v1.DaemonSet", "DaemonSet"},
	{"apps/v1/StatefulSet", "io.k8s.api.apps.v1.StatefulSet", "StatefulSet"},
	{"batch/v1/Job", "io.k8s.api.batch.v1.Job", "Job"},
	{"policy/v1/PodDisruptionBudget", "io.k8s.api.policy.v1.PodDisruptionBudget", "PodDisruptionBudget"},
	{"autoscaling/v2/HorizontalPodAutoscaler", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", "HorizontalPodAutoscaler"},
	{"networking.k8s.io/v1/NetworkPolicy", "io.k8s.api.networking.v1.NetworkPolicy", "NetworkPolicy"},
	{"rbac.authorization.k8s.io/v1/ClusterRole", "io.k8s.api.rbac.v1.ClusterRole", "ClusterRole"},
	{"rbac.authorization.k8s.io/v1/ClusterRoleBinding", "io.k8s.api.rbac.v1.ClusterRoleBinding", "ClusterRoleBinding"},
	{"rbac.authorization.k8s.io/v1/Role", "io.k8s.api.rbac.v1.Role", "Role"},
	{"rbac.authorization.k8s.io/v1/RoleBinding", "io.k8s.api.rbac.v1.RoleBinding", "RoleBinding"},
	{"admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration", "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration", "ValidatingWebhookConfiguration"},
	{"admissionregistration.k8s.io/v1/MutatingWebhookConfiguration", "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration", "MutatingWebhookConfiguration"},
	{"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy", "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy", "ValidatingAdmissionPolicy"},
	{"admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding", "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding", "ValidatingAdmissionPolicyBinding"},
}

type atom struct {
	NamedType           string   `yaml:"namedType"`
	Scalar              string   `yaml:"scalar"`
	List                *list    `yaml:"list"`
	Map                 *mapAtom `yaml:"map"`
	ElementRelationship string   `yaml:"elementRelationship"`
}

type list struct {
	ElementType         atom     `yaml:"elementType"`
	ElementRelationship string   `yaml:"elementRelationship"`
	Keys                []string `yaml:"keys"`
}

type field struct {
	Name    string      `yaml:"name"`
	Type    atom        `yaml:"type"`
	Default interface{} `yaml:"default"`
}

type mapAtom struct {
	Fields              []field `yaml:"fields"`
	ElementType         *atom   `yaml:"elementType"`
	ElementRelationship string  `yaml:"elementRelationship"`
}

type typeDef struct {
	Name   string   `yaml:"name"`
	Scalar string   `yaml:"scalar"`
	Map    *mapAtom `yaml:"map"`
	List   *list    `yaml:"list"`
}

type gen struct {
	types   map[string]typeDef
	short   map[string]string // full name -> compact name
	used    map[string]bool   // compact names taken
	out     map[string]interface{}
	pending []string
	keys    map[string]map[string]bool // full type name -> its fields that key a list
}

func main() {
	in := flag.String("in", "", "client-go v0.32's applyconfigurations/internal/internal.go")
	out := flag.String("out", "../../../KubeSim/Apply/BuiltinSchema.json", "where to write KubeSim's schema")
	extra := flag.String("extra", "apiextensions.json", "kinds client-go's schema lacks, already in the compact form")
	flag.Parse()
	src, err := os.ReadFile(*in)
	must(err)
	text := string(src)
	start := strings.Index(text, "`types:")
	end := strings.LastIndex(text, "`")
	if start < 0 || end <= start {
		panic("no schema YAML in " + *in)
	}
	var doc struct {
		Types []typeDef `yaml:"types"`
	}
	must(yaml.Unmarshal([]byte(text[start+1:end]), &doc))
	g := &gen{types: map[string]typeDef{}, short: map[string]string{}, used: map[string]bool{}, out: map[string]interface{}{}, keys: map[string]map[string]bool{}}
	for _, t := range doc.Types {
		g.types[t.Name] = t
	}
	g.collectKeys()
	kindMap := map[string]string{}
	for _, k := range kinds {
		kindMap[k[0]] = g.name(k[1], k[2])
	}
	g.name("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "ObjectMeta")
	for len(g.pending) > 0 {
		full := g.pending[0]
		g.pending = g.pending[1:]
		g.emit(full)
	}
	addExtra(*extra, kindMap, g.out)
	write(*out, kindMap, g.out)
}

// addExtra adds kinds written by hand in the compact form (the CustomResourceDefinition, which
// apiextensions-apiserver serves and client-go's schema does not carry).
func addExtra(path string, kindMap map[string]string, types map[string]interface{}) {
	raw, err := os.ReadFile(path)
	must(err)
	var doc struct {
		Kinds map[string]string          `json:"kinds"`
		Types map[string]json.RawMessage `json:"types"`
	}
	must(json.Unmarshal(raw, &doc))
	for k, t := range doc.Kinds {
		kindMap[k] = t
	}
	for n, t := range doc.Types {
		if _, taken := types[n]; taken {
			panic("type defined twice: " + n)
		}
		var def interface{}
		must(json.Unmarshal(t, &def))
		types[n] = def
	}
}

// collectKeys finds the fields that key an associative list, whose defaults SMD uses when an item lacks them.
func (g *gen) collectKeys() {
	visit := func(a *atom) {}
	visit = func(a *atom) {
		if a == nil {
			return
		}
		if a.List != nil {
			if a.List.ElementType.NamedType != "" {
				m := g.keys[a.List.ElementType.NamedType]
				if m == nil {
					m = map[string]bool{}
					g.keys[a.List.ElementType.NamedType] = m
				}
				for _, k := range a.List.Keys {
					m[k] = true
				}
			}
			visit(&a.List.ElementType)
		}
	}
	for _, t := range g.types {
		if t.Map != nil {
			for i := range t.Map.Fields {
				visit(&t.Map.Fields[i].Type)
			}
		}
	}
}

// name gives a full type name its compact name: the last segment, or group-qualified where that is taken.
func (g *gen) name(full, preferred string) string {
	if n, ok := g.short[full]; ok {
		return n
	}
	n := preferred
	if n == "" {
		parts := strings.Split(full, ".")
		n = parts[len(parts)-1]
		if g.used[n] {
			n = parts[len(parts)-3] + "." + parts[len(parts)-2] + "." + n
		}
	}
	if g.used[n] {
		panic("compact name taken twice: " + n)
	}
	g.used[n] = true
	g.short[full] = n
	g.pending = append(g.pending, full)
	return n
}

// isScalar: a named type that is a scalar (Quantity, Time, MicroTime, IntOrString).
func (g *gen) isScalar(full string) bool {
	t, ok := g.types[full]
	return ok && t.Scalar != "" && t.Map == nil && t.List == nil
}

// isUntyped: a struct without declared fields (an open OpenAPI object): SMD deduces its shape.
func (g *gen) isUntyped(full string) bool {
	t, ok := g.types[full]
	return ok && t.Map != nil && len(t.Map.Fields) == 0 && t.Map.ElementType != nil && t.Map.ElementType.Scalar == "untyped"
}

func (g *gen) ref(a atom) interface{} {
	if a.ElementRelationship != "" && a.List == nil && a.Map == nil {
		panic(fmt.Sprintf("relationship on a reference: %+v", a))
	}
	switch {
	case a.Scalar != "":
		return scalarKind(a.Scalar)
	case a.NamedType == "__untyped_deduced_":
		return "deduced"
	case a.NamedType != "":
		if g.isScalar(a.NamedType) {
			return scalarKind(g.types[a.NamedType].Scalar)
		}
		if g.isUntyped(a.NamedType) {
			return "deduced"
		}
		return g.name(a.NamedType, "")
	case a.List != nil:
		rel := "atomic"
		if a.List.ElementRelationship == "associative" {
			rel = "set"
			if len(a.List.Keys) > 0 {
				rel = "map"
			}
		}
		l := map[string]interface{}{"list": rel, "of": g.ref(a.List.ElementType)}
		if rel == "map" {
			l["keys"] = a.List.Keys
		}
		return l
	case a.Map != nil:
		if len(a.Map.Fields) > 0 || a.Map.ElementType == nil {
			panic(fmt.Sprintf("inline struct: %+v", a))
		}
		el := g.ref(*a.Map.ElementType)
		atomic := a.Map.ElementRelationship == "atomic"
		if el == "scalar" {
			if atomic {
				return "atomicmap"
			}
			return "map"
		}
		if kind, ok := el.(string); ok && (kind == "string" || kind == "numeric" || kind == "boolean") {
			m := map[string]interface{}{"map": "granular", "of": kind}
			if atomic {
				m["map"] = "atomic"
			}
			return m
		}
		panic(fmt.Sprintf("a map of %v: KubeSim's schema has maps of scalars only", el))
	}
	panic(fmt.Sprintf("unknown atom: %+v", a))
}

// scalarKind names structured-merge-diff's scalar types: string, numeric, boolean, or scalar (untyped: any).
func scalarKind(s string) string {
	switch s {
	case "string", "numeric", "boolean":
		return s
	case "untyped":
		return "scalar"
	}
	panic("unknown scalar type " + s)
}

func (g *gen) emit(full string) {
	t, ok := g.types[full]
	if !ok || t.Map == nil {
		panic("not a struct: " + full)
	}
	if t.Map.ElementType != nil && len(t.Map.Fields) > 0 {
		panic("struct with element type: " + full)
	}
	fields := map[string]interface{}{}
	defaults := map[string]interface{}{}
	var always []string
	for _, f := range t.Map.Fields {
		fields[f.Name] = g.ref(f.Type)
		if m, ok := f.Default.(map[interface{}]interface{}); ok && len(m) == 0 && f.Type.NamedType != "" && !g.isUntyped(f.Type.NamedType) {
			always = append(always, f.Name)
		}
		if g.keys[full][f.Name] && f.Default != nil {
			defaults[f.Name] = f.Default
		}
	}
	def := map[string]interface{}{"fields": fields}
	if t.Map.ElementRelationship == "atomic" {
		def["atomic"] = true
	}
	if len(always) > 0 {
		sort.Strings(always)
		def["always"] = always
	}
	if len(defaults) > 0 {
		def["defaults"] = defaults
	}
	g.out[g.short[full]] = def
}

// write prints the schema one type a line, types and fields sorted, so regenerating diffs well.
func write(path string, kindMap map[string]string, types map[string]interface{}) {
	var b bytes.Buffer
	b.WriteString("{\n  \"about\": ")
	b.Write(mustJSON("Merge semantics of built-in kinds for server-side apply, generated by KubeSim.Tests/SmdReference/schemagen from structured-merge-diff's schema of kube-apiserver 1.32's OpenAPI (x-kubernetes-list-type, x-kubernetes-list-map-keys, x-kubernetes-map-type, patch merge keys, key defaults). A field is 'string', 'numeric', 'boolean' or 'scalar' (untyped), 'map' (granular map of untyped scalars), 'atomicmap', a map of typed scalars {map: granular|atomic, of}, 'deduced' (shape decides: maps granular, lists atomic), a type name, or a list {list: atomic|set|map, keys, of}. 'always' names struct fields that are never pointers in the Go types, so they are present (possibly {}) in every stored object. A struct declares all its fields: an applied configuration with any other is refused, as kube-apiserver does."))
	b.WriteString(",\n  \"kinds\": {\n")
	kindNames := make([]string, 0, len(kindMap))
	for k := range kindMap {
		kindNames = append(kindNames, k)
	}
	sort.Strings(kindNames)
	for i, k := range kindNames {
		fmt.Fprintf(&b, "    %s: %s", mustJSON(k), mustJSON(kindMap[k]))
		if i < len(kindNames)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  },\n  \"types\": {\n")
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	for i, n := range names {
		fmt.Fprintf(&b, "    %s: %s", mustJSON(n), mustJSON(types[n]))
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  }\n}\n")
	must(os.WriteFile(path, b.Bytes(), 0o644))
}

func mustJSON(v interface{}) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	must(enc.Encode(normalize(v)))
	return bytes.TrimRight(b.Bytes(), "\n")
}

// normalize turns YAML's map[interface{}]interface{} into JSON-encodable maps.
func normalize(v interface{}) interface{} {
	switch x := v.(type) {
	case map[interface{}]interface{}:
		m := map[string]interface{}{}
		for k, val := range x {
			m[fmt.Sprint(k)] = normalize(val)
		}
		return m
	case map[string]interface{}:
		m := map[string]interface{}{}
		for k, val := range x {
			m[k] = normalize(val)
		}
		return m
	case []interface{}:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
