using System.Text.Json.Nodes;

namespace IstioPS.Engine.Kube;

/// <summary>How far a workload is from ready, by the rules `kubectl rollout status` and `kubectl wait` use.</summary>
public readonly record struct WorkloadReadiness(bool Ready, long Desired, long ReadyCount, string Detail, bool Failed = false);

public static class WorkloadStatus
{
    public static bool IsWorkload(string kind) => kind is "Deployment" or "DaemonSet" or "StatefulSet" or "Job";

    public static WorkloadReadiness Evaluate(string kind, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        var status = obj["status"] as JsonObject;
        var generation = KubeFormat.Int(obj["metadata"]?["generation"]);
        var observed = KubeFormat.Int(status?["observedGeneration"]);
        var stale = generation > 0 && observed < generation;
        switch (kind)
        {
            case "Deployment":
            {
                var desired = spec?["replicas"] is null ? 1 : KubeFormat.Int(spec["replicas"]);
                var updated = KubeFormat.Int(status?["updatedReplicas"]);
                var replicas = KubeFormat.Int(status?["replicas"]);
                var available = KubeFormat.Int(status?["availableReplicas"]);
                var ready = KubeFormat.Int(status?["readyReplicas"]);
                if (Condition(status, "Progressing") is { } p && (string?)p["reason"] == "ProgressDeadlineExceeded")
                    return new(false, desired, ready, "progress deadline exceeded", Failed: true);
                if (stale) return new(false, desired, ready, "waiting for the deployment spec update to be observed");
                if (updated < desired) return new(false, desired, ready, $"{updated} of {desired} updated replicas");
                if (replicas > updated) return new(false, desired, ready, $"{replicas - updated} old replicas pending termination");
                if (available < updated) return new(false, desired, ready, $"{available} of {updated} updated replicas available");
                return new(true, desired, ready, "available");
            }

            case "DaemonSet":
            {
                var desired = KubeFormat.Int(status?["desiredNumberScheduled"]);
                var updated = KubeFormat.Int(status?["updatedNumberScheduled"]);
                var available = KubeFormat.Int(status?["numberAvailable"]);
                var ready = KubeFormat.Int(status?["numberReady"]);
                if (stale || status is null) return new(false, desired, ready, "waiting for the daemon set spec update to be observed");
                if (updated < desired) return new(false, desired, ready, $"{updated} of {desired} updated pods");
                if (available < desired) return new(false, desired, ready, $"{available} of {desired} updated pods available");
                return new(true, desired, ready, "ready");
            }

            case "StatefulSet":
            {
                var desired = spec?["replicas"] is null ? 1 : KubeFormat.Int(spec["replicas"]);
                var ready = KubeFormat.Int(status?["readyReplicas"]);
                var updated = status?["updatedReplicas"] is null ? ready : KubeFormat.Int(status["updatedReplicas"]);
                if (stale || status is null) return new(false, desired, ready, "waiting for the stateful set spec update to be observed");
                if (ready < desired) return new(false, desired, ready, $"{ready} of {desired} pods ready");
                if (updated < desired) return new(false, desired, ready, $"{updated} of {desired} pods updated");
                return new(true, desired, ready, "ready");
            }

            case "Job":
            {
                var completions = spec?["completions"] is null ? 1 : KubeFormat.Int(spec["completions"]);
                var succeeded = KubeFormat.Int(status?["succeeded"]);
                if (Condition(status, "Failed") is { } f && (string?)f["status"] == "True")
                    return new(false, completions, succeeded, $"failed: {(string?)f["reason"]}", Failed: true);
                if (Condition(status, "Complete") is { } c && (string?)c["status"] == "True")
                    return new(true, completions, succeeded, "complete");
                return new(false, completions, succeeded, $"{succeeded} of {completions} completions");
            }

            default:
                return new(true, 0, 0, "");
        }
    }

    public static JsonObject? Condition(JsonObject? status, string type)
        => (status?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => (string?)c["type"] == type);

    /// <summary>
    /// Established and not being deleted: a CRD marked for deletion keeps its Established condition while the API server
    /// deletes its custom resources (refusing creates of them), then goes, so it is no CRD to install custom resources of.
    /// </summary>
    public static bool CrdEstablished(JsonObject crd)
        => Condition(crd["status"] as JsonObject, "Established") is { } c && (string?)c["status"] == "True"
           && crd["metadata"]?["deletionTimestamp"] is null;
}
