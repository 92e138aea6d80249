package main

// The sequences: seeded random ones over a small vocabulary per kind, and scripted situations.

import (
	"fmt"
	"math/rand"

	"sigs.k8s.io/structured-merge-diff/v4/typed"
)

type gen struct{ r *rand.Rand }

func (g gen) p(x float64) bool { return g.r.Float64() < x }

func (g gen) pick(xs ...interface{}) interface{} { return xs[g.r.Intn(len(xs))] }

// subset returns a random subset of xs in a random order (non-empty when nonEmpty).
func (g gen) subset(nonEmpty bool, xs ...interface{}) []interface{} {
	for {
		var out []interface{}
		for _, i := range g.r.Perm(len(xs)) {
			if g.p(0.5) {
				out = append(out, xs[i])
			}
		}
		if len(out) > 0 || !nonEmpty {
			return out
		}
	}
}

func constant(o obj) func(obj) obj { return func(obj) obj { return deepCopy(o) } }

func (g gen) config(kind string, full bool) obj {
	switch kind {
	case "ConfigMap":
		o := obj{}
		if g.p(0.5) {
			labels := obj{}
			for _, k := range g.subset(false, "app", "tier") {
				labels[k.(string)] = g.pick("web", "api")
			}
			o["metadata"] = obj{"labels": labels}
		}
		if g.p(0.2) {
			child(o, "metadata")["annotations"] = obj{"note": g.pick("x", "y")}
		}
		data := obj{}
		for _, k := range g.subset(full, "k1", "k2", "k3", "k4") {
			data[k.(string)] = g.pick("v1", "v2")
		}
		if len(data) > 0 {
			o["data"] = data
		}
		return o
	case "Deployment":
		spec := g.workload(full)
		if g.p(0.5) {
			spec["replicas"] = float64(1 + g.r.Intn(3))
		}
		if g.p(0.1) {
			spec["strategy"] = obj{"type": "Recreate"}
		}
		return obj{"spec": spec}
	case "DaemonSet":
		spec := g.workload(full)
		if g.p(0.2) {
			spec["updateStrategy"] = g.pick(obj{"type": "OnDelete"}, obj{"rollingUpdate": obj{"maxUnavailable": "10%"}},
				obj{"type": "RollingUpdate", "rollingUpdate": obj{"maxSurge": float64(1), "maxUnavailable": float64(0)}})
		}
		if g.p(0.3) {
			tmpl := child(spec, "template")
			pod := child(tmpl, "spec")
			pod["tolerations"] = g.subset(true, obj{"operator": "Exists", "effect": "NoSchedule"}, obj{"key": "CriticalAddonsOnly", "operator": "Exists"})
			if g.p(0.5) {
				pod["nodeSelector"] = g.pick(obj{"kubernetes.io/os": "linux"}, obj{"kubernetes.io/os": "linux", "pool": "a"})
			}
		}
		return obj{"spec": spec}
	case "PodDisruptionBudget":
		spec := obj{}
		if full || g.p(0.7) {
			spec["selector"] = g.pick(obj{"matchLabels": obj{"app": "web"}}, obj{"matchLabels": obj{"app": "web", "tier": "a"}})
		}
		switch g.r.Intn(4) {
		case 0:
			spec["minAvailable"] = g.pick(float64(1), "50%")
		case 1:
			spec["maxUnavailable"] = g.pick(float64(1), "25%")
		case 2:
			spec["unhealthyPodEvictionPolicy"] = g.pick("AlwaysAllow", "IfHealthyBudget")
		}
		o := obj{"spec": spec}
		if g.p(0.3) {
			o["metadata"] = obj{"labels": obj{"app": g.pick("istiod", "gateway")}}
		}
		return o
	case "ClusterRole":
		o := obj{}
		if full || g.p(0.8) {
			var rules []interface{}
			for _, r := range g.subset(true, "pods", "services", "configmaps") {
				rule := obj{"apiGroups": []interface{}{""}, "resources": []interface{}{r}, "verbs": g.pick([]interface{}{"get", "list", "watch"}, []interface{}{"get"})}
				if g.p(0.2) {
					rule["resourceNames"] = []interface{}{"istio-ca-root-cert"}
				}
				rules = append(rules, rule)
			}
			o["rules"] = rules
		}
		if g.p(0.2) {
			o["aggregationRule"] = obj{"clusterRoleSelectors": []interface{}{obj{"matchLabels": obj{"aggregate": g.pick("a", "b")}}}}
		}
		if g.p(0.4) {
			o["metadata"] = obj{"labels": obj{"app": g.pick("istiod", "istio-reader")}}
		}
		return o
	case "HorizontalPodAutoscaler":
		spec := obj{"maxReplicas": g.pick(float64(3), float64(5))}
		if full || g.p(0.8) {
			spec["scaleTargetRef"] = obj{"apiVersion": "apps/v1", "kind": "Deployment", "name": g.pick("istiod", "gateway")}
		}
		if g.p(0.5) {
			spec["minReplicas"] = g.pick(float64(1), float64(2))
		}
		if g.p(0.5) {
			spec["metrics"] = []interface{}{obj{"type": "Resource", "resource": obj{"name": g.pick("cpu", "memory"),
				"target": obj{"type": "Utilization", "averageUtilization": g.pick(float64(60), float64(80))}}}}
		}
		if g.p(0.3) {
			spec["behavior"] = g.pick(obj{"scaleDown": obj{"stabilizationWindowSeconds": float64(300)}},
				obj{"scaleUp": obj{"policies": []interface{}{obj{"type": "Pods", "value": float64(1), "periodSeconds": float64(60)}}}})
		}
		return obj{"spec": spec}
	case "NetworkPolicy":
		spec := obj{"podSelector": g.pick(obj{"matchLabels": obj{"app": "istiod"}}, obj{})}
		if full || g.p(0.7) {
			var ports []interface{}
			for _, p := range g.subset(true, 15010, 15012, 15017) {
				port := obj{"port": float64(p.(int))}
				if g.p(0.3) {
					port["protocol"] = "TCP"
				}
				ports = append(ports, port)
			}
			spec["ingress"] = []interface{}{obj{"ports": ports}}
		}
		if g.p(0.3) {
			spec["egress"] = []interface{}{obj{}}
		}
		if g.p(0.2) {
			spec["policyTypes"] = []interface{}{"Ingress"}
		}
		return obj{"spec": spec}
	case "ServiceAccount":
		o := obj{}
		if g.p(0.5) {
			o["imagePullSecrets"] = []interface{}{obj{"name": g.pick("registry-a", "registry-b")}}
		}
		if g.p(0.3) {
			o["automountServiceAccountToken"] = g.pick(true, false)
		}
		if g.p(0.3) {
			var secrets []interface{}
			for _, n := range g.subset(true, "token-a", "token-b") {
				secrets = append(secrets, obj{"name": n})
			}
			o["secrets"] = secrets
		}
		if full || g.p(0.5) {
			o["metadata"] = obj{"labels": obj{"app": g.pick("istiod", "gateway")}}
		}
		return o
	case "RoleBinding":
		o := obj{"roleRef": obj{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "istiod"}}
		if g.p(0.3) {
			delete(o["roleRef"].(obj), "apiGroup")
		}
		if full || g.p(0.8) {
			var subjects []interface{}
			for _, sub := range g.subset(true, "istiod", "reader", "ops") {
				switch sub {
				case "ops":
					subjects = append(subjects, obj{"kind": g.pick("User", "Group"), "name": "ops"})
				default:
					subjects = append(subjects, obj{"kind": "ServiceAccount", "name": sub, "namespace": "istio-system"})
				}
			}
			o["subjects"] = subjects
		}
		if g.p(0.3) {
			o["metadata"] = obj{"labels": obj{"app": g.pick("istiod", "other")}}
		}
		return o
	case "Service":
		spec := obj{}
		if full || g.p(0.7) {
			spec["selector"] = g.pick(obj{"app": "web"}, obj{"app": "web", "tier": "a"}, obj{"app": "api"})
		}
		if full || g.p(0.7) {
			var ports []interface{}
			for _, p := range g.subset(true, "http", "https") {
				port := obj{"name": p}
				if p == "http" {
					port["port"] = float64(80)
					if g.p(0.5) {
						port["targetPort"] = float64(8080)
					}
				} else {
					port["port"] = float64(443)
					if g.p(0.3) {
						port["protocol"] = "TCP"
					}
				}
				ports = append(ports, port)
			}
			spec["ports"] = ports
		}
		if g.p(0.2) {
			spec["sessionAffinity"] = g.pick("ClientIP", "None")
		}
		if g.p(0.1) {
			spec["type"] = "ClusterIP"
		}
		return obj{"spec": spec}
	default:
		var hooks []interface{}
		for _, n := range g.subset(true, "a.smd.example.com", "b.smd.example.com") {
			hooks = append(hooks, g.webhook(kind, n.(string)))
		}
		o := obj{"webhooks": hooks}
		if g.p(0.3) {
			o["metadata"] = obj{"labels": obj{"app": g.pick("istiod", "other")}}
		}
		return o
	}
}

// workload is a Deployment's or DaemonSet's spec: selector, pod template labels and containers.
func (g gen) workload(full bool) obj {
	spec := obj{}
	template := obj{}
	if full || g.p(0.6) {
		if g.p(0.02) {
			spec["selector"] = obj{}
		} else {
			spec["selector"] = obj{"matchLabels": obj{"app": "web"}}
		}
		labels := obj{"app": "web"}
		if g.p(0.3) {
			labels["tier"] = g.pick("a", "b")
		}
		template["metadata"] = obj{"labels": labels}
	}
	if full || g.p(0.8) {
		var containers []interface{}
		for _, n := range g.subset(true, "app", "sidecar") {
			c := obj{"name": n, "image": fmt.Sprintf("example/%s%s", n, g.pick(":v1", ":v2", ""))}
			if g.p(0.4) {
				var env []interface{}
				for _, e := range g.subset(true, "A", "B", "C") {
					env = append(env, obj{"name": e, "value": g.pick("1", "2")})
				}
				c["env"] = env
			}
			if g.p(0.4) {
				var ports []interface{}
				for _, p := range g.subset(true, 8080, 9090) {
					port := obj{"containerPort": float64(p.(int))}
					if g.p(0.3) {
						port["protocol"] = "TCP"
					}
					if p == 9090 {
						port["name"] = "metrics"
					}
					ports = append(ports, port)
				}
				c["ports"] = ports
			}
			if g.p(0.2) {
				c["resources"] = obj{"limits": obj{"cpu": g.pick("100m", "200m")}}
			}
			containers = append(containers, c)
		}
		template["spec"] = obj{"containers": containers}
	}
	if len(template) > 0 {
		spec["template"] = template
	}
	return spec
}

func (g gen) webhook(kind, name string) obj {
	if g.p(0.1) {
		h := obj{"name": name, "clientConfig": obj{"caBundle": g.pick("Q0E=", "Q0I=")}}
		if g.p(0.5) {
			h["failurePolicy"] = g.pick("Fail", "Ignore")
		}
		return h
	}
	svc := obj{"name": "istiod", "namespace": "istio-system", "path": "/inject"}
	if g.p(0.3) {
		svc["port"] = float64(443)
	}
	cc := obj{"service": svc}
	if g.p(0.3) {
		cc["caBundle"] = g.pick("Q0E=", "Q0I=")
	}
	h := obj{"name": name, "clientConfig": cc}
	if g.p(0.9) {
		rule := obj{"operations": g.pick([]interface{}{"CREATE"}, []interface{}{"CREATE", "UPDATE"}),
			"apiGroups": []interface{}{""}, "apiVersions": []interface{}{"v1"}, "resources": []interface{}{"pods"}}
		if g.p(0.3) {
			rule["scope"] = g.pick("*", "Namespaced")
		}
		h["rules"] = []interface{}{rule}
	}
	if g.p(0.4) {
		h["failurePolicy"] = g.pick("Fail", "Ignore")
	}
	if g.p(0.94) {
		h["sideEffects"] = "None"
	}
	if g.p(0.96) {
		h["admissionReviewVersions"] = []interface{}{"v1"}
	}
	if g.p(0.4) {
		h["namespaceSelector"] = g.pick(obj{"matchLabels": obj{"istio-injection": "enabled"}},
			obj{"matchExpressions": []interface{}{obj{"key": "istio-injection", "operator": "NotIn", "values": []interface{}{"disabled"}}}})
	}
	if g.p(0.2) {
		h["objectSelector"] = obj{"matchLabels": obj{"sidecar.istio.io/inject": "true"}}
	}
	if g.p(0.2) {
		h["timeoutSeconds"] = g.pick(float64(5), float64(10))
	}
	if kind == "MutatingWebhookConfiguration" && g.p(0.2) {
		h["reinvocationPolicy"] = g.pick("Never", "IfNeeded")
	}
	return h
}

// mutate is a read-modify-write client's change to the object it read.
func (g gen) mutate(kind string, live obj) obj {
	o := stripForUpdate(live)
	switch kind {
	case "ConfigMap":
		switch g.r.Intn(4) {
		case 0:
			child(o, "data")[g.pick("k1", "k2", "k5").(string)] = g.pick("v1", "v3")
		case 1:
			delete(o, "data")
		case 2:
			child(child(o, "metadata"), "labels")["owner"] = g.pick("ops", "dev")
		default:
			delete(o["metadata"].(obj), "labels")
		}
	case "Deployment", "DaemonSet":
		spec := o["spec"].(obj)
		cs := listOf(child(child(spec, "template"), "spec")["containers"])
		switch g.r.Intn(5) {
		case 0:
			if kind == "DaemonSet" {
				child(child(spec, "updateStrategy"), "rollingUpdate")["maxUnavailable"] = "20%"
			} else {
				spec["replicas"] = float64(1 + g.r.Intn(4))
			}
		case 1:
			if len(cs) > 0 {
				cs[g.r.Intn(len(cs))].(obj)["image"] = "example/patched:v9"
			}
		case 2:
			if len(cs) > 0 {
				c := cs[g.r.Intn(len(cs))].(obj)
				c["env"] = append(listOf(c["env"]), obj{"name": "INJECTED", "value": "yes"})
			}
		case 3:
			if len(cs) > 0 {
				delete(cs[g.r.Intn(len(cs))].(obj), "env")
			}
		default:
			child(child(o, "metadata"), "annotations")["touched"] = "true"
		}
	case "Service":
		spec := o["spec"].(obj)
		ports := listOf(spec["ports"])
		switch g.r.Intn(4) {
		case 0:
			spec["selector"] = g.pick(obj{"app": "web"}, obj{"app": "other"}, obj{"app": "web", "tier": "b"})
		case 1:
			if len(ports) > 0 {
				ports[g.r.Intn(len(ports))].(obj)["targetPort"] = float64(9999)
			}
		case 2:
			spec["ports"] = append(ports, obj{"name": "metrics", "port": float64(9090), "protocol": "TCP", "targetPort": float64(9090)})
		default:
			spec["sessionAffinity"] = g.pick("ClientIP", "None")
			delete(spec, "sessionAffinityConfig")
		}
	case "PodDisruptionBudget":
		spec := child(o, "spec")
		switch g.r.Intn(3) {
		case 0:
			spec["minAvailable"] = float64(2)
		case 1:
			delete(spec, "minAvailable")
			delete(spec, "maxUnavailable")
		default:
			child(child(o, "metadata"), "labels")["owner"] = g.pick("ops", "dev")
		}
	case "ClusterRole":
		switch g.r.Intn(3) {
		case 0:
			o["rules"] = append(listOf(o["rules"]), obj{"apiGroups": []interface{}{"apps"}, "resources": []interface{}{"deployments"}, "verbs": []interface{}{"get"}})
		case 1:
			if rules := listOf(o["rules"]); len(rules) > 0 {
				rules[0].(obj)["verbs"] = []interface{}{"*"}
			}
		default:
			child(child(o, "metadata"), "annotations")["touched"] = "true"
		}
	case "HorizontalPodAutoscaler":
		spec := child(o, "spec")
		switch g.r.Intn(3) {
		case 0:
			spec["maxReplicas"] = float64(10)
		case 1:
			delete(spec, "behavior")
		default:
			spec["metrics"] = []interface{}{obj{"type": "Resource", "resource": obj{"name": "cpu", "target": obj{"type": "Utilization", "averageUtilization": float64(50)}}}}
		}
	case "NetworkPolicy":
		spec := child(o, "spec")
		switch g.r.Intn(3) {
		case 0:
			spec["ingress"] = append(listOf(spec["ingress"]), obj{"ports": []interface{}{obj{"port": float64(8080), "protocol": "TCP"}}})
		case 1:
			spec["policyTypes"] = []interface{}{"Ingress", "Egress"}
		default:
			child(child(o, "metadata"), "labels")["owner"] = g.pick("ops", "dev")
		}
	case "ServiceAccount":
		switch g.r.Intn(3) {
		case 0:
			o["imagePullSecrets"] = append(listOf(o["imagePullSecrets"]), obj{"name": "registry-c"})
		case 1:
			o["secrets"] = append(listOf(o["secrets"]), obj{"name": "token-c"})
		default:
			child(child(o, "metadata"), "annotations")["touched"] = "true"
		}
	case "RoleBinding":
		switch g.r.Intn(3) {
		case 0:
			o["subjects"] = append(listOf(o["subjects"]), obj{"kind": "ServiceAccount", "name": "extra", "namespace": "smd"})
		case 1:
			delete(o, "subjects")
		default:
			child(child(o, "metadata"), "labels")["owner"] = g.pick("ops", "dev")
		}
	default:
		hooks := listOf(o["webhooks"])
		if len(hooks) == 0 {
			child(child(o, "metadata"), "labels")["touched"] = "true"
			break
		}
		h := hooks[g.r.Intn(len(hooks))].(obj)
		switch g.r.Intn(4) {
		case 0:
			child(h, "clientConfig")["caBundle"] = "Q1VSUkVOVA=="
		case 1:
			h["failurePolicy"] = g.pick("Fail", "Ignore")
		case 2:
			delete(h, "namespaceSelector")
		default:
			h["timeoutSeconds"] = float64(30)
		}
	}
	return o
}

// istiod is pilot-discovery's webhook controller: it updates every webhook's caBundle and failurePolicy.
func istiod(live obj) obj {
	o := stripForUpdate(live)
	for _, h := range listOf(o["webhooks"]) {
		h := h.(obj)
		child(h, "clientConfig")["caBundle"] = "SVNUSU9E"
		h["failurePolicy"] = "Fail"
	}
	return o
}

func (g gen) patch(kind string) obj {
	switch kind {
	case "ConfigMap":
		return obj{"data": obj{g.pick("k1", "k2", "k6").(string): g.pick("p1", nil)}}
	case "Deployment":
		return g.pick(obj{"spec": obj{"replicas": float64(5)}}, obj{"metadata": obj{"labels": obj{"team": "x"}}}).(obj)
	case "DaemonSet":
		return g.pick(obj{"spec": obj{"minReadySeconds": float64(5)}}, obj{"metadata": obj{"labels": obj{"team": "x"}}}).(obj)
	case "PodDisruptionBudget":
		return g.pick(obj{"spec": obj{"maxUnavailable": float64(1), "minAvailable": nil}}, obj{"spec": obj{"selector": obj{"matchLabels": obj{"tier": "b"}}}}).(obj)
	case "HorizontalPodAutoscaler":
		return g.pick(obj{"spec": obj{"minReplicas": float64(2)}}, obj{"metadata": obj{"labels": obj{"team": "x"}}}).(obj)
	case "ServiceAccount":
		return g.pick(obj{"automountServiceAccountToken": false}, obj{"imagePullSecrets": []interface{}{obj{"name": "patched"}}}).(obj)
	case "ClusterRole":
		return g.pick(obj{"rules": []interface{}{obj{"nonResourceURLs": []interface{}{"/metrics"}, "verbs": []interface{}{"get"}}}}, obj{"metadata": obj{"labels": obj{"team": "x"}}}).(obj)
	case "Service":
		return g.pick(obj{"spec": obj{"selector": obj{"tier": "b"}}}, obj{"metadata": obj{"annotations": obj{"a": "b"}}}).(obj)
	default:
		return obj{"metadata": obj{"labels": obj{"patched": "true"}}}
	}
}

func randomSequence(sf *schemaFile, parser *typed.Parser, r *rand.Rand, id, kind string) sequence {
	g := gen{r}
	managers := []string{"alpha", "beta", "gamma"}[:2+r.Intn(2)]
	p := plan{ID: id, Kind: kind, Name: fmt.Sprintf("%s-%s", map[string]string{"ConfigMap": "cm", "Deployment": "deploy", "Service": "svc",
		"ValidatingWebhookConfiguration": "vwc", "MutatingWebhookConfiguration": "mwc",
		"DaemonSet": "ds", "PodDisruptionBudget": "pdb", "ClusterRole": "cr", "RoleBinding": "rb",
		"HorizontalPodAutoscaler": "hpa", "NetworkPolicy": "netpol", "ServiceAccount": "sa"}[kind], id)}
	n := 2 + r.Intn(5)
	for i := 0; i < n; i++ {
		m := managers[r.Intn(len(managers))]
		var s planStep
		x := r.Float64()
		switch {
		case i == 0 && x < 0.25:
			s = planStep{Op: "create", Manager: m, Body: constant(g.config(kind, true))}
		case i == 0 || x < 0.6:
			s = planStep{Op: "apply", Manager: m, Force: g.p(0.25), DryRun: g.p(0.08), Body: constant(g.config(kind, i == 0))}
		case x < 0.72 && (kind == "ValidatingWebhookConfiguration" || kind == "MutatingWebhookConfiguration"):
			s = planStep{Op: "update", Manager: "pilot-discovery", Body: istiod}
		case x < 0.9:
			s = planStep{Op: "update", Manager: m, DryRun: g.p(0.05), Body: func(live obj) obj { return g.mutate(kind, live) }}
		default:
			patch := g.patch(kind)
			s = planStep{Op: "patch", Manager: m, Body: constant(patch)}
		}
		p.Steps = append(p.Steps, s)
	}
	// A step after a failed create has nothing to read: start over with an apply.
	return run(sf, parser, guard(p))
}

// guard turns read-modify-write steps on a missing object into applies of a full configuration.
func guard(p plan) plan {
	g := gen{rand.New(rand.NewSource(int64(len(p.ID) + len(p.Steps))))}
	for i, s := range p.Steps {
		s := s
		if s.Op == "update" || s.Op == "patch" {
			body := s.Body
			kind := p.Kind
			full := g.config(kind, true)
			p.Steps[i].Body = wrapOp(&p.Steps[i], body, full)
		}
	}
	return p
}

// wrapOp switches a step to an apply when, at run time, the object does not exist.
func wrapOp(s *planStep, body func(obj) obj, full obj) func(obj) obj {
	return func(live obj) obj {
		if live == nil {
			s.Op, s.Force, s.DryRun = "apply", false, false
			return deepCopy(full)
		}
		return body(live)
	}
}
