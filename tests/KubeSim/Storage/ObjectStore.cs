using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace KubeSim.Storage;

/// <summary>
/// In-memory object storage: one ordered map per group resource, one global resourceVersion counter,
/// an event history for watches that resume from a resourceVersion, and live subscribers.
/// Every method takes the store lock briefly, so callers see a consistent state; writes are computed outside it and
/// committed only if what they read is still current (<see cref="PutIfCurrent"/>).
/// </summary>
public sealed class ObjectStore
{
    /// <summary>Events kept for watches that resume by default; older resourceVersions get 410 Expired (like etcd compaction).</summary>
    public const int DefaultHistoryLimit = 10_000;

    /// <summary>Past this many objects in one resource, new versions keep only their bytes (<see cref="StoredObject.Release"/>).</summary>
    public const int LargeCollection = 10_000;

    readonly Dictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    readonly Queue<(string Key, StoreEvent Event)> _history = new();
    readonly List<Subscriber> _subscribers = [];
    long _rv = 1000;

    public ObjectStore(int historyLimit = DefaultHistoryLimit) => HistoryLimit = Math.Max(0, historyLimit);

    /// <summary>How many events are kept for watches that resume (and continue tokens that stay valid).</summary>
    public int HistoryLimit { get; }

    public object Gate { get; } = new();

    /// <summary>The resourceVersion of the newest write.</summary>
    public long CurrentRv { get { lock (Gate) return _rv; } }

    /// <summary>The oldest resourceVersion a watch can resume from.</summary>
    public long OldestRv { get; private set; } = 1000;

    /// <summary>
    /// Compacts the history as etcd does: every resourceVersion before the current one becomes too old, so
    /// watches from it and continue tokens issued before now answer 410 Expired.
    /// </summary>
    public void Compact()
    {
        lock (Gate)
        {
            _history.Clear();
            OldestRv = _rv;
        }
    }

    public static string KeyOf(string ns, string name) => ns + "/" + name;

    public int Count(string storageKey)
    {
        lock (Gate) return _buckets.TryGetValue(storageKey, out var b) ? b.All.Count : 0;
    }

    public StoredObject? Get(string storageKey, string ns, string name)
    {
        lock (Gate)
            return _buckets.TryGetValue(storageKey, out var b) && b.All.TryGetValue(KeyOf(ns, name), out var o) ? o : null;
    }

    /// <summary>
    /// A snapshot of the objects of one resource (one namespace when given), in key order. The whole resource's
    /// snapshot is made once per change of the resource and shared by every reader until the next change (a paged
    /// list of 100,000 pods copies nothing per page): never modify the list returned.
    /// </summary>
    public List<StoredObject> List(string storageKey, string? ns = null)
    {
        lock (Gate) return ListLocked(storageKey, ns);
    }

    List<StoredObject> ListLocked(string storageKey, string? ns)
    {
        if (!_buckets.TryGetValue(storageKey, out var b)) return [];
        if (string.IsNullOrEmpty(ns)) return b.Snapshot ??= [.. b.All.Values];
        return b.ByNamespace.TryGetValue(ns, out var inNamespace) ? [.. inNamespace.Values] : [];
    }

    /// <summary>Every object in every resource (used by namespace cleanup and garbage collection).</summary>
    public List<StoredObject> All()
    {
        lock (Gate) return [.. _buckets.Values.SelectMany(b => b.All.Values)];
    }

    /// <summary>
    /// One resource's objects: in key order ("namespace/name"), and by namespace (a namespace's list reads only its
    /// own objects), with the shared snapshot of the whole until the next change.
    /// </summary>
    sealed class Bucket
    {
        public readonly SortedDictionary<string, StoredObject> All = new(StringComparer.Ordinal);
        public readonly Dictionary<string, SortedDictionary<string, StoredObject>> ByNamespace = new(StringComparer.Ordinal);
        public List<StoredObject>? Snapshot;

        public StoredObject? Set(StoredObject stored)
        {
            Snapshot = null;
            All.TryGetValue(stored.Key, out var old);
            All[stored.Key] = stored;
            if (!ByNamespace.TryGetValue(stored.Namespace, out var inNamespace))
                ByNamespace[stored.Namespace] = inNamespace = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            inNamespace[stored.Name] = stored;
            return old;
        }

        public bool Remove(string ns, string name, out StoredObject old)
        {
            if (!All.Remove(KeyOf(ns, name), out old!)) return false;
            Snapshot = null;
            if (ByNamespace.TryGetValue(ns, out var inNamespace) && inNamespace.Remove(name) && inNamespace.Count == 0)
                ByNamespace.Remove(ns);
            return true;
        }
    }

    /// <summary>
    /// Stores a new version only while the stored one is still <paramref name="read"/> (null: still absent), as
    /// kube-apiserver's GuaranteedUpdate commits with etcd's compare-and-swap: the write was computed from what was
    /// read, outside any lock, and another write in between makes it stale. Null when it is stale (read again, retry).
    /// </summary>
    public StoredObject? PutIfCurrent(string storageKey, JsonObject obj, StoredObject? read)
    {
        lock (Gate)
        {
            if (read is null ? Get(storageKey, obj.Namespace(), obj.Name()) is not null : !IsCurrent(read)) return null;
            return Put(storageKey, obj);
        }
    }

    /// <summary>Removes the object only while the stored one is still <paramref name="read"/>; null when it is stale.</summary>
    public StoredObject? RemoveIfCurrent(StoredObject read)
    {
        lock (Gate) return IsCurrent(read) ? Remove(read.StorageKey, read.Namespace, read.Name) : null;
    }

    bool IsCurrent(StoredObject read) => ReferenceEquals(Get(read.StorageKey, read.Namespace, read.Name), read);

    /// <summary>Stores a new version: assigns the next resourceVersion and notifies subscribers.</summary>
    public StoredObject Put(string storageKey, JsonObject obj)
    {
        lock (Gate)
        {
            if (!_buckets.TryGetValue(storageKey, out var bucket))
                _buckets[storageKey] = bucket = new Bucket();
            var rv = ++_rv;
            obj.Meta()["resourceVersion"] = rv.ToString();
            var stored = new StoredObject(storageKey, obj, rv);
            if (bucket.All.Count >= LargeCollection) stored.Release();
            var old = bucket.Set(stored);
            Publish(storageKey, new StoreEvent(rv, old is null ? WatchType.Added : WatchType.Modified, stored, old));
            return stored;
        }
    }

    /// <summary>Removes an object; the DELETED event carries its last state at a new resourceVersion.</summary>
    public StoredObject? Remove(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            if (!_buckets.TryGetValue(storageKey, out var bucket) || !bucket.Remove(ns, name, out var old))
                return null;
            var rv = ++_rv;
            var last = old.Object.Clone();
            last.Meta()["resourceVersion"] = rv.ToString();
            var stored = new StoredObject(storageKey, last, rv);
            Publish(storageKey, new StoreEvent(rv, WatchType.Deleted, stored, old));
            return stored;
        }
    }

    /// <summary>Drops every object of a resource (when its CRD goes away), emitting DELETED events.</summary>
    public void RemoveAll(string storageKey)
    {
        lock (Gate)
        {
            foreach (var o in ListLocked(storageKey, null)) Remove(storageKey, o.Namespace, o.Name);
            _buckets.Remove(storageKey);
        }
    }

    void Publish(string storageKey, StoreEvent e)
    {
        _history.Enqueue((storageKey, e));
        // Watching from the resourceVersion of a dropped event still replays everything after it.
        while (_history.Count > HistoryLimit)
            OldestRv = _history.Dequeue().Event.Rv;
        for (var i = _subscribers.Count - 1; i >= 0; i--)
        {
            var s = _subscribers[i];
            if (s.StorageKey is null || s.StorageKey == storageKey)
                s.Writer.TryWrite(e);
        }
    }

    /// <summary>
    /// Subscribes to changes of one resource (all when storageKey is null). Atomically returns either the
    /// current objects (fromRv null) or the events after fromRv, so no change is missed or repeated.
    /// </summary>
    public Subscription Subscribe(string? storageKey, long? fromRv, string? ns = null)
    {
        lock (Gate)
        {
            if (fromRv is long from && from < OldestRv && from != _rv)
                throw new ResourceVersionTooOldException(from);
            // Not SingleReader: that channel kind cannot count its items, which bookmarks need.
            var channel = Channel.CreateUnbounded<StoreEvent>();
            var sub = new Subscriber(storageKey, channel.Writer);
            List<StoredObject>? initial = null;
            List<StoreEvent>? replay = null;
            if (fromRv is null)
            {
                if (storageKey is not null) initial = ListLocked(storageKey, ns);
            }
            else
            {
                replay = [];
                foreach (var (key, e) in _history)
                    if (e.Rv > fromRv && (storageKey is null || key == storageKey)) replay.Add(e);
            }
            _subscribers.Add(sub);
            return new Subscription(this, sub, channel.Reader, initial, replay, _rv);
        }
    }

    internal void Unsubscribe(Subscriber s)
    {
        lock (Gate)
        {
            _subscribers.Remove(s);
            s.Writer.TryComplete();
        }
    }

    internal sealed record Subscriber(string? StorageKey, ChannelWriter<StoreEvent> Writer);

    public sealed class Subscription : IDisposable
    {
        readonly ObjectStore _store;
        readonly Subscriber _sub;

        internal Subscription(ObjectStore store, Subscriber sub, ChannelReader<StoreEvent> reader,
            List<StoredObject>? initial, List<StoreEvent>? replay, long rv)
        {
            _store = store;
            _sub = sub;
            Reader = reader;
            Initial = initial;
            Replay = replay;
            StartRv = rv;
        }

        public ChannelReader<StoreEvent> Reader { get; }
        public List<StoredObject>? Initial { get; }
        public List<StoreEvent>? Replay { get; }
        public long StartRv { get; }

        public void Dispose() => _store.Unsubscribe(_sub);
    }
}

public sealed class ResourceVersionTooOldException(long rv) : Exception($"too old resource version: {rv}");
