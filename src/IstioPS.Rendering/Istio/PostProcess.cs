using System.Collections;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Istio;

/// <summary>istioctl's post-render steps: components.*.k8s settings as strategic merge patches, then k8s.overlays.</summary>
internal static class PostProcess
{
    private delegate Dictionary<string, object?> PatchBuilder(object? value);

    /// <summary>Applies the patches; returns the objects that were changed.</summary>
    public static HashSet<IDictionary<string, object?>> Apply(IstioComponentInfo comp, IstioManifestGenerator.ComponentSpec spec, List<IDictionary<string, object?>> objects,
        IDictionary<string, object?> vals, List<string> warnings)
    {
        var patched = new HashSet<IDictionary<string, object?>>(ReferenceEqualityComparer.Instance);
        if (spec.K8s == null) return patched;
        string rn = comp.ResourceName ?? "";
        if (spec.Name.Length > 0) rn = spec.Name;
        if (comp.Name == IstioComponents.Pilot)
        {
            string rev = IopValues.GetPathString(vals, "spec.values.revision");
            if (rev.Length == 0) rev = "default";
            if (rev != "default") rn = rn + "-" + rev;
        }
        string rt = comp.ResourceType ?? "";
        string container = comp.ContainerName ?? "";

        Dictionary<string, object?> M(params (string Key, object? Value)[] items)
        {
            var m = GoValues.NewMap();
            foreach (var (k, v) in items) m[k] = v;
            return m;
        }
        Dictionary<string, object?> PodSpec(string field, object? v) => M(("spec", M(("template", M(("spec", M((field, v))))))));
        Dictionary<string, object?> Container(string field, object? v) =>
            PodSpec("containers", new List<object?> { M(("name", container), (field, v)) });

        var patches = new List<(string Field, string Kind, PatchBuilder Build, bool Pdb)>
        {
            ("affinity", rt, v => PodSpec("affinity", v), false),
            ("env", rt, v => Container("env", v), false),
            ("hpaSpec", "HorizontalPodAutoscaler", v => M(("spec", v)), false),
            ("imagePullPolicy", rt, v => Container("imagePullPolicy", v), false),
            ("nodeSelector", rt, v => PodSpec("nodeSelector", v), false),
            ("podDisruptionBudget", "PodDisruptionBudget", v => M(("spec", v)), true),
            ("podAnnotations", rt, v => M(("spec", M(("template", M(("metadata", M(("annotations", v)))))))), false),
            ("priorityClassName", rt, v => PodSpec("priorityClassName", v), false),
            ("readinessProbe", rt, v => Container("readinessProbe", v), false),
            ("replicaCount", rt, v => M(("spec", M(("replicas", v)))), false),
            ("resources", rt, v => Container("resources", v), false),
            ("strategy", rt, v => M(("spec", M(("strategy", v)))), false),
            ("tolerations", rt, v => PodSpec("tolerations", v), false),
            ("serviceAnnotations", "Service", v => M(("metadata", M(("annotations", v)))), false),
            ("service", "Service", v => M(("spec", v)), false),
            ("securityContext", rt, v => PodSpec("securityContext", v), false),
        };
        var k8s = spec.K8s;
        foreach (var (field, kind, build, pdb) in patches)
        {
            if (!k8s.TryGetValue(field, out var v)) continue;
            if (field == "service" && comp.IsGateway && v is IDictionary<string, object?> svc)
            {
                v = GoValues.DeepCopy(svc);
                ((IDictionary<string, object?>)v!)["ports"] = new List<object?>();
            }
            var patch = build(GoValues.DeepCopy(v));
            for (int oi = 0; oi < objects.Count; oi++)
            {
                var obj = objects[oi];
                var id = ObjectIdentity.FromMap(obj);
                if (id.Kind != kind || id.Name != rn) continue;
                obj = OwnCopy(objects, oi, patched);
                StrategicMerge.Apply(obj, patch, kind);
                patched.Add(obj);
                if (pdb && obj.TryGetValue("spec", out var s) && s is IDictionary<string, object?> sm &&
                    sm.ContainsKey("maxUnavailable") && sm.ContainsKey("minAvailable"))
                    sm.Remove("minAvailable");
            }
        }

        if (k8s.TryGetValue("overlays", out var ov) && ov is IList overlays)
        {
            foreach (var o in overlays.OfType<IDictionary<string, object?>>())
            {
                string kind = o.TryGetValue("kind", out var k) && k is string ks ? ks : "";
                string name = o.TryGetValue("name", out var n) && n is string ns ? ns : "";
                for (int oi = 0; oi < objects.Count; oi++)
                {
                    var id = ObjectIdentity.FromMap(objects[oi]);
                    if (id.Kind != kind || id.Name != name) continue;
                    var obj = OwnCopy(objects, oi, patched);
                    if (o.TryGetValue("patches", out var ps) && ps is IList pl)
                        foreach (var p in pl.OfType<IDictionary<string, object?>>())
                        {
                            string path = p.TryGetValue("path", out var pp) ? pp as string ?? "" : "";
                            if (OverlayPatch.Apply(obj, path, p.TryGetValue("value", out var pv) ? pv : null) is { } problem)
                                warnings.Add($"{comp.Name} overlay patch on {kind} {name} skipped (istioctl skips it too): {problem}");
                        }
                }
            }
        }
        return patched;
    }

    /// <summary>Replaces objects[i] by a private deep copy the first time it is patched (objects may be shared with a cache).</summary>
    private static IDictionary<string, object?> OwnCopy(List<IDictionary<string, object?>> objects, int i, HashSet<IDictionary<string, object?>> patched)
    {
        var obj = objects[i];
        if (patched.Contains(obj)) return obj;
        obj = (IDictionary<string, object?>)GoValues.DeepCopy(obj)!;
        objects[i] = obj;
        patched.Add(obj);
        return obj;
    }
}
