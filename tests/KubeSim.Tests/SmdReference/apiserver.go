package main

// kube-apiserver 1.32's write path for the kinds the sequences use, reduced to what decides the outcome:
// the field manager layers around structured-merge-diff (manager identity, strip of metadata fields,
// status reset fields, conflicts, timestamps), defaulting (after an apply's merge; before an update's
// tracking, as decoding does), the Go-type round trip (nulls and empty maps/lists dropped, non-pointer
// structs present), the strategies' generation and status handling, Service IP allocation, and the
// required-field validation of these kinds.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"sigs.k8s.io/structured-merge-diff/v4/fieldpath"
	"sigs.k8s.io/structured-merge-diff/v4/merge"
	"sigs.k8s.io/structured-merge-diff/v4/typed"
)

type obj = map[string]interface{}

type kindInfo struct {
	APIVersion, Kind, TypeName string
	Namespaced, Status, Gen    bool
}

var kinds = map[string]kindInfo{
	"ConfigMap":                      {"v1", "ConfigMap", "ConfigMap", true, false, false},
	"Service":                        {"v1", "Service", "Service", true, true, false},
	"Deployment":                     {"apps/v1", "Deployment", "Deployment", true, true, true},
	"ValidatingWebhookConfiguration": {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "ValidatingWebhookConfiguration", false, false, true},
	"MutatingWebhookConfiguration":   {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "MutatingWebhookConfiguration", false, false, true},
	"DaemonSet":                      {"apps/v1", "DaemonSet", "DaemonSet", true, true, true},
	"PodDisruptionBudget":            {"policy/v1", "PodDisruptionBudget", "PodDisruptionBudget", true, true, true},
	"ClusterRole":                    {"rbac.authorization.k8s.io/v1", "ClusterRole", "ClusterRole", false, false, false},
	"RoleBinding":                    {"rbac.authorization.k8s.io/v1", "RoleBinding", "RoleBinding", true, false, false},
	"HorizontalPodAutoscaler":        {"autoscaling/v2", "HorizontalPodAutoscaler", "HorizontalPodAutoscaler", true, true, false},
	"NetworkPolicy":                  {"networking.k8s.io/v1", "NetworkPolicy", "NetworkPolicy", true, false, true},
	"ServiceAccount":                 {"v1", "ServiceAccount", "ServiceAccount", true, false, false},
}

type apiError struct {
	Code    int
	Causes  []cause
	Message string
}

type cause struct {
	Message string `json:"message,omitempty"`
	Field   string `json:"field"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %v", e.Code, e.Causes) }

type server struct {
	sf      *schemaFile
	parser  *typed.Parser
	clock   int
	nextIP  int
	times   map[string]map[string]int // object -> manager key -> logical time
	objects map[string]obj
}

type managerID struct {
	Manager    string `json:"manager,omitempty"`
	Operation  string `json:"operation,omitempty"`
	APIVersion string `json:"apiVersion,omitempty"`
}

func managerKey(manager, operation, apiVersion string) string {
	id := managerID{manager, operation, apiVersion}
	if operation == "Apply" {
		id.APIVersion = ""
	}
	b, _ := json.Marshal(id)
	return string(b)
}

func printManager(key string) string {
	var id managerID
	must(json.Unmarshal([]byte(key), &id))
	s := fmt.Sprintf("%q", id.Manager)
	if id.Operation == "Update" {
		s += " using " + id.APIVersion
	}
	return s
}

var stripSet = fieldpath.NewSet(
	fieldpath.MakePathOrDie("apiVersion"), fieldpath.MakePathOrDie("kind"), fieldpath.MakePathOrDie("metadata"),
	fieldpath.MakePathOrDie("metadata", "name"), fieldpath.MakePathOrDie("metadata", "namespace"),
	fieldpath.MakePathOrDie("metadata", "creationTimestamp"), fieldpath.MakePathOrDie("metadata", "selfLink"),
	fieldpath.MakePathOrDie("metadata", "uid"), fieldpath.MakePathOrDie("metadata", "clusterName"),
	fieldpath.MakePathOrDie("metadata", "generation"), fieldpath.MakePathOrDie("metadata", "managedFields"),
	fieldpath.MakePathOrDie("metadata", "resourceVersion"))

type identity struct{}

func (identity) Convert(o *typed.TypedValue, _ fieldpath.APIVersion) (*typed.TypedValue, error) {
	return o, nil
}
func (identity) IsMissingVersionError(error) bool { return false }

func (s *server) updater(k kindInfo) *merge.Updater {
	b := merge.UpdaterBuilder{Converter: identity{}}
	if k.Status {
		b.IgnoreFilter = map[fieldpath.APIVersion]fieldpath.Filter{
			fieldpath.APIVersion(k.APIVersion): fieldpath.NewExcludeSetFilter(fieldpath.NewSet(fieldpath.MakePathOrDie("status"))),
		}
	}
	return b.BuildUpdater()
}

func (s *server) typed(k kindInfo, o obj) *typed.TypedValue {
	c := deepCopy(o)
	if m, ok := c["metadata"].(obj); ok {
		delete(m, "managedFields")
	}
	tv, err := s.parser.Type(k.TypeName).FromUnstructured(c, typed.AllowDuplicates)
	must(err)
	return tv
}

func decodeManaged(o obj) (fieldpath.ManagedFields, []string) {
	mf := fieldpath.ManagedFields{}
	order := []string{}
	m, _ := o["metadata"].(obj)
	list, _ := m["managedFields"].([]interface{})
	for _, e := range list {
		entry := e.(obj)
		key := managerKey(str(entry["manager"]), str(entry["operation"]), str(entry["apiVersion"]))
		set := &fieldpath.Set{}
		b, _ := json.Marshal(entry["fieldsV1"])
		must(set.FromJSON(strings.NewReader(string(b))))
		mf[key] = fieldpath.NewVersionedSet(set, fieldpath.APIVersion(str(entry["apiVersion"])), str(entry["operation"]) == "Apply")
		order = append(order, key)
	}
	return mf, order
}

// encodeManaged writes managedFields sorted as kube-apiserver sorts them: operation, time, manager.
func (s *server) encodeManaged(name string, o obj, mf fieldpath.ManagedFields) {
	times := s.times[name]
	keys := make([]string, 0, len(mf))
	for k := range mf {
		keys = append(keys, k)
	}
	ids := map[string]managerID{}
	for _, k := range keys {
		var id managerID
		must(json.Unmarshal([]byte(k), &id))
		ids[k] = id
	}
	sort.Slice(keys, func(i, j int) bool {
		p, q := ids[keys[i]], ids[keys[j]]
		if p.Operation != q.Operation {
			return p.Operation < q.Operation
		}
		if times[keys[i]] != times[keys[j]] {
			return times[keys[i]] < times[keys[j]]
		}
		if p.Manager != q.Manager {
			return p.Manager < q.Manager
		}
		return mf[keys[i]].APIVersion() < mf[keys[j]].APIVersion()
	})
	list := []interface{}{}
	for _, k := range keys {
		b, err := mf[k].Set().ToJSON()
		must(err)
		var fields interface{}
		must(json.Unmarshal(b, &fields))
		list = append(list, obj{"manager": ids[k].Manager, "operation": ids[k].Operation,
			"apiVersion": string(mf[k].APIVersion()), "fieldsType": "FieldsV1", "fieldsV1": fields})
	}
	meta := o["metadata"].(obj)
	if len(list) > 0 {
		meta["managedFields"] = list
	} else {
		delete(meta, "managedFields")
	}
}

func strip(mf fieldpath.ManagedFields, key string) {
	if vs, ok := mf[key]; ok {
		set := vs.Set().Difference(stripSet)
		if set.Empty() {
			delete(mf, key)
		} else {
			mf[key] = fieldpath.NewVersionedSet(set, vs.APIVersion(), vs.Applied())
		}
	}
}

// zero is the object kube-apiserver starts from when an apply or a create makes a new object: the
// kind's empty Go struct, with its non-pointer structs present.
func (s *server) zero(k kindInfo) obj {
	o := obj{}
	s.normalize(k.TypeName, o)
	return o
}

func conflictError(err error) *apiError {
	conflicts, ok := err.(merge.Conflicts)
	if !ok {
		panic(err)
	}
	e := &apiError{Code: 409}
	for _, c := range conflicts {
		e.Causes = append(e.Causes, cause{Message: "conflict with " + printManager(c.Manager), Field: c.Path.String()})
	}
	return e
}

// apply answers PATCH with application/apply-patch+yaml.
func (s *server) apply(k kindInfo, name string, config obj, manager string, force, dryRun bool) (int, obj, *apiError) {
	live, exists := s.objects[name]
	liveObj := live
	if !exists {
		liveObj = s.zero(k)
	}
	managed, _ := decodeManaged(liveObj)
	key := managerKey(manager, "Apply", k.APIVersion)
	cfg := deepCopy(config)
	patchTyped, err := s.parser.Type(k.TypeName).FromUnstructured(cfg)
	if err != nil {
		// kube-apiserver's structuredMergeManager: a plain error, so a 500 with the validation errors' text.
		meta := mapOf(config["metadata"])
		group, version := "", k.APIVersion
		if i := strings.Index(k.APIVersion, "/"); i >= 0 {
			group, version = k.APIVersion[:i], k.APIVersion[i+1:]
		}
		return 0, nil, &apiError{Code: 500, Message: fmt.Sprintf("failed to create typed patch object (%s/%s; %s/%s, Kind=%s): %v",
			str(meta["namespace"]), str(meta["name"]), group, version, k.Kind, err)}
	}
	newTyped, managed, err := s.updater(k).Apply(s.typed(k, liveObj), patchTyped, fieldpath.APIVersion(k.APIVersion), managed, key, force)
	if err != nil {
		return 0, nil, conflictError(err)
	}
	strip(managed, key)
	times := s.timesOf(name, exists)
	var result obj
	if newTyped == nil {
		result = deepCopy(liveObj)
	} else {
		times[key] = s.clock
		result = newTyped.AsValue().Unstructured().(obj)
		s.normalize(k.TypeName, result)
		s.defaults(k, result)
		s.normalize(k.TypeName, result)
	}
	return s.commit(k, name, live, exists, result, managed, dryRun, times)
}

// update answers PUT (and merge patches, whose result is an update): newObj is the decoded, defaulted body.
func (s *server) update(k kindInfo, name string, newObj obj, manager string, dryRun bool, create bool) (int, obj, *apiError) {
	live, exists := s.objects[name]
	liveObj := live
	if !exists {
		liveObj = s.zero(k)
	}
	n := deepCopy(newObj)
	n["apiVersion"], n["kind"] = k.APIVersion, k.Kind
	s.normalize(k.TypeName, n)
	s.defaults(k, n)
	s.normalize(k.TypeName, n)
	managed, _ := decodeManaged(liveObj)
	times := s.timesOf(name, exists)
	if len(managed) > 0 || !exists {
		self := "current-operation"
		_, mf, err := s.updater(k).Update(s.typed(k, liveObj), s.typed(k, n), fieldpath.APIVersion(k.APIVersion), managed, self)
		must(err)
		strip(mf, self)
		key := managerKey(manager, "Update", k.APIVersion)
		if vs, ok := mf[self]; ok {
			delete(mf, self)
			if prev, ok := mf[key]; ok {
				mf[key] = fieldpath.NewVersionedSet(vs.Set().Union(prev.Set()), vs.APIVersion(), vs.Applied())
			} else {
				mf[key] = vs
			}
			times[key] = s.clock
		}
		managed = mf
	}
	return s.commit(k, name, live, exists, n, managed, dryRun, times)
}

func (s *server) timesOf(name string, exists bool) map[string]int {
	t := map[string]int{}
	if exists {
		for k, v := range s.times[name] {
			t[k] = v
		}
	}
	return t
}

// commit runs what follows the field manager: strategy (metadata, generation, status), allocation,
// validation, then stores unless it is a dry run or nothing changed.
func (s *server) commit(k kindInfo, name string, live obj, exists bool, result obj, managed fieldpath.ManagedFields, dryRun bool, times map[string]int) (int, obj, *apiError) {
	meta := result["metadata"].(obj)
	result["apiVersion"], result["kind"] = k.APIVersion, k.Kind
	if exists {
		lm := live["metadata"].(obj)
		for _, f := range []string{"uid", "creationTimestamp", "resourceVersion", "generation"} {
			if v, ok := lm[f]; ok {
				meta[f] = v
			} else {
				delete(meta, f)
			}
		}
		if k.Status {
			result["status"] = deepCopy(live)["status"]
		}
		if k.Gen && s.specChanged(k, live, result) {
			meta["generation"] = lm["generation"].(float64) + 1
		}
		if k.Kind == "Service" {
			patchAllocated(live, result)
		}
	} else {
		meta["uid"] = "uid"
		meta["creationTimestamp"] = "now"
		if k.Gen {
			meta["generation"] = float64(1)
		} else {
			delete(meta, "generation")
		}
		if k.Kind == "Service" {
			s.allocate(result)
		}
	}
	s.normalize(k.TypeName, result)
	s.encodeManaged(name, result, managed)
	s.timesFor(name, times, dryRun)
	if errs := validate(k, result, live, exists); len(errs) > 0 {
		return 0, nil, &apiError{Code: 422, Causes: errs}
	}
	code := 200
	if !exists {
		code = 201
	}
	if !dryRun {
		s.objects[name] = result
		s.times[name] = times
	}
	return code, result, nil
}

func (s *server) timesFor(string, map[string]int, bool) {}

func (s *server) specChanged(k kindInfo, a, b obj) bool {
	switch k.Kind {
	case "Deployment":
		am, bm := a["metadata"].(obj), b["metadata"].(obj)
		return !reflect.DeepEqual(a["spec"], b["spec"]) || !reflect.DeepEqual(am["annotations"], bm["annotations"])
	case "DaemonSet", "PodDisruptionBudget", "NetworkPolicy":
		return !reflect.DeepEqual(a["spec"], b["spec"])
	default:
		return !reflect.DeepEqual(a["webhooks"], b["webhooks"])
	}
}

func (s *server) allocate(svc obj) {
	spec := svc["spec"].(obj)
	if spec["type"] == "ExternalName" {
		return
	}
	if str(spec["clusterIP"]) == "" {
		s.nextIP++
		spec["clusterIP"] = fmt.Sprintf("10.96.0.%d", s.nextIP)
	}
	if _, ok := spec["clusterIPs"]; !ok {
		spec["clusterIPs"] = []interface{}{spec["clusterIP"]}
	}
	if _, ok := spec["ipFamilies"]; !ok {
		spec["ipFamilies"] = []interface{}{"IPv4"}
	}
	if _, ok := spec["ipFamilyPolicy"]; !ok {
		spec["ipFamilyPolicy"] = "SingleStack"
	}
}

// patchAllocated keeps what the allocators set when an update leaves it out.
func patchAllocated(old, svc obj) {
	spec, oldSpec := svc["spec"].(obj), old["spec"].(obj)
	for _, f := range []string{"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"} {
		if _, ok := spec[f]; !ok {
			if v, ok := oldSpec[f]; ok {
				spec[f] = deepCopy(obj{"v": v})["v"]
			}
		}
	}
}

// ---- defaulting (SetDefaults_* of the kinds, as registered for their versions) ----

func (s *server) defaults(k kindInfo, o obj) {
	switch k.Kind {
	case "Deployment":
		spec := child(o, "spec")
		setDefault(spec, "replicas", float64(1))
		strategy := child(spec, "strategy")
		setDefault(strategy, "type", "RollingUpdate")
		if strategy["type"] == "RollingUpdate" {
			ru := child(strategy, "rollingUpdate")
			setDefault(ru, "maxUnavailable", "25%")
			setDefault(ru, "maxSurge", "25%")
		}
		setDefault(spec, "revisionHistoryLimit", float64(10))
		setDefault(spec, "progressDeadlineSeconds", float64(600))
		podTemplateDefaults(spec)
	case "DaemonSet":
		spec := child(o, "spec")
		strategy := child(spec, "updateStrategy")
		setDefault(strategy, "type", "RollingUpdate")
		if strategy["type"] == "RollingUpdate" {
			ru := child(strategy, "rollingUpdate")
			setDefault(ru, "maxUnavailable", float64(1))
			setDefault(ru, "maxSurge", float64(0))
		}
		setDefault(spec, "revisionHistoryLimit", float64(10))
		podTemplateDefaults(spec)
	case "HorizontalPodAutoscaler":
		spec := child(o, "spec")
		setDefault(spec, "minReplicas", float64(1))
		if len(listOf(spec["metrics"])) == 0 {
			spec["metrics"] = []interface{}{obj{"type": "Resource", "resource": obj{"name": "cpu",
				"target": obj{"type": "Utilization", "averageUtilization": float64(80)}}}}
		}
		if behavior, ok := spec["behavior"].(obj); ok {
			up := obj{"stabilizationWindowSeconds": float64(0), "selectPolicy": "Max", "policies": []interface{}{
				obj{"type": "Pods", "value": float64(4), "periodSeconds": float64(15)},
				obj{"type": "Percent", "value": float64(100), "periodSeconds": float64(15)}}}
			down := obj{"selectPolicy": "Max", "policies": []interface{}{obj{"type": "Percent", "value": float64(100), "periodSeconds": float64(15)}}}
			for name, rules := range map[string]obj{"scaleUp": up, "scaleDown": down} {
				if given, ok := behavior[name].(obj); ok {
					for _, f := range []string{"selectPolicy", "stabilizationWindowSeconds", "policies"} {
						if v, ok := given[f]; ok && v != nil {
							rules[f] = v
						}
					}
				}
				behavior[name] = rules
			}
		}
	case "NetworkPolicy":
		spec := child(o, "spec")
		if len(listOf(spec["policyTypes"])) == 0 {
			types := []interface{}{"Ingress"}
			if len(listOf(spec["egress"])) > 0 {
				types = append(types, "Egress")
			}
			spec["policyTypes"] = types
		}
		for _, dir := range []string{"ingress", "egress"} {
			for _, rule := range listOf(spec[dir]) {
				for _, port := range listOf(mapOf(rule)["ports"]) {
					setDefault(port.(obj), "protocol", "TCP")
				}
			}
		}
	case "RoleBinding":
		ref := child(o, "roleRef")
		if str(ref["apiGroup"]) == "" {
			ref["apiGroup"] = "rbac.authorization.k8s.io"
		}
		for _, sub := range listOf(o["subjects"]) {
			sub := sub.(obj)
			if str(sub["apiGroup"]) == "" && (sub["kind"] == "User" || sub["kind"] == "Group") {
				sub["apiGroup"] = "rbac.authorization.k8s.io"
			}
		}
	case "Service":
		spec := child(o, "spec")
		setDefault(spec, "sessionAffinity", "None")
		if spec["sessionAffinity"] == "None" {
			delete(spec, "sessionAffinityConfig")
		}
		setDefault(spec, "type", "ClusterIP")
		ports, _ := spec["ports"].([]interface{})
		for _, p := range ports {
			p := p.(obj)
			setDefault(p, "protocol", "TCP")
			if tp, ok := p["targetPort"]; !ok || tp == float64(0) || tp == "" {
				p["targetPort"] = p["port"]
			}
		}
		t := spec["type"]
		if t == "NodePort" || t == "LoadBalancer" {
			setDefault(spec, "externalTrafficPolicy", "Cluster")
		}
		if t == "NodePort" || t == "LoadBalancer" || t == "ClusterIP" {
			setDefault(spec, "internalTrafficPolicy", "Cluster")
		}
		if spec["sessionAffinity"] == "ClientIP" {
			cfg, _ := spec["sessionAffinityConfig"].(obj)
			ip, _ := cfg["clientIP"].(obj)
			if cfg == nil || ip == nil || ip["timeoutSeconds"] == nil {
				spec["sessionAffinityConfig"] = obj{"clientIP": obj{"timeoutSeconds": float64(10800)}}
			}
		}
	case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration":
		hooks, _ := o["webhooks"].([]interface{})
		for _, h := range hooks {
			h := h.(obj)
			setDefault(h, "failurePolicy", "Fail")
			setDefault(h, "matchPolicy", "Equivalent")
			setDefault(h, "namespaceSelector", obj{})
			setDefault(h, "objectSelector", obj{})
			setDefault(h, "timeoutSeconds", float64(10))
			if k.Kind == "MutatingWebhookConfiguration" {
				setDefault(h, "reinvocationPolicy", "Never")
			}
			rules, _ := h["rules"].([]interface{})
			for _, r := range rules {
				setDefault(r.(obj), "scope", "*")
			}
			if svc, ok := child(h, "clientConfig")["service"].(obj); ok {
				setDefault(svc, "port", float64(443))
			}
		}
	}
}

// podTemplateDefaults is SetDefaults_PodSpec and SetDefaults_Container of a workload's pod template.
func podTemplateDefaults(spec obj) {
	pod := child(child(spec, "template"), "spec")
	setDefault(pod, "dnsPolicy", "ClusterFirst")
	setDefault(pod, "restartPolicy", "Always")
	setDefault(pod, "securityContext", obj{})
	setDefault(pod, "terminationGracePeriodSeconds", float64(30))
	setDefault(pod, "schedulerName", "default-scheduler")
	for _, list := range []string{"initContainers", "containers"} {
		cs, _ := pod[list].([]interface{})
		for _, c := range cs {
			c := c.(obj)
			setDefault(c, "terminationMessagePath", "/dev/termination-log")
			setDefault(c, "terminationMessagePolicy", "File")
			if _, ok := c["imagePullPolicy"]; !ok {
				if imageTag(str(c["image"])) == "latest" {
					c["imagePullPolicy"] = "Always"
				} else {
					c["imagePullPolicy"] = "IfNotPresent"
				}
			}
			ports, _ := c["ports"].([]interface{})
			for _, p := range ports {
				setDefault(p.(obj), "protocol", "TCP")
			}
		}
	}
}

func imageTag(image string) string {
	if strings.Contains(image, "@") {
		return ""
	}
	slash := strings.LastIndex(image, "/")
	if colon := strings.LastIndex(image, ":"); colon > slash {
		return image[colon+1:]
	}
	return "latest"
}

// ---- required-field validation ----

func validate(k kindInfo, o, old obj, isUpdate bool) []cause {
	var errs []cause
	add := func(field, msg string) { errs = append(errs, cause{Field: field, Message: msg}) }
	switch k.Kind {
	case "Deployment", "DaemonSet":
		spec := o["spec"].(obj)
		sel, hasSel := spec["selector"].(obj)
		if !hasSel {
			add("spec.selector", "Required value")
		} else if len(mapOf(sel["matchLabels"])) == 0 && len(listOf(sel["matchExpressions"])) == 0 {
			add("spec.selector", "Invalid value: empty selector is invalid for deployment")
		}
		tmpl := spec["template"].(obj)
		labels := mapOf(child(tmpl, "metadata")["labels"])
		if hasSel {
			for k, v := range mapOf(sel["matchLabels"]) {
				if labels[k] != v {
					add("spec.template.metadata.labels", "Invalid value: `selector` does not match template `labels`")
					break
				}
			}
		}
		pod := child(tmpl, "spec")
		cs := listOf(pod["containers"])
		if len(cs) == 0 {
			add("spec.template.spec.containers", "Required value")
		}
		for i, c := range cs {
			if str(c.(obj)["image"]) == "" {
				add(fmt.Sprintf("spec.template.spec.containers[%d].image", i), "Required value")
			}
		}
		if isUpdate && !reflect.DeepEqual(spec["selector"], old["spec"].(obj)["selector"]) {
			add("spec.selector", "Invalid value: field is immutable")
		}
	case "PodDisruptionBudget":
		spec := mapOf(o["spec"])
		_, hasMin := spec["minAvailable"]
		_, hasMax := spec["maxUnavailable"]
		if hasMin && hasMax {
			add("spec", "Invalid value: minAvailable and maxUnavailable cannot be both set")
		}
	case "HorizontalPodAutoscaler":
		ref := mapOf(mapOf(o["spec"])["scaleTargetRef"])
		if str(ref["kind"]) == "" {
			add("spec.scaleTargetRef.kind", "Required value")
		}
		if str(ref["name"]) == "" {
			add("spec.scaleTargetRef.name", "Required value")
		}
	case "RoleBinding":
		if isUpdate && !reflect.DeepEqual(o["roleRef"], old["roleRef"]) {
			add("roleRef", "Invalid value: cannot change roleRef")
		}
	case "Service":
		spec := o["spec"].(obj)
		ports := listOf(spec["ports"])
		if len(ports) == 0 && spec["clusterIP"] != "None" && spec["type"] != "ExternalName" {
			add("spec.ports", "Required value")
		}
		names := map[string]bool{}
		for i, p := range ports {
			n := str(p.(obj)["name"])
			if len(ports) > 1 && n == "" {
				add(fmt.Sprintf("spec.ports[%d].name", i), "Required value")
			} else if n != "" && names[n] {
				add(fmt.Sprintf("spec.ports[%d].name", i), "Duplicate value")
			}
			names[n] = true
		}
	case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration":
		for i, h := range listOf(o["webhooks"]) {
			h := h.(obj)
			cc := mapOf(h["clientConfig"])
			_, hasURL := cc["url"]
			_, hasSvc := cc["service"]
			if hasURL == hasSvc {
				add(fmt.Sprintf("webhooks[%d].clientConfig", i), "Required value: exactly one of url or service is required")
			}
			if se := str(h["sideEffects"]); se != "None" && se != "NoneOnDryRun" {
				if se == "" {
					add(fmt.Sprintf("webhooks[%d].sideEffects", i), "Required value: must specify one of None, NoneOnDryRun")
				} else {
					add(fmt.Sprintf("webhooks[%d].sideEffects", i), "Unsupported value")
				}
			}
			if len(listOf(h["admissionReviewVersions"])) == 0 {
				add(fmt.Sprintf("webhooks[%d].admissionReviewVersions", i), "Required value: must specify one of v1, v1beta1")
			}
		}
	}
	return errs
}

// ---- the Go-type round trip ----

// normalize drops what decoding into the Go types drops (nulls, empty maps and lists) and adds the
// non-pointer structs the Go types always have.
func (s *server) normalize(typeName string, o obj) {
	t, ok := s.sf.Types[typeName]
	for k, v := range o {
		if v == nil {
			delete(o, k)
			continue
		}
		var raw json.RawMessage
		if ok {
			raw = t.Fields[k]
		}
		switch x := v.(type) {
		case obj:
			if name, isStruct := structType(s.sf, raw); isStruct {
				s.normalize(name, x)
			} else {
				dropNulls(x)
				if len(x) == 0 && raw != nil && !isDeduced(raw) {
					delete(o, k)
				}
			}
		case []interface{}:
			if len(x) == 0 {
				delete(o, k)
				continue
			}
			elem := listElem(raw)
			for _, item := range x {
				if m, isMap := item.(obj); isMap {
					if _, known := s.sf.Types[elem]; known {
						s.normalize(elem, m)
					} else {
						dropNulls(m)
					}
				}
			}
		}
	}
	if ok {
		for _, a := range t.Always {
			if _, has := o[a]; !has {
				o[a] = obj{}
				name, _ := structType(s.sf, t.Fields[a])
				s.normalize(name, o[a].(obj))
			}
		}
	}
}

func isDeduced(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && s == "deduced"
}

func structType(sf *schemaFile, raw json.RawMessage) (string, bool) {
	var s string
	if raw == nil || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	_, ok := sf.Types[s]
	return s, ok
}

func listElem(raw json.RawMessage) string {
	var l listDef
	if raw != nil && json.Unmarshal(raw, &l) == nil {
		return l.Of
	}
	return ""
}

func dropNulls(v interface{}) {
	switch x := v.(type) {
	case obj:
		for k, c := range x {
			if c == nil {
				delete(x, k)
			} else {
				dropNulls(c)
			}
		}
	case []interface{}:
		for _, c := range x {
			dropNulls(c)
		}
	}
}

// ---- helpers ----

func deepCopy(o obj) obj {
	b, err := json.Marshal(o)
	must(err)
	var c obj
	must(json.Unmarshal(b, &c))
	return c
}

func child(o obj, k string) obj {
	c, ok := o[k].(obj)
	if !ok {
		c = obj{}
		o[k] = c
	}
	return c
}

func setDefault(o obj, k string, v interface{}) {
	if _, ok := o[k]; !ok {
		o[k] = v
	}
}

func str(v interface{}) string {
	s, _ := v.(string)
	return s
}

func mapOf(v interface{}) obj {
	m, _ := v.(obj)
	return m
}

func listOf(v interface{}) []interface{} {
	l, _ := v.([]interface{})
	return l
}
