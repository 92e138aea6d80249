using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// Owner-reference garbage collection: dependents of deleted owners are deleted (background), foreground
/// deletions wait for dependents to go, orphaning strips owner references. Keeps an owner→dependents index.
/// </summary>
public sealed class GarbageCollector(ControllerManager m)
{
    readonly object _gate = new();
    readonly Dictionary<string, HashSet<(string Key, string Ns, string Name)>> _dependents = new();
    readonly Dictionary<(string, string, string), string[]> _owners = new();
    readonly Dictionary<string, (string Key, string Ns, string Name)> _byUid = new();

    public void Observe(StoreEvent e)
    {
        var o = e.Object;
        var id = (o.StorageKey, o.Namespace, o.Name);
        lock (_gate)
        {
            if (_owners.Remove(id, out var previous))
                foreach (var uid in previous)
                    if (_dependents.TryGetValue(uid, out var set)) set.Remove(id);
            if (e.Type == WatchType.Deleted)
            {
                _byUid.Remove(o.Uid);
            }
            else
            {
                _byUid[o.Uid] = id;
                var owners = OwnerUids(o.Object).ToArray();
                if (owners.Length > 0)
                {
                    _owners[id] = owners;
                    foreach (var uid in owners)
                    {
                        if (!_dependents.TryGetValue(uid, out var set)) _dependents[uid] = set = [];
                        set.Add(id);
                    }
                }
            }
        }
        if (e.Type != WatchType.Deleted)
            foreach (var ownerUid in OwnerUids(o.Object))
                if (!Known(ownerUid)) m.Enqueue(new WorkItem("gc", "", ownerUid), DanglingOwnerDelayMs);
        if (e.Type == WatchType.Deleted && HasDependents(o.Uid))
            m.Enqueue(new WorkItem("gc", "", o.Uid));
        else if (e.Type != WatchType.Deleted && Conditions.IsTerminating(o.Object) && Finalizers(o.Object).Any(f => f is "foregroundDeletion" or "orphan"))
            m.Enqueue(new WorkItem("gc", "", o.Uid));
        if (e.Type == WatchType.Deleted || Conditions.IsTerminating(o.Object))
            foreach (var ownerUid in OwnerUids(o.Object))
                m.Enqueue(new WorkItem("gc", "", ownerUid));
    }

    /// <summary>Dependents whose owner never showed up are collected after this delay, as kube-controller-manager does.</summary>
    const int DanglingOwnerDelayMs = 100;

    static IEnumerable<string> OwnerUids(JsonObject o) =>
        (o.At("metadata", "ownerReferences") as JsonArray)?.Select(r => r.Str("uid") ?? "").Where(u => u.Length > 0) ?? [];

    bool Known(string uid)
    {
        lock (_gate) return _byUid.ContainsKey(uid);
    }

    bool HasDependents(string uid)
    {
        lock (_gate) return _dependents.TryGetValue(uid, out var set) && set.Count > 0;
    }

    static IEnumerable<string> Finalizers(JsonObject o) =>
        (o.At("metadata", "finalizers") as JsonArray)?.Select(f => f.AsString() ?? "") ?? [];

    ResourceType? TypeOf(string storageKey) => m.Registry.All.FirstOrDefault(r => r.StorageKey == storageKey);

    public void Reconcile(WorkItem item)
    {
        var uid = item.Name;
        List<(string Key, string Ns, string Name)> dependents;
        (string Key, string Ns, string Name)? owner;
        lock (_gate)
        {
            dependents = _dependents.TryGetValue(uid, out var set) ? [.. set] : [];
            owner = _byUid.TryGetValue(uid, out var id) ? id : null;
        }
        var ownerObj = owner is { } oid ? m.Store.Get(oid.Key, oid.Ns, oid.Name) : null;
        var finalizers = ownerObj is null ? [] : Finalizers(ownerObj.Object).ToList();
        var orphan = finalizers.Contains("orphan");
        if (ownerObj is not null && !Conditions.IsTerminating(ownerObj.Object)) return;

        foreach (var (key, ns, name) in dependents)
        {
            var rt = TypeOf(key);
            var dep = m.Store.Get(key, ns, name);
            if (rt is null || dep is null) continue;
            if (orphan)
            {
                m.Service.Mutate(rt, ns, name, o =>
                {
                    if (o.At("metadata", "ownerReferences") is not JsonArray refs) return false;
                    foreach (var r in refs.Where(r => r.Str("uid") == uid).ToList()) refs.Remove(r);
                    if (refs.Count == 0) o.Meta().Remove("ownerReferences");
                    return true;
                }, null, "garbage-collector");
                continue;
            }
            if (Conditions.IsTerminating(dep.Object)) continue;
            try
            {
                var propagation = finalizers.Contains("foregroundDeletion") ? DeletePropagation.Foreground : DeletePropagation.Background;
                m.Service.Delete(rt, ns, name, propagation, null, new WriteOptions { FieldManager = "garbage-collector" });
            }
            catch (ApiException e) when (e.Code == 404) { }
        }

        if (ownerObj is null || owner is null) return;
        var remaining = HasDependents(uid) && !orphan;
        if (remaining) return;
        var ownerType = TypeOf(owner.Value.Key);
        if (ownerType is null) return;
        m.Service.Mutate(ownerType, owner.Value.Ns, owner.Value.Name, o =>
        {
            if (o.At("metadata", "finalizers") is not JsonArray fins) return false;
            var before = fins.Count;
            foreach (var f in fins.Where(f => f.AsString() is "foregroundDeletion" or "orphan").ToList()) fins.Remove(f);
            if (fins.Count == 0) o.Meta().Remove("finalizers");
            return fins.Count != before;
        }, null, "garbage-collector");
    }
}
