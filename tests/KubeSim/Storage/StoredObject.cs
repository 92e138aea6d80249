using System.Text.Json.Nodes;

namespace KubeSim.Storage;

/// <summary>An immutable stored version of one object, with its serialized bytes cached.</summary>
public sealed class StoredObject
{
    public StoredObject(string storageKey, JsonObject obj, long rv)
    {
        StorageKey = storageKey;
        Object = obj;
        Rv = rv;
        Namespace = obj.Namespace();
        Name = obj.Name();
        Json = KubeSim.Storage.Json.Bytes(obj);
    }

    public string StorageKey { get; }
    public string Namespace { get; }
    public string Name { get; }
    public long Rv { get; }
    /// <summary>Never mutate: clone first.</summary>
    public JsonObject Object { get; }
    public byte[] Json { get; }

    byte[]? _metadataJson;

    /// <summary>
    /// The object as a meta.k8s.io/v1 PartialObjectMetadata (what metadata-only lists and gets answer),
    /// serialized on first use and then kept.
    /// </summary>
    public byte[] MetadataJson => _metadataJson ??= KubeSim.Storage.Json.Bytes(new JsonObject
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = Object["metadata"]?.DeepClone(),
    });
    public string Key => ObjectStore.KeyOf(Namespace, Name);
    public string Uid => Object.Uid();
}

public enum WatchType { Added, Modified, Deleted }

/// <summary>A change to the store, as watchers and controllers see it.</summary>
public sealed record StoreEvent(long Rv, WatchType Type, StoredObject Object, StoredObject? Old)
{
    public string TypeName => Type switch { WatchType.Added => "ADDED", WatchType.Modified => "MODIFIED", _ => "DELETED" };
}
