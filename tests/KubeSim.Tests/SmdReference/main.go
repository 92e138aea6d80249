// Command smdreference records how kube-apiserver 1.32's field manager, driven through
// sigs.k8s.io/structured-merge-diff v4.4.2, answers seeded random and scripted sequences of applies,
// updates, merge patches and creates by two or three managers. KubeSim's replay test compares itself
// with the recorded outcomes step by step. See README.md and regenerate.sh.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"sort"

	"sigs.k8s.io/structured-merge-diff/v4/typed"
)

const namespace = "smd"

type step struct {
	Op            string  `json:"op"` // apply | update | patch | create
	Manager       string  `json:"manager"`
	Force         bool    `json:"force,omitempty"`
	DryRun        bool    `json:"dryRun,omitempty"`
	Body          obj     `json:"body"`
	Status        int     `json:"status"`
	Object        obj     `json:"object,omitempty"`
	ManagedFields []obj   `json:"managedFields,omitempty"`
	Causes        []cause `json:"causes,omitempty"`
	Message       string  `json:"message,omitempty"`
}

type sequence struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`
	Name  string `json:"name"`
	Steps []step `json:"steps"`
}

func main() {
	schemaPath := flag.String("schema", "../../KubeSim/Apply/BuiltinSchema.json", "KubeSim's schema of built-in kinds")
	out := flag.String("out", "sequences.json", "where to write the recorded sequences")
	count := flag.Int("random", 420, "number of random sequences")
	seed := flag.Int64("seed", 15, "random seed")
	flag.Parse()

	sf, parser := loadSchema(*schemaPath)
	var seqs []sequence
	for _, sc := range scripted() {
		seqs = append(seqs, run(sf, parser, sc))
	}
	r := rand.New(rand.NewSource(*seed))
	kindNames := []string{"ConfigMap", "Deployment", "Service", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
		"DaemonSet", "PodDisruptionBudget", "ClusterRole", "RoleBinding", "HorizontalPodAutoscaler", "NetworkPolicy", "ServiceAccount"}
	for i := 0; i < *count; i++ {
		kind := kindNames[i%len(kindNames)]
		seqs = append(seqs, randomSequence(sf, parser, r, fmt.Sprintf("random-%03d", i), kind))
	}
	f, err := os.Create(*out)
	must(err)
	enc := json.NewEncoder(f)
	must(enc.Encode(obj{"reference": "sigs.k8s.io/structured-merge-diff v4.4.2 driven as kube-apiserver 1.32's field manager",
		"namespace": namespace, "sequences": seqs}))
	must(f.Close())
	steps, codes := 0, map[int]int{}
	for _, s := range seqs {
		steps += len(s.Steps)
		for _, st := range s.Steps {
			codes[st.Status]++
		}
	}
	fmt.Printf("%d sequences, %d steps, status codes %v\n", len(seqs), steps, codes)
}

// plan is a sequence before it is run: each step's body is made from the reference's current object.
type plan struct {
	ID, Kind, Name string
	Steps          []planStep
}

type planStep struct {
	Op, Manager   string
	Force, DryRun bool
	Body          func(live obj) obj
}

func run(sf *schemaFile, parser *typed.Parser, p plan) sequence {
	s := &server{sf: sf, parser: parser, times: map[string]map[string]int{}, objects: map[string]obj{}}
	k := kinds[p.Kind]
	seq := sequence{ID: p.ID, Kind: p.Kind, Name: p.Name}
	for i := range p.Steps {
		ps := &p.Steps[i]
		s.clock++
		live := s.objects[p.Name]
		body := ps.Body(live)
		st := step{Op: ps.Op, Manager: ps.Manager, Force: ps.Force, DryRun: ps.DryRun, Body: body}
		var code int
		var result obj
		var apiErr *apiError
		switch ps.Op {
		case "apply":
			code, result, apiErr = s.apply(k, p.Name, withMeta(k, p.Name, body), ps.Manager, ps.Force, ps.DryRun)
		case "update", "create":
			code, result, apiErr = s.update(k, p.Name, withMeta(k, p.Name, body), ps.Manager, ps.DryRun, ps.Op == "create")
		case "patch":
			patched := mergePatch(stripForUpdate(live), body)
			code, result, apiErr = s.update(k, p.Name, withMeta(k, p.Name, patched.(obj)), ps.Manager, ps.DryRun, false)
		}
		if apiErr != nil {
			st.Status = apiErr.Code
			st.Causes = apiErr.Causes
			sort.Slice(st.Causes, func(i, j int) bool {
				if st.Causes[i].Field != st.Causes[j].Field {
					return st.Causes[i].Field < st.Causes[j].Field
				}
				return st.Causes[i].Message < st.Causes[j].Message
			})
			st.Message = apiErr.Message
			if apiErr.Code == 422 {
				for i := range st.Causes {
					st.Causes[i].Message = ""
				}
			}
		} else {
			st.Status = code
			st.Object, st.ManagedFields = record(result)
		}
		seq.Steps = append(seq.Steps, st)
	}
	return seq
}

func withMeta(k kindInfo, name string, body obj) obj {
	o := deepCopy(body)
	o["apiVersion"], o["kind"] = k.APIVersion, k.Kind
	m := child(o, "metadata")
	m["name"] = name
	if k.Namespaced {
		m["namespace"] = namespace
	}
	return o
}

// record is what the replay compares: the object without what a real server makes up (uid, times,
// resourceVersion, allocated IPs) or controllers change (status), and managedFields without times.
func record(o obj) (obj, []obj) {
	c := deepCopy(o)
	m := c["metadata"].(obj)
	var managed []obj
	for _, e := range listOf(m["managedFields"]) {
		e := e.(obj)
		managed = append(managed, obj{"manager": e["manager"], "operation": e["operation"], "apiVersion": e["apiVersion"], "fieldsV1": e["fieldsV1"]})
	}
	sort.SliceStable(managed, func(i, j int) bool {
		if managed[i]["operation"] != managed[j]["operation"] {
			return str(managed[i]["operation"]) < str(managed[j]["operation"])
		}
		return str(managed[i]["manager"]) < str(managed[j]["manager"])
	})
	for _, f := range []string{"uid", "creationTimestamp", "resourceVersion", "managedFields"} {
		delete(m, f)
	}
	delete(c, "status")
	if spec, ok := c["spec"].(obj); ok {
		if _, ok := spec["clusterIP"]; ok {
			spec["clusterIP"] = "<allocated>"
			spec["clusterIPs"] = []interface{}{"<allocated>"}
		}
	}
	return c, managed
}

// stripForUpdate is what a client sends back after reading: the object without server-owned metadata,
// status, and allocated IPs (kube-apiserver keeps those when an update leaves them out).
func stripForUpdate(live obj) obj {
	c := deepCopy(live)
	m := c["metadata"].(obj)
	for _, f := range []string{"uid", "creationTimestamp", "resourceVersion", "managedFields", "generation"} {
		delete(m, f)
	}
	delete(c, "status")
	if spec, ok := c["spec"].(obj); ok {
		delete(spec, "clusterIP")
		delete(spec, "clusterIPs")
	}
	return c
}

// mergePatch is RFC 7386.
func mergePatch(target interface{}, patch interface{}) interface{} {
	p, ok := patch.(obj)
	if !ok {
		return patch
	}
	t, ok := target.(obj)
	if !ok {
		t = obj{}
	}
	for k, v := range p {
		if v == nil {
			delete(t, k)
		} else {
			t[k] = mergePatch(t[k], v)
		}
	}
	return t
}
