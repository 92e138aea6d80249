using System.Text.Json.Nodes;

namespace KubeSim.Storage;

/// <summary>An immutable stored version of one object, with its serialized bytes cached.</summary>
public sealed class StoredObject
{
    public StoredObject(string storageKey, JsonObject obj, long rv)
    {
        StorageKey = storageKey;
        _object = obj;
        Rv = rv;
        Namespace = obj.Namespace();
        Name = obj.Name();
        ApiVersion = obj.Str("apiVersion");
        Json = KubeSim.Storage.Json.Bytes(obj);
        Labels = obj.Labels();
        if (obj.Str("kind") == "Pod") _podFields = [obj.At("status").Str("phase"), obj.At("spec").Str("nodeName")];
    }

    JsonObject? _object;
    WeakReference<JsonObject>? _released;
    readonly string?[]? _podFields;

    public string StorageKey { get; }
    public string Namespace { get; }
    public string Name { get; }
    /// <summary>The apiVersion it was stored in (read without the parsed object).</summary>
    public string? ApiVersion { get; }
    public long Rv { get; }
    /// <summary>Never mutate: clone first. Parsed again from <see cref="Json"/> when the store released it.</summary>
    public JsonObject Object
    {
        get
        {
            if (_object is { } kept) return kept;
            var released = _released!;
            if (released.TryGetTarget(out var o)) return o;
            o = KubeSim.Storage.Json.Parse(Json);
            released.SetTarget(o);
            return o;
        }
    }

    /// <summary>The object's labels, read once (selectors match them without the parsed object).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>
    /// Keeps only the serialized bytes (and what selectors read): the parsed tree becomes collectable and is parsed
    /// again when asked for. A store holding a very large collection does this, as kube-apiserver keeps
    /// encoded objects in etcd; a pod then costs a few kilobytes instead of tens.
    /// </summary>
    public void Release()
    {
        if (_object is null) return;
        _released = new WeakReference<JsonObject>(_object);
        _object = null;
    }

    /// <summary>
    /// A field a field selector asks for, when known without the parsed object (metadata.name and namespace, a
    /// pod's status.phase and spec.nodeName, as kube-apiserver indexes them); false for any other field.
    /// </summary>
    public bool TryGetField(string[] path, out string? value)
    {
        value = path switch
        {
            ["metadata", "name"] => Name,
            ["metadata", "namespace"] => Namespace,
            ["status", "phase"] when _podFields is not null => _podFields[0],
            ["spec", "nodeName"] when _podFields is not null => _podFields[1],
            _ => null,
        };
        return value is not null || path is ["status", "phase"] or ["spec", "nodeName"] && _podFields is not null;
    }
    public byte[] Json { get; }

    byte[]? _metadataJson;

    /// <summary>
    /// The object as a meta.k8s.io/v1 PartialObjectMetadata (what metadata-only lists and gets answer): the stored
    /// bytes of its metadata wrapped, never the parsed object; kept unless the store released the object (then
    /// cut again from the bytes on each use, which costs a scan and no memory).
    /// </summary>
    public byte[] MetadataJson => _metadataJson ?? (_object is null ? CutMetadata(Json) : _metadataJson = CutMetadata(Json));

    static readonly byte[] MetadataHead = "{\"kind\":\"PartialObjectMetadata\",\"apiVersion\":\"meta.k8s.io/v1\",\"metadata\":"u8.ToArray();

    static byte[] CutMetadata(byte[] json)
    {
        var reader = new System.Text.Json.Utf8JsonReader(json);
        reader.Read(); // the object's start
        while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
        {
            var isMetadata = reader.ValueTextEquals("metadata"u8);
            reader.Read();
            if (isMetadata)
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var value = json.AsSpan(start, (int)reader.BytesConsumed - start);
                var result = new byte[MetadataHead.Length + value.Length + 1];
                MetadataHead.CopyTo(result, 0);
                value.CopyTo(result.AsSpan(MetadataHead.Length));
                result[^1] = (byte)'}';
                return result;
            }
            reader.Skip();
        }
        return [.. MetadataHead, .. "null}"u8];
    }
    public string Key => ObjectStore.KeyOf(Namespace, Name);
    public string Uid => Object.Uid();
}

public enum WatchType { Added, Modified, Deleted }

/// <summary>A change to the store, as watchers and controllers see it.</summary>
public sealed record StoreEvent(long Rv, WatchType Type, StoredObject Object, StoredObject? Old)
{
    public string TypeName => Type switch { WatchType.Added => "ADDED", WatchType.Modified => "MODIFIED", _ => "DELETED" };
}
