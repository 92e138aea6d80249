using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// Status of PodDisruptionBudgets (healthy pods against minAvailable/maxUnavailable) and of
/// HorizontalPodAutoscalers (the replicas of their target; no metrics, so no scaling), per namespace.
/// </summary>
public sealed class BudgetAndScalerStatus(ControllerManager m)
{
    public void Reconcile(WorkItem item)
    {
        var pdbType = m.Type("policy", "poddisruptionbudgets");
        var pods = m.Store.List(m.Type("", "pods").StorageKey, item.Namespace);
        foreach (var pdb in m.Store.List(pdbType.StorageKey, item.Namespace))
        {
            var selector = LabelSelector.FromObject(pdb.Object.At("spec", "selector"));
            var selected = pods.Where(p => !Conditions.IsTerminating(p.Object) && selector.Matches(p.Object.Labels())).ToList();
            var healthy = selected.Count(p => Conditions.IsPodReady(p.Object));
            var expected = selected.Count;
            var desired = pdb.Object.At("spec", "minAvailable") is JsonNode min
                ? Resolve(min, expected)
                : pdb.Object.At("spec", "maxUnavailable") is JsonNode max ? Math.Max(0, expected - Resolve(max, expected)) : expected;
            var allowed = Math.Max(0, healthy - desired);
            m.Service.Mutate(pdbType, pdb.Namespace, pdb.Name, o =>
            {
                var status = o.Obj("status");
                status["observedGeneration"] = o.At("metadata").Long("generation") ?? 1;
                status["disruptionsAllowed"] = allowed;
                status["currentHealthy"] = healthy;
                status["desiredHealthy"] = desired;
                status["expectedPods"] = expected;
                Conditions.Set(status, "DisruptionAllowed", allowed > 0 ? "True" : "False",
                    allowed > 0 ? "SufficientPods" : "InsufficientPods", "");
                return true;
            }, "status", "kube-controller-manager");
        }

        var hpaType = m.Type("autoscaling", "horizontalpodautoscalers");
        foreach (var hpa in m.Store.List(hpaType.StorageKey, item.Namespace))
        {
            var target = hpa.Object.At("spec", "scaleTargetRef");
            var targetType = m.Registry.All.FirstOrDefault(r => r.Kind == target.Str("kind") && r.ApiVersion == target.Str("apiVersion"));
            var workload = targetType is null ? null : m.Store.Get(targetType.StorageKey, item.Namespace, target.Str("name") ?? "");
            var replicas = workload?.Object.At("status").Long("replicas") ?? 0;
            m.Service.Mutate(hpaType, hpa.Namespace, hpa.Name, o =>
            {
                var status = o.Obj("status");
                status["currentReplicas"] = replicas;
                status["desiredReplicas"] = replicas;
                return true;
            }, "status", "kube-controller-manager");
        }
    }

    /// <summary>An IntOrString count: a number, or a percentage of the total rounded up.</summary>
    static long Resolve(JsonNode value, long total)
    {
        if (value.AsString() is { } text)
            return text.EndsWith('%') && int.TryParse(text[..^1], out var pct) ? (long)Math.Ceiling(total * pct / 100.0) : 0;
        return value is JsonValue v && v.TryGetValue<long>(out var n) ? n : value is JsonValue v2 && v2.TryGetValue<int>(out var i) ? i : 0;
    }
}
