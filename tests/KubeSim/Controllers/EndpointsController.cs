using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>Endpoints for every Service with a selector: the ready pods it selects, with their IPs and target ports.</summary>
public sealed class EndpointsController(ControllerManager m)
{
    static readonly WriteOptions Options = new() { FieldManager = "endpoint-controller" };

    /// <summary>Reconciles every Service of the namespace (pods changed there).</summary>
    public void ReconcileNamespace(WorkItem item)
    {
        foreach (var svc in m.Store.List(m.Type("", "services").StorageKey, item.Namespace))
            Reconcile(new WorkItem("endpoints", svc.Namespace, svc.Name));
    }

    public void Reconcile(WorkItem item)
    {
        var epType = m.Type("", "endpoints");
        var svc = m.Store.Get(m.Type("", "services").StorageKey, item.Namespace, item.Name);
        if (svc is null)
        {
            if (m.Store.Get(epType.StorageKey, item.Namespace, item.Name) is not null)
                try { m.Service.Delete(epType, item.Namespace, item.Name, DeletePropagation.Background, null, Options); }
                catch (ApiException e) when (e.Code == 404) { }
            return;
        }
        if (svc.Object.At("spec", "selector") is not JsonObject { Count: > 0 } selectorMap) return;
        var selector = LabelSelector.FromMap(Json.StringMap(selectorMap));
        var pods = m.Store.List(m.Type("", "pods").StorageKey, item.Namespace)
            .Where(p => selector.Matches(p.Object.Labels()) && p.Object.At("status").Str("podIP") is not null && !Conditions.IsTerminating(p.Object))
            .ToList();
        var subsets = new JsonArray();
        var ready = pods.Where(p => Conditions.IsPodReady(p.Object)).ToList();
        var notReady = pods.Where(p => !Conditions.IsPodReady(p.Object)).ToList();
        if (pods.Count > 0)
        {
            var subset = new JsonObject();
            if (ready.Count > 0) subset["addresses"] = Addresses(ready);
            if (notReady.Count > 0) subset["notReadyAddresses"] = Addresses(notReady);
            subset["ports"] = new JsonArray([.. (svc.Object.At("spec", "ports") as JsonArray ?? []).OfType<JsonObject>().Select(p => (JsonNode)Port(p, pods[0].Object))]);
            subsets.Add(subset);
        }
        var desired = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = svc.Name, ["labels"] = svc.Object.At("metadata", "labels")?.DeepClone() },
        };
        if (subsets.Count > 0) desired["subsets"] = subsets;
        var existing = m.Store.Get(epType.StorageKey, item.Namespace, svc.Name);
        try
        {
            if (existing is null) m.Service.Create(epType, item.Namespace, desired, Options);
            else
                m.Service.Mutate(epType, item.Namespace, svc.Name, o =>
                {
                    if (subsets.Count > 0) o["subsets"] = subsets.DeepClone();
                    else o.Remove("subsets");
                    return true;
                }, null, Options.Manager);
        }
        catch (ApiException e) when (e.Code is 403 or 404 or 409) { }
    }

    static JsonArray Addresses(IEnumerable<StoredObject> pods) =>
        new([.. pods.Select(p => (JsonNode)new JsonObject
        {
            ["ip"] = p.Object.At("status").Str("podIP"),
            ["nodeName"] = p.Object.At("spec").Str("nodeName"),
            ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["namespace"] = p.Namespace, ["name"] = p.Name, ["uid"] = p.Uid },
        })]);

    static JsonObject Port(JsonObject servicePort, JsonObject pod)
    {
        var target = servicePort["targetPort"] ?? servicePort["port"];
        JsonNode? port = target is JsonValue v && v.TryGetValue<string>(out var named)
            ? (pod.At("spec", "containers") as JsonArray ?? []).SelectMany(c => c?["ports"] as JsonArray ?? [])
                .FirstOrDefault(p => p.Str("name") == named)?["containerPort"]?.DeepClone()
            : target?.DeepClone();
        var result = new JsonObject();
        if (servicePort.Str("name") is { } name) result["name"] = name;
        result["port"] = port ?? servicePort["port"]?.DeepClone();
        result["protocol"] = servicePort.Str("protocol") ?? "TCP";
        return result;
    }
}
