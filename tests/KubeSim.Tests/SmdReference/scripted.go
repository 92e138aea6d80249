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
		{ID: "created-then-applied", Kind: "ConfigMap", Name: "cm-created", Steps: []planStep{
			{Op: "create", Manager: "kubectl-create", Body: constant(obj{"metadata": obj{"labels": obj{"app": "web"}}, "data": obj{"k1": "v1"}})},
			apply("alpha", obj{"data": obj{"k1": "v1", "k2": "v2"}}),
			apply("alpha", obj{"data": obj{"k1": "v9"}}),
			force("alpha", obj{"data": obj{"k2": "v2"}}),
		}},
	}
}
