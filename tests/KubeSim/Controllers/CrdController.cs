using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// CustomResourceDefinitions: after a short delay they get NamesAccepted and Established and their served
/// versions become resources; changed definitions are re-registered; deleted ones take their objects along.
/// </summary>
public sealed class CrdController(ControllerManager m)
{
    const int EstablishDelayMs = 5;
    const int FinalizeDelayMs = 100;
    readonly Dictionary<string, string> _registered = new(); // CRD name -> uid and generation of the registered spec

    ResourceType CrdType => m.Type("apiextensions.k8s.io", "customresourcedefinitions");

    /// <summary>
    /// Whether a CRD is being deleted as apiextensions-apiserver's handler decides it: marked for deletion, or its
    /// Terminating condition True. Creates of its custom resources are refused meanwhile.
    /// </summary>
    public static bool IsTerminating(JsonObject crd) =>
        Conditions.IsTerminating(crd) || Conditions.Get(crd["status"], "Terminating") == "True";

    public void Reconcile(WorkItem item)
    {
        var crd = m.Store.Get(CrdType.StorageKey, "", item.Name);
        if (crd is null)
        {
            Unregister(item.Name, null);
            return;
        }
        if (Conditions.IsTerminating(crd.Object))
        {
            if (!HasCleanupFinalizer(crd.Object))
                Unregister(item.Name, crd.Object); // cleaned up already; a user's finalizer holds the CRD
            else if (item.Kind == "crd-finalize")
                Finalize(crd.Object);
            else
                // The finalizer controller starts a while after the delete: a CRD stays Terminating for a moment at
                // least (seconds on a real cluster), long enough for a client that does not wait to notice.
                m.Enqueue(new WorkItem("crd-finalize", "", item.Name), FinalizeDelayMs);
            return;
        }
        var specHash = SpecVersion(crd.Object);
        if (Conditions.Get(crd.Object["status"], "Established") == "True")
        {
            if (!_registered.TryGetValue(item.Name, out var h) || h != specHash) Register(crd.Object, specHash);
            UpdateStatus(item.Name);
            return;
        }
        m.Enqueue(new WorkItem("crd-establish", "", item.Name), EstablishDelayMs);
    }

    static bool HasCleanupFinalizer(JsonObject crd) =>
        crd.At("metadata", "finalizers") is JsonArray fin && fin.Any(f => f.AsString() == ResourceService.CrdCleanupFinalizer);

    /// <summary>
    /// kube-apiserver's CRD finalizer controller: Terminating "InstanceDeletionInProgress", every custom resource
    /// deleted as a client's delete does it (their own finalizers hold them), then polled until none is left; only
    /// then the Terminating condition False and its cleanup finalizer taken off (other finalizers stay, and so does
    /// the CRD until they go).
    /// </summary>
    void Finalize(JsonObject crd)
    {
        var name = crd.Name();
        SetTerminating(name, "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress");
        var established = Conditions.Get(crd["status"], "Established") == "True";
        if (established && StorageKeyOf(crd, name) is { } storageKey && m.Registry.Versions(storageKey).FirstOrDefault() is { } rt)
        {
            foreach (var o in m.Store.List(storageKey))
            {
                if (o.Object.At("metadata", "deletionTimestamp") is not null) continue;
                try
                {
                    m.Service.Delete(rt, o.Namespace, o.Name, DeletePropagation.Background, null, WriteOptions.Controller);
                }
                catch (ApiException e) when (e.Code == 404) { }
            }
            if (m.Store.List(storageKey).Count > 0)
            {
                // Waiting for the instances' finalizers (the real controller polls every 5 s for a minute, then retries).
                m.Enqueue(new WorkItem("crd-finalize", "", name), FinalizeDelayMs);
                return;
            }
            SetTerminating(name, "False", "InstanceDeletionCompleted", "removed all instances");
        }
        else SetTerminating(name, "False", "NeverEstablished", "resource was never established");
        Unregister(name, crd);
        m.Service.Mutate(CrdType, "", name, o =>
        {
            if (o.Meta()["finalizers"] is not JsonArray fin) return false;
            var ours = fin.FirstOrDefault(f => f.AsString() == ResourceService.CrdCleanupFinalizer);
            if (ours is null) return false;
            fin.Remove(ours);
            if (fin.Count == 0) o.Meta().Remove("finalizers");
            return true;
        });
    }

    void SetTerminating(string name, string value, string reason, string message) =>
        m.Service.Mutate(CrdType, "", name, o =>
        {
            var status = o.Obj("status");
            var before = status.DeepClone();
            Conditions.Set(status, "Terminating", value, reason, message);
            return !JsonNode.DeepEquals(before, status);
        }, "status", "kube-apiserver");

    /// <summary>Stops serving the CRD's resources (the API server's handler drops its storage).</summary>
    void Unregister(string name, JsonObject? crd)
    {
        if (!_registered.Remove(name, out _)) return;
        m.Registry.RemoveCustom(name);
        if (StorageKeyOf(crd, name) is { } storageKey) m.Store.RemoveAll(storageKey);
    }

    public void Establish(WorkItem item)
    {
        var crd = m.Store.Get(CrdType.StorageKey, "", item.Name);
        if (crd is null || IsTerminating(crd.Object)) return;
        Register(crd.Object, SpecVersion(crd.Object));
        UpdateStatus(item.Name);
    }

    /// <summary>
    /// Which spec a CRD has: its uid and generation (the generation moves with every change to the spec), so a changed
    /// definition is registered again without hashing a schema that can be hundreds of kilobytes on every event.
    /// </summary>
    static string SpecVersion(JsonObject crd) => $"{crd.Uid()}/{crd.At("metadata").Long("generation")}";

    void UpdateStatus(string name) =>
        m.Service.Mutate(CrdType, "", name, o =>
        {
            var spec = o["spec"] as JsonObject ?? new JsonObject();
            var status = o.Obj("status");
            var before = status.DeepClone();
            var names = spec["names"]?.DeepClone() as JsonObject ?? new JsonObject();
            names["singular"] ??= names.Str("kind")?.ToLowerInvariant();
            names["listKind"] ??= names.Str("kind") + "List";
            status["acceptedNames"] = names;
            Conditions.Set(status, "NamesAccepted", "True", "NoConflicts", "no conflicts found");
            Conditions.Set(status, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
            var storage = (spec["versions"] as JsonArray)?.FirstOrDefault(v => v.Bool("storage") == true).Str("name");
            var stored = status["storedVersions"] as JsonArray ?? new JsonArray();
            if (storage is not null && !stored.Any(s => s.AsString() == storage)) stored.Add(storage);
            status["storedVersions"] = stored;
            // Nothing to write when it was Established already with these names and versions (every later event).
            return !JsonNode.DeepEquals(before, status);
        }, "status", "kube-apiserver");

    static string? StorageKeyOf(JsonObject? crd, string name)
    {
        if (crd is not null)
            return crd.At("spec").Str("group") + "/" + crd.At("spec", "names").Str("plural");
        var dot = name.IndexOf('.');
        return dot > 0 ? name[(dot + 1)..] + "/" + name[..dot] : null;
    }

    void Register(JsonObject crd, string specHash)
    {
        var spec = crd["spec"] as JsonObject ?? new JsonObject();
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var kind = names.Str("kind") ?? "";
        var types = new List<ResourceType>();
        foreach (var v in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (v.Bool("served") == false) continue;
            var subresources = new List<string>();
            if (v.At("subresources", "status") is not null) subresources.Add("status");
            if (v.At("subresources", "scale") is not null) subresources.Add("scale");
            types.Add(new ResourceType
            {
                Group = spec.Str("group") ?? "",
                Version = v.Str("name") ?? "",
                Kind = kind,
                Plural = names.Str("plural") ?? "",
                Singular = names.Str("singular") ?? kind.ToLowerInvariant(),
                Namespaced = spec.Str("scope") != "Cluster",
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                Subresources = [.. subresources],
                HasGeneration = true,
                IsCustom = true,
                Schema = v.At("schema", "openAPIV3Schema")?.DeepClone() as JsonObject,
                PrinterColumns = v["additionalPrinterColumns"]?.DeepClone() as JsonArray,
                CrdName = crd.Name(),
            });
        }
        m.Registry.SetCustom(crd.Name(), types);
        _registered[crd.Name()] = specHash;
    }

    static string[] Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x.AsString() ?? "").Where(s => s.Length > 0).ToArray() : [];
}
