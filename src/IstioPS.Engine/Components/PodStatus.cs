using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Components;

/// <summary>kubectl's pod columns: READY, STATUS (with its precedence of reasons), RESTARTS.</summary>
public static class PodStatus
{
    public static (int Ready, int Total) Readiness(JsonObject pod)
    {
        var containers = (pod["spec"]?["containers"] as JsonArray)?.Count ?? 0;
        var ready = (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>().Count(c => (bool?)c["ready"] == true) ?? 0;
        return (ready, containers);
    }

    public static int Restarts(JsonObject pod, out DateTimeOffset? lastRestart)
    {
        lastRestart = null;
        var total = 0;
        foreach (var c in (pod["status"]?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>())
        {
            total += (int)KubeFormat.Int(c["restartCount"]);
            if (KubeFormat.Timestamp(c["lastState"]?["terminated"]?["finishedAt"]) is { } t && (lastRestart is null || t > lastRestart)) lastRestart = t;
        }

        return total;
    }

    /// <summary>The STATUS column: deletion, init container state, container waiting/terminated reasons, else the phase.</summary>
    public static string Status(JsonObject pod)
    {
        var status = pod["status"] as JsonObject;
        var reason = (string?)status?["reason"] ?? (string?)status?["phase"] ?? "Unknown";
        var initStatuses = (status?["initContainerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? new List<JsonObject>();
        var initTotal = (pod["spec"]?["initContainers"] as JsonArray)?.Count ?? 0;
        var initializing = false;
        for (var i = 0; i < initStatuses.Count; i++)
        {
            var c = initStatuses[i];
            var terminated = c["state"]?["terminated"] as JsonObject;
            var waiting = c["state"]?["waiting"] as JsonObject;
            if (terminated is not null && KubeFormat.Int(terminated["exitCode"]) == 0) continue;
            if (terminated is not null)
            {
                reason = "Init:" + ((string?)terminated["reason"] ?? $"ExitCode:{KubeFormat.Int(terminated["exitCode"])}");
            }
            else if (waiting is not null && (string?)waiting["reason"] is { Length: > 0 } w && w != "PodInitializing")
            {
                reason = "Init:" + w;
            }
            else
            {
                reason = $"Init:{i}/{initTotal}";
            }

            initializing = true;
            break;
        }

        if (!initializing)
        {
            var hasRunning = false;
            foreach (var c in ((status?["containerStatuses"] as JsonArray)?.OfType<JsonObject>() ?? Enumerable.Empty<JsonObject>()).Reverse())
            {
                var waiting = c["state"]?["waiting"] as JsonObject;
                var terminated = c["state"]?["terminated"] as JsonObject;
                if ((string?)waiting?["reason"] is { Length: > 0 } w) reason = w;
                else if (terminated is not null) reason = (string?)terminated["reason"] ?? $"ExitCode:{KubeFormat.Int(terminated["exitCode"])}";
                else if (c["state"]?["running"] is not null && (bool?)c["ready"] == true) hasRunning = true;
            }

            if (reason == "Completed" && hasRunning) reason = "Running";
        }

        if (pod["metadata"]?["deletionTimestamp"] is not null)
        {
            reason = (string?)status?["reason"] == "NodeLost" ? "Unknown" : "Terminating";
        }

        return reason;
    }

    public static IstioPod ToPod(JsonObject pod, DateTimeOffset now, string? component)
    {
        var (ready, total) = Readiness(pod);
        var restarts = Restarts(pod, out var last);
        return new IstioPod
        {
            Name = (string?)pod["metadata"]?["name"] ?? "",
            Namespace = (string?)pod["metadata"]?["namespace"] ?? "",
            Ready = $"{ready}/{total}",
            ReadyContainers = ready,
            Containers = total,
            Status = Status(pod),
            Restarts = restarts,
            RestartsText = restarts > 0 && last is { } l ? $"{restarts} ({KubeFormat.Age(now - l)} ago)" : restarts.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Created = KubeFormat.Created(pod),
            Age = KubeFormat.AgeOf(pod, now),
            Node = (string?)pod["spec"]?["nodeName"],
            IP = (string?)pod["status"]?["podIP"],
            Component = component,
            Revision = KubeFormat.Label(pod, "istio.io/rev"),
        };
    }
}
