package main

// Scripted situations: atomic selectors, list items removed by re-applying, defaulting effects,
// istiod's webhook updates, required fields, dry runs, list order.

func deployment(containers ...obj) obj {
	var cs []interface{}
	for _, c := range containers {
		cs = append(cs, c)
	}
	return obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "web"}},
		"template": obj{"metadata": obj{"labels": obj{"app": "web"}}, "spec": obj{"containers": cs}}}}
}

func container(name, image string, env ...string) obj {
	c := obj{"name": name, "image": image}
	if len(env) > 0 {
		var e []interface{}
		for i := 0; i+1 < len(env); i += 2 {
			e = append(e, obj{"name": env[i], "value": env[i+1]})
		}
		c["env"] = e
	}
	return c
}

func service(selector obj, extra obj) obj {
	spec := obj{"ports": []interface{}{obj{"name": "http", "port": float64(80), "targetPort": float64(8080)}}}
	if selector != nil {
		spec["selector"] = selector
	}
	for k, v := range extra {
		spec[k] = v
	}
	return obj{"spec": spec}
}

func hook(name string, extra obj) obj {
	h := obj{"name": name,
		"clientConfig":            obj{"service": obj{"name": "istiod", "namespace": "istio-system", "path": "/inject"}},
		"rules":                   []interface{}{obj{"operations": []interface{}{"CREATE"}, "apiGroups": []interface{}{""}, "apiVersions": []interface{}{"v1"}, "resources": []interface{}{"pods"}}},
		"sideEffects":             "None",
		"admissionReviewVersions": []interface{}{"v1"}}
	for k, v := range extra {
		if v == nil {
			delete(h, k)
		} else {
			h[k] = v
		}
	}
	return h
}

func hooks(hs ...obj) obj {
	var l []interface{}
	for _, h := range hs {
		l = append(l, h)
	}
	return obj{"webhooks": l}
}

func apply(m string, body obj) planStep {
	return planStep{Op: "apply", Manager: m, Body: constant(body)}
}
func force(m string, body obj) planStep {
	return planStep{Op: "apply", Manager: m, Force: true, Body: constant(body)}
}
func dryRun(s planStep) planStep { s.DryRun = true; return s }
func update(m string, change func(obj)) planStep {
	return planStep{Op: "update", Manager: m, Body: func(live obj) obj { o := stripForUpdate(live); change(o); return o }}
}
func containers(o obj) []interface{} {
	return listOf(o["spec"].(obj)["template"].(obj)["spec"].(obj)["containers"])
}

func daemonSet(strategy obj) obj {
	d := deployment(container("ztunnel", "example/ztunnel:v1"))
	spec := d["spec"].(obj)
	spec["template"].(obj)["spec"].(obj)["tolerations"] = []interface{}{obj{"operator": "Exists", "effect": "NoSchedule"}}
	if strategy != nil {
		spec["updateStrategy"] = strategy
	}
	return d
}

func rule(resources ...interface{}) obj {
	return obj{"apiGroups": []interface{}{""}, "resources": resources, "verbs": []interface{}{"get", "list"}}
}

func rules(rs ...obj) obj {
	var l []interface{}
	for _, r := range rs {
		l = append(l, r)
	}
	return obj{"rules": l}
}

func scripted() []plan {
	istiodUpdate := planStep{Op: "update", Manager: "pilot-discovery", Body: istiod}
	return []plan{
		{ID: "service-selector-atomic", Kind: "Service", Name: "svc-selector", Steps: []planStep{
			apply("alpha", service(obj{"app": "web"}, nil)),
			apply("beta", service(obj{"app": "web", "tier": "a"}, nil)),
			force("beta", service(obj{"app": "api"}, nil)),
			apply("alpha", service(obj{"app": "web"}, nil)),
			apply("alpha", service(nil, nil)),
		}},
		{ID: "webhook-selector-atomic", Kind: "MutatingWebhookConfiguration", Name: "mwc-selector", Steps: []planStep{
			apply("alpha", hooks(hook("a.smd.example.com", obj{"namespaceSelector": obj{"matchLabels": obj{"istio-injection": "enabled"}}}))),
			apply("beta", hooks(hook("a.smd.example.com", obj{"namespaceSelector": obj{"matchLabels": obj{"team": "x"}}}))),
			force("beta", hooks(obj{"name": "a.smd.example.com", "namespaceSelector": obj{"matchLabels": obj{"team": "x"}}})),
			apply("alpha", hooks(hook("a.smd.example.com", nil))),
		}},
		{ID: "container-removed-by-reapply", Kind: "Deployment", Name: "deploy-remove", Steps: []planStep{
			apply("alpha", deployment(container("app", "example/app:v1"), container("sidecar", "example/sidecar:v1"))),
			update("beta", func(o obj) { containers(o)[1].(obj)["image"] = "example/sidecar:v2" }),
			apply("alpha", deployment(container("app", "example/app:v1"))),
			apply("alpha", deployment(container("app", "example/app:v1"))),
		}},
		{ID: "env-removed-by-reapply", Kind: "Deployment", Name: "deploy-env", Steps: []planStep{
			apply("alpha", deployment(container("app", "example/app:v1", "A", "1", "B", "2"))),
			update("beta", func(o obj) { listOf(containers(o)[0].(obj)["env"])[1].(obj)["value"] = "3" }),
			apply("alpha", deployment(container("app", "example/app:v1", "A", "1"))),
			apply("beta", deployment(container("app", "example/app:v1", "C", "1"))),
			apply("alpha", deployment(container("app", "example/app:v1"))),
		}},
		{ID: "list-order-follows-applier", Kind: "Deployment", Name: "deploy-order", Steps: []planStep{
			apply("alpha", deployment(container("a", "example/a:v1"), container("b", "example/b:v1"))),
			apply("beta", obj{"spec": obj{"template": obj{"spec": obj{"containers": []interface{}{container("c", "example/c:v1")}}}}}),
			apply("alpha", deployment(container("b", "example/b:v1"), container("a", "example/a:v1"))),
			apply("alpha", deployment(container("b", "example/b:v1"), container("d", "example/d:v1"), container("a", "example/a:v1"))),
		}},
		{ID: "identical-webhook-two-managers", Kind: "ValidatingWebhookConfiguration", Name: "vwc-identical", Steps: []planStep{
			apply("alpha", hooks(hook("a.smd.example.com", nil))),
			apply("beta", hooks(hook("a.smd.example.com", nil))),
			apply("beta", hooks(hook("a.smd.example.com", obj{"rules": []interface{}{obj{"operations": []interface{}{"CREATE"}, "apiGroups": []interface{}{""}, "apiVersions": []interface{}{"v1"}, "resources": []interface{}{"pods"}, "scope": "*"}}}))),
		}},
		{ID: "istiod-updates-webhook", Kind: "MutatingWebhookConfiguration", Name: "mwc-istiod", Steps: []planStep{
			apply("installer", hooks(hook("a.smd.example.com", obj{"failurePolicy": "Ignore"}), hook("b.smd.example.com", nil))),
			istiodUpdate,
			apply("installer", hooks(hook("a.smd.example.com", obj{"failurePolicy": "Ignore"}), hook("b.smd.example.com", nil))),
			force("installer", hooks(hook("a.smd.example.com", obj{"failurePolicy": "Ignore"}), hook("b.smd.example.com", nil))),
			apply("installer", hooks(hook("a.smd.example.com", obj{"failurePolicy": "Ignore"}))),
			istiodUpdate,
		}},
		{ID: "istiod-updates-validator", Kind: "ValidatingWebhookConfiguration", Name: "vwc-istiod", Steps: []planStep{
			apply("installer", hooks(hook("a.smd.example.com", nil))),
			istiodUpdate,
			apply("installer", hooks(hook("a.smd.example.com", nil))),
			dryRun(apply("installer", hooks(hook("a.smd.example.com", obj{"failurePolicy": "Ignore"})))),
		}},
		{ID: "defaults-come-back", Kind: "Service", Name: "svc-defaults", Steps: []planStep{
			apply("alpha", service(obj{"app": "web"}, obj{"sessionAffinity": "ClientIP"})),
			apply("alpha", service(obj{"app": "web"}, nil)),
			apply("beta", service(obj{"app": "web"}, obj{"sessionAffinity": "None"})),
		}},
		{ID: "webhook-defaults-come-back", Kind: "MutatingWebhookConfiguration", Name: "mwc-defaults", Steps: []planStep{
			apply("alpha", hooks(hook("a.smd.example.com", obj{"timeoutSeconds": float64(5), "namespaceSelector": obj{"matchLabels": obj{"x": "y"}}}))),
			apply("alpha", hooks(hook("a.smd.example.com", nil))),
		}},
		{ID: "required-fields", Kind: "ValidatingWebhookConfiguration", Name: "vwc-required", Steps: []planStep{
			apply("alpha", hooks(hook("a.smd.example.com", obj{"sideEffects": nil}))),
			apply("alpha", hooks(hook("a.smd.example.com", obj{"admissionReviewVersions": nil, "clientConfig": obj{"caBundle": "Q0E="}}))),
			apply("alpha", hooks(hook("a.smd.example.com", nil))),
			apply("alpha", hooks(obj{"name": "a.smd.example.com"})),
		}},
		{ID: "emptied-deployment-selector", Kind: "Deployment", Name: "deploy-selector", Steps: []planStep{
			apply("alpha", obj{"spec": obj{"selector": obj{}, "template": obj{"metadata": obj{"labels": obj{"app": "web"}}, "spec": obj{"containers": []interface{}{container("app", "example/app")}}}}}),
			apply("alpha", deployment(container("app", "example/app"))),
			apply("alpha", obj{"spec": obj{"template": obj{"spec": obj{"containers": []interface{}{container("app", "example/app")}}}}}),
		}},
		{ID: "dry-run", Kind: "ConfigMap", Name: "cm-dry-run", Steps: []planStep{
			apply("alpha", obj{"data": obj{"k1": "v1"}}),
			dryRun(apply("beta", obj{"data": obj{"k1": "v2"}})),
			dryRun(force("beta", obj{"data": obj{"k1": "v2"}})),
			apply("alpha", obj{"data": obj{"k1": "v1"}}),
			dryRun(update("beta", func(o obj) { o["data"].(obj)["k2"] = "v2" })),
		}},
		{ID: "nulls-in-applied-configuration", Kind: "Deployment", Name: "deploy-nulls", Steps: []planStep{
			apply("alpha", func() obj {
				d := deployment(container("app", "example/app:v1"))
				d["spec"].(obj)["strategy"] = obj{"type": "RollingUpdate", "rollingUpdate": nil}
				d["spec"].(obj)["replicas"] = nil
				return d
			}()),
			apply("beta", obj{"spec": obj{"strategy": obj{"rollingUpdate": obj{"maxSurge": float64(1)}}}}),
			apply("alpha", func() obj {
				d := deployment(container("app", "example/app:v1"))
				d["spec"].(obj)["strategy"] = obj{"type": "RollingUpdate", "rollingUpdate": nil}
				return d
			}()),
		}},
		{ID: "null-data-in-applied-configuration", Kind: "ConfigMap", Name: "cm-nulls", Steps: []planStep{
			apply("alpha", obj{"metadata": obj{"labels": nil}, "data": obj{"k1": "v1", "k2": nil}}),
			apply("alpha", obj{"data": nil}),
			apply("beta", obj{"data": obj{"k3": "v3"}}),
		}},
		{ID: "daemonset-reapply-no-op", Kind: "DaemonSet", Name: "ds-reapply", Steps: []planStep{
			apply("installer", daemonSet(nil)),
			apply("installer", daemonSet(nil)),
			dryRun(apply("installer", daemonSet(nil))),
			apply("installer", daemonSet(obj{"type": "OnDelete"})),
			apply("installer", daemonSet(obj{"rollingUpdate": obj{"maxUnavailable": "10%"}})),
			apply("installer", daemonSet(nil)),
			update("kubectl-edit", func(o obj) { o["spec"].(obj)["updateStrategy"].(obj)["rollingUpdate"].(obj)["maxSurge"] = float64(1) }),
			apply("installer", daemonSet(nil)),
		}},
		{ID: "pdb-min-then-max", Kind: "PodDisruptionBudget", Name: "pdb-bounds", Steps: []planStep{
			apply("alpha", obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "istiod"}}, "minAvailable": float64(1)}}),
			apply("alpha", obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "istiod"}}, "maxUnavailable": float64(1)}}),
			apply("alpha", obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "istiod"}}, "maxUnavailable": float64(1)}}),
			apply("beta", obj{"spec": obj{"minAvailable": "50%"}}),
			apply("beta", obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "gateway"}}}}),
			force("beta", obj{"spec": obj{"selector": obj{"matchLabels": obj{"app": "gateway"}}}}),
			apply("alpha", obj{"spec": obj{"maxUnavailable": float64(1)}}),
		}},
		{ID: "clusterrole-rules-atomic", Kind: "ClusterRole", Name: "cr-rules", Steps: []planStep{
			apply("alpha", rules(rule("pods"), rule("services"))),
			apply("beta", rules(rule("pods"))),
			force("beta", rules(rule("pods"))),
			apply("alpha", rules(rule("pods"), rule("services"))),
			apply("alpha", rules(rule("pods"))),
			apply("beta", obj{"metadata": obj{"labels": obj{"app": "istiod"}}}),
			apply("alpha", obj{}),
		}},
		{ID: "rolebinding-defaults-and-roleref", Kind: "RoleBinding", Name: "rb-defaults", Steps: []planStep{
			apply("alpha", obj{"roleRef": obj{"kind": "Role", "name": "istiod"}, "subjects": []interface{}{obj{"kind": "User", "name": "ops"}, obj{"kind": "ServiceAccount", "name": "istiod", "namespace": "smd"}}}),
			apply("alpha", obj{"roleRef": obj{"kind": "Role", "name": "istiod"}, "subjects": []interface{}{obj{"kind": "User", "name": "ops"}, obj{"kind": "ServiceAccount", "name": "istiod", "namespace": "smd"}}}),
			apply("beta", obj{"roleRef": obj{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "istiod"}}),
			force("beta", obj{"roleRef": obj{"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "other"}}),
			update("beta", func(o obj) { o["subjects"] = []interface{}{obj{"kind": "Group", "name": "admins"}} }),
		}},
		// Configurations that do not fit the schema, one problem each (several would be listed in Go's random map order).
		{ID: "schema-refusals-deployment", Kind: "Deployment", Name: "deploy-refused", Steps: []planStep{
			apply("alpha", func() obj {
				d := deployment(container("app", "example/app:v1"))
				containers(d)[0].(obj)["imagePullPolicyy"] = "Always"
				return d
			}()),
			apply("alpha", func() obj {
				d := deployment(container("app", "example/app:v1"))
				d["spec"].(obj)["replicas"] = "two"
				return d
			}()),
			apply("alpha", func() obj {
				d := deployment(container("app", "example/app:v1"))
				d["spec"].(obj)["template"].(obj)["spec"].(obj)["hostNetwork"] = "yes"
				return d
			}()),
			apply("alpha", obj{"spec": "web"}),
			apply("alpha", obj{"spec": obj{"template": obj{"spec": obj{"containers": obj{"name": "app"}}}}}),
			apply("alpha", obj{"spec": obj{"template": obj{"spec": obj{"containers": []interface{}{container("a", "x"), container("a", "y")}}}}}),
			apply("alpha", obj{"spec": obj{"selector": obj{"matchLabels": []interface{}{"app"}}}}),
			apply("alpha", deployment(container("app", "example/app:v1"))),
		}},
		{ID: "schema-refusals-configmap", Kind: "ConfigMap", Name: "cm-refused", Steps: []planStep{
			apply("alpha", obj{"data": obj{"k": float64(1)}}),
			apply("alpha", obj{"metadata": obj{"labels": obj{"a": obj{"b": "c"}}}}),
			apply("alpha", obj{"metadata": obj{"labelz": obj{"a": "b"}}}),
			apply("alpha", obj{"immutable": "no"}),
			apply("alpha", obj{"data": float64(1.5e6)}),
			apply("alpha", obj{"data": obj{"k": "v"}}),
		}},
		{ID: "schema-refusals-service", Kind: "Service", Name: "svc-refused", Steps: []planStep{
			apply("alpha", obj{"spec": obj{"ports": []interface{}{obj{"name": "a", "port": float64(80)}, obj{"name": "b", "port": float64(80)}}}}),
			apply("alpha", obj{"spec": obj{"ports": []interface{}{"http"}}}),
			apply("alpha", obj{"spec": obj{"selector": obj{"app": true}, "ports": []interface{}{obj{"port": float64(80)}}}}),
			apply("alpha", obj{"spec": obj{"selector": obj{"app": "web"}, "ports": []interface{}{obj{"port": float64(80)}}}}),
		}},
		{ID: "created-then-applied", Kind: "ConfigMap", Name: "cm-created", Steps: []planStep{
			{Op: "create", Manager: "kubectl-create", Body: constant(obj{"metadata": obj{"labels": obj{"app": "web"}}, "data": obj{"k1": "v1"}})},
			apply("alpha", obj{"data": obj{"k1": "v1", "k2": "v2"}}),
			apply("alpha", obj{"data": obj{"k1": "v9"}}),
			force("alpha", obj{"data": obj{"k2": "v2"}}),
		}},
	}
}
