using System.Text.Json.Nodes;
using KubeSim.Controllers;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// The pods/eviction subresource as kube-apiserver 1.32 serves it: a pod selected by a PodDisruptionBudget is
/// deleted only while the budget allows a disruption (which the eviction then uses up and records in
/// status.disruptedPods); otherwise 429 "Cannot evict pod as it would violate the pod's disruption budget."
/// with a DisruptionBudget cause. Pods that are not running yet, already finished or already terminating,
/// and unready pods while the budget is healthy, are deleted without a budget. More than one budget is a 500.
/// </summary>
public static class Eviction
{
    const string Violates = "Cannot evict pod as it would violate the pod's disruption budget.";

    public static DeleteOutcome Evict(ResourceService service, ResourceType podType, string ns, string name, WriteOptions o)
    {
        var pdbType = service.Registry.Get("policy", "poddisruptionbudgets");
        lock (service.Store.Gate)
        {
            var pod = service.Get(podType, ns, name).Object;
            var phase = pod.At("status").Str("phase");
            if (!Conditions.IsTerminating(pod) && phase is not ("Succeeded" or "Failed" or "Pending"))
            {
                var labels = pod.Labels();
                var budgets = labels.Count == 0 ? [] : service.Store.List(pdbType.StorageKey, ns)
                    .Where(b => b.Object.At("spec", "selector") is JsonObject { Count: > 0 } s && LabelSelector.FromObject(s).Matches(labels))
                    .ToList();
                if (budgets.Count > 1)
                    throw new ApiException(500, "", "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
                if (budgets.Count == 1 && !(UnreadyWhileHealthy(pod, budgets[0].Object)))
                    UseDisruption(service, pdbType, budgets[0], name, o.DryRun);
            }
            return service.Delete(podType, ns, name, DeletePropagation.Background, null, o);
        }
    }

    /// <summary>The default unhealthyPodEvictionPolicy (IfHealthyBudget): an unready pod may go while the budget is met.</summary>
    static bool UnreadyWhileHealthy(JsonObject pod, JsonObject pdb)
    {
        if (Conditions.IsPodReady(pod)) return false;
        var status = pdb.At("status");
        if (pdb.At("spec").Str("unhealthyPodEvictionPolicy") == "AlwaysAllow") return true;
        return (status.Long("currentHealthy") ?? 0) >= (status.Long("desiredHealthy") ?? 0)
               && (status.Long("observedGeneration") ?? 0) >= (pdb.At("metadata").Long("generation") ?? 1);
    }

    static void UseDisruption(ResourceService service, ResourceType pdbType, StoredObject budget, string podName, bool dryRun)
    {
        var pdb = budget.Object;
        var status = pdb.At("status");
        if ((status.Long("observedGeneration") ?? 0) < (pdb.At("metadata").Long("generation") ?? 1))
            throw TooManyRequests(10, $"The disruption budget {budget.Name} is still being processed by the server.");
        var allowed = status.Long("disruptionsAllowed") ?? 0;
        if (allowed < 0)
            throw ApiException.Forbidden(pdbType, budget.Name, "pdb disruptions allowed is negative");
        if (allowed == 0)
            throw TooManyRequests(0, $"The disruption budget {budget.Name} needs {status.Long("desiredHealthy") ?? 0} healthy pods and has {status.Long("currentHealthy") ?? 0} currently");
        if (dryRun) return;
        service.Mutate(pdbType, budget.Namespace, budget.Name, o =>
        {
            var s = o.Obj("status");
            s["disruptionsAllowed"] = allowed - 1;
            s.Obj("disruptedPods")[podName] = Json.Now();
            return true;
        }, "status", "kube-apiserver");
    }

    static ApiException TooManyRequests(int retryAfter, string cause)
    {
        var details = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = cause }) };
        if (retryAfter > 0) details["retryAfterSeconds"] = retryAfter;
        return new ApiException(429, "TooManyRequests", Violates, details) { RetryAfterSeconds = retryAfter > 0 ? retryAfter : null };
    }
}
