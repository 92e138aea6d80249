package main

// Turns KubeSim's compact schema of built-in kinds (tests/KubeSim/Apply/BuiltinSchema.json) into
// structured-merge-diff's schema, so the reference and KubeSim read the same markers.

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"

	"sigs.k8s.io/structured-merge-diff/v4/typed"
)

type typeDef struct {
	Fields   map[string]json.RawMessage `json:"fields"`
	Atomic   bool                       `json:"atomic"`
	Always   []string                   `json:"always"`
	Defaults map[string]interface{}     `json:"defaults"`
}

type schemaFile struct {
	Kinds map[string]string  `json:"kinds"`
	Types map[string]typeDef `json:"types"`
}

type mapDef struct {
	Map string `json:"map"`
	Of  string `json:"of"`
}

type listDef struct {
	List string   `json:"list"`
	Keys []string `json:"keys"`
	Of   string   `json:"of"`
}

func loadSchema(path string) (*schemaFile, *typed.Parser) {
	raw, err := os.ReadFile(path)
	must(err)
	var sf schemaFile
	must(json.Unmarshal(raw, &sf))
	types := []interface{}{
		map[string]interface{}{"name": "__untyped_atomic_", "scalar": "untyped",
			"list": map[string]interface{}{"elementType": map[string]interface{}{"namedType": "__untyped_atomic_"}, "elementRelationship": "atomic"},
			"map":  map[string]interface{}{"elementType": map[string]interface{}{"namedType": "__untyped_atomic_"}, "elementRelationship": "atomic"}},
		map[string]interface{}{"name": "__untyped_deduced_", "scalar": "untyped",
			"list": map[string]interface{}{"elementType": map[string]interface{}{"namedType": "__untyped_atomic_"}, "elementRelationship": "atomic"},
			"map":  map[string]interface{}{"elementType": map[string]interface{}{"namedType": "__untyped_deduced_"}, "elementRelationship": "separable"}},
	}
	names := make([]string, 0, len(sf.Types))
	for n := range sf.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t := sf.Types[n]
		fieldNames := make([]string, 0, len(t.Fields))
		for f := range t.Fields {
			fieldNames = append(fieldNames, f)
		}
		sort.Strings(fieldNames)
		fields := []interface{}{}
		for _, f := range fieldNames {
			field := map[string]interface{}{"name": f, "type": typeRef(t.Fields[f])}
			if d, ok := t.Defaults[f]; ok {
				field["default"] = d
			}
			fields = append(fields, field)
		}
		m := map[string]interface{}{"fields": fields}
		if t.Atomic {
			m["elementRelationship"] = "atomic"
		}
		types = append(types, map[string]interface{}{"name": n, "map": m})
	}
	doc, err := json.Marshal(map[string]interface{}{"types": types})
	must(err)
	parser, err := typed.NewParser(typed.YAMLObject(doc))
	must(err)
	return &sf, parser
}

func typeRef(raw json.RawMessage) map[string]interface{} {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return namedRef(s)
	}
	var m mapDef
	if json.Unmarshal(raw, &m) == nil && m.Map != "" {
		inner := map[string]interface{}{"elementType": namedRef(m.Of)}
		if m.Map == "atomic" {
			inner["elementRelationship"] = "atomic"
		}
		return map[string]interface{}{"map": inner}
	}
	var l listDef
	must(json.Unmarshal(raw, &l))
	list := map[string]interface{}{"elementType": namedRef(l.Of)}
	switch l.List {
	case "atomic":
		list["elementRelationship"] = "atomic"
	case "set":
		list["elementRelationship"] = "associative"
	case "map":
		list["elementRelationship"] = "associative"
		list["keys"] = l.Keys
	default:
		panic(fmt.Sprintf("unknown list type %q", l.List))
	}
	return map[string]interface{}{"list": list}
}

func namedRef(s string) map[string]interface{} {
	switch s {
	case "scalar":
		return map[string]interface{}{"scalar": "untyped"}
	case "string", "numeric", "boolean":
		return map[string]interface{}{"scalar": s}
	case "map":
		return map[string]interface{}{"map": map[string]interface{}{"elementType": map[string]interface{}{"scalar": "untyped"}}}
	case "atomicmap":
		return map[string]interface{}{"map": map[string]interface{}{"elementType": map[string]interface{}{"scalar": "untyped"}, "elementRelationship": "atomic"}}
	case "deduced":
		return map[string]interface{}{"namedType": "__untyped_deduced_"}
	}
	return map[string]interface{}{"namedType": s}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
