using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// Active namespaces get their "default" ServiceAccount and kube-root-ca.crt ConfigMap; Terminating ones are
/// emptied (objects with finalizers keep the namespace Terminating until they go), then removed.
/// </summary>
public sealed class NamespaceController(ControllerManager m)
{
    const int TerminationDelayMs = 100;

    public void Reconcile(WorkItem item)
    {
        var nsType = m.Type("", "namespaces");
        var ns = m.Store.Get(nsType.StorageKey, "", item.Name);
        if (ns is null) return;
        if (Conditions.IsTerminating(ns.Object))
        {
            if (item.Kind == "namespace")
            {
                m.Enqueue(new WorkItem("namespace-finalize", "", item.Name), TerminationDelayMs);
                return;
            }
        }
        else
        {
            EnsureDefaults(item.Name);
        }
    }

    /// <summary>Deletes the namespace's contents (finalizers are honoured); removes the namespace once it is empty.</summary>
    public void Finalize(WorkItem item)
    {
        var nsType = m.Type("", "namespaces");
        var remaining = 0;
        lock (m.Store.Gate)
        {
            var ns = m.Store.Get(nsType.StorageKey, "", item.Name);
            if (ns is null || !Conditions.IsTerminating(ns.Object)) return;
            foreach (var rt in m.Registry.All.Where(r => r.Namespaced).DistinctBy(r => r.StorageKey))
                foreach (var o in m.Store.List(rt.StorageKey, item.Name))
                {
                    remaining++;
                    if (Conditions.IsTerminating(o.Object)) continue;
                    try
                    {
                        if (!m.Service.Delete(rt, o.Namespace, o.Name, DeletePropagation.Background, null, Options).Pending) remaining--;
                    }
                    catch (ApiException e) when (e.Code == 404) { remaining--; }
                }
            if (remaining == 0) m.Store.Remove(nsType.StorageKey, "", item.Name);
        }
        if (remaining > 0) m.Enqueue(item, TerminationDelayMs);
    }

    static readonly WriteOptions Options = new() { FieldManager = "namespace-controller" };

    void EnsureDefaults(string ns)
    {
        var sa = m.Type("", "serviceaccounts");
        var cm = m.Type("", "configmaps");
        var options = new WriteOptions { FieldManager = "kube-controller-manager" };
        lock (m.Store.Gate)
        {
            if (m.Store.Get(sa.StorageKey, ns, "default") is null)
                m.Service.Create(sa, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, options);
            if (m.Store.Get(cm.StorageKey, ns, "kube-root-ca.crt") is null)
                m.Service.Create(cm, ns, new JsonObject
                {
                    ["metadata"] = new JsonObject
                    {
                        ["name"] = "kube-root-ca.crt",
                        ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
                    },
                    ["data"] = new JsonObject { ["ca.crt"] = "-----BEGIN CERTIFICATE-----\nkubesim\n-----END CERTIFICATE-----\n" },
                }, options);
        }
    }
}
