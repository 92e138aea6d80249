using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim.Admission;
using KubeSim.Apply;
using KubeSim.Patch;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>Options of one write request.</summary>
public sealed record WriteOptions
{
    public string? FieldManager { get; init; }
    public bool DryRun { get; init; }
    public bool Force { get; init; }
    public string? UserAgent { get; init; }

    /// <summary>
    /// Asked before an apply patch creates the object: kube-apiserver authorizes that create as well as the
    /// patch (handlers/patch.go wraps its create validation in withAuthorization with the verb "create").
    /// </summary>
    public Action? AuthorizeCreate { get; init; }

    /// <summary>The manager recorded in managedFields: fieldManager, else the user agent's product name.</summary>
    public string Manager => !string.IsNullOrEmpty(FieldManager) ? FieldManager
        : UserAgent is { Length: > 0 } ua ? ua.Split('/')[0].Trim() : "unknown";

    public static readonly WriteOptions Controller = new() { FieldManager = "kube-controller-manager" };
}

public enum DeletePropagation { Background, Foreground, Orphan }

/// <summary>The result of a delete: either gone now, or marked for deletion (finalizers pending).</summary>
public sealed record DeleteOutcome(StoredObject Object, bool Pending);

public static class PatchTypes
{
    public const string Json = "application/json-patch+json";
    public const string Merge = "application/merge-patch+json";
    public const string Strategic = "application/strategic-merge-patch+json";
    public const string ApplyYaml = "application/apply-patch+yaml";
    public const string ApplyCbor = "application/apply-patch+cbor";
    public static readonly string[] All = [Json, Merge, Strategic, ApplyYaml];
}

/// <summary>
/// The API's write semantics independent of HTTP: create, update, patch (four kinds), delete with finalizers
/// and propagation, resourceVersion conflicts, generation, managedFields, defaulting, admission, validation
/// and dry runs. Controllers write through it too. Writes go as kube-apiserver's GuaranteedUpdate does: read, compute
/// the new object outside any lock, and commit only if what was read is still stored (etcd's compare-and-swap), else
/// read again and compute again. Writes of different objects never wait for each other's work.
/// </summary>
public sealed class ResourceService(ObjectStore store, ResourceRegistry registry, Defaults defaults)
{
    public ObjectStore Store { get; } = store;
    public ResourceRegistry Registry { get; } = registry;
    public List<IAdmissionPlugin> AdmissionPlugins { get; } = [];

    static readonly ResourceType NamespaceType = BuiltinResources.Create().First(r => r.Kind == "Namespace");

    public StoredObject Get(ResourceType rt, string ns, string name) =>
        Store.Get(rt.StorageKey, rt.Namespaced ? ns : "", name) ?? throw ApiException.NotFound(rt, name);

    public StoredObject Create(ResourceType rt, string? ns, JsonObject obj, WriteOptions o) =>
        Guaranteed(() => CreateObject(rt, ns, obj, o, presetManagedFields: false));

    /// <summary>A write computed from a read that another write has replaced since: read again and compute again.</summary>
    sealed class StaleRead : Exception;

    /// <summary>
    /// kube-apiserver's GuaranteedUpdate: <paramref name="attempt"/> reads what it needs, computes, and commits through
    /// <see cref="Commit"/> or <see cref="CommitRemove"/>; when another write came in between, it runs again on what is
    /// stored now (so a precondition or a resourceVersion sent by the client is checked against that).
    /// </summary>
    static T Guaranteed<T>(Func<T> attempt)
    {
        while (true)
        {
            try
            {
                return attempt();
            }
            catch (StaleRead)
            {
            }
        }
    }

    /// <summary>Stores <paramref name="obj"/> if <paramref name="read"/> (null: nothing) is still what is stored.</summary>
    StoredObject Commit(string storageKey, JsonObject obj, StoredObject? read) =>
        Store.PutIfCurrent(storageKey, obj, read) ?? throw new StaleRead();

    StoredObject CommitRemove(StoredObject read) => Store.RemoveIfCurrent(read) ?? throw new StaleRead();

    StoredObject CreateObject(ResourceType rt, string? ns, JsonObject obj, WriteOptions o, bool presetManagedFields)
    {
        CheckTypeMeta(rt, obj);
        var meta = obj.Meta();
        if (string.IsNullOrEmpty(obj.Name()) && meta.Str("generateName") is { Length: > 0 } prefix)
            meta["name"] = prefix + RandomSuffix();
        var name = obj.Name();
        if (rt.Namespaced)
        {
            var bodyNs = obj.Namespace();
            if (string.IsNullOrEmpty(ns)) ns = bodyNs;
            if (bodyNs.Length > 0 && bodyNs != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            if (string.IsNullOrEmpty(ns)) throw ApiException.BadRequest("an empty namespace may not be set during creation");
            meta["namespace"] = ns;
            CheckNamespaceWritable(rt, ns, name);
        }
        else meta.Remove("namespace");

        if (name.Length > 0 && Store.Get(rt.StorageKey, rt.Namespaced ? ns! : "", name) is not null)
            // An apply that would create was computed from a read that found nothing: another write created the object
            // since, so it is computed again as an apply to that object (kube-apiserver's GuaranteedUpdate retries too).
            throw presetManagedFields ? new StaleRead() : ApiException.AlreadyExists(rt, name);

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Json.Now();
        foreach (var k in new[] { "resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink" }) meta.Remove(k);
        if (rt.HasGeneration) meta["generation"] = 1;
        else meta.Remove("generation");
        if (rt.HasStatus) obj.Remove("status");
        if (!presetManagedFields) meta.Remove("managedFields");

        if (!presetManagedFields) Decode(rt, obj);
        var context = new AdmissionContext(Store, Registry) { DryRun = o.DryRun };
        foreach (var plugin in AdmissionPlugins) plugin.OnCreate(context, rt, obj);
        SchemaValidation.Prune(rt, obj);
        Validation.Validate(rt, obj);
        if (!presetManagedFields) FieldManager.TrackUpdate(rt, null, obj, o.Manager, null);
        defaults.OnCreate(rt, obj);
        Validation.Validate(rt, obj);

        if (o.DryRun) return new StoredObject(rt.StorageKey, obj, 0);
        return Commit(rt.StorageKey, obj, read: null);
    }

    void CheckNamespaceWritable(ResourceType rt, string ns, string name)
    {
        var nsObj = Store.Get(NamespaceType.StorageKey, "", ns) ?? throw ApiException.NotFound(NamespaceType, ns);
        if (nsObj.Object.At("metadata", "deletionTimestamp") is not null)
            throw ApiException.Forbidden(rt, name,
                $"unable to create new content in namespace {ns} because it is being terminated");
    }

    void CheckTypeMeta(ResourceType rt, JsonObject obj)
    {
        var apiVersion = obj.Str("apiVersion");
        var kind = obj.Str("kind");
        if (apiVersion is not null && apiVersion != rt.ApiVersion)
            throw ApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({rt.ApiVersion})");
        if (kind is not null && kind != rt.Kind)
            throw ApiException.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({rt.Kind})");
        obj["apiVersion"] = rt.ApiVersion;
        obj["kind"] = rt.Kind;
        if (obj["metadata"] is not (null or JsonObject))
            throw ApiException.BadRequest("metadata must be an object");
    }

    public StoredObject Update(ResourceType rt, string ns, string name, JsonObject sent, string? subresource, WriteOptions o) =>
        Guaranteed(() =>
        {
            var obj = sent.Clone();
            CheckTypeMeta(rt, obj);
            if (obj.Name() is { Length: > 0 } bodyName && bodyName != name)
                throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            var existing = Get(rt, ns, name);
            var rv = obj.At("metadata", "resourceVersion").AsString();
            if (!string.IsNullOrEmpty(rv) && rv != existing.Object.At("metadata", "resourceVersion").AsString())
                throw ApiException.Modified(rt, name);
            return CommitUpdate(rt, existing, obj, subresource, o, trackFields: true);
        });

    /// <summary>Applies a patch of any of the four content types; apply patches create missing objects.</summary>
    public (StoredObject Object, bool Created) Patch(ResourceType rt, string ns, string name, string patchType,
        byte[] body, string? subresource, WriteOptions o) =>
        Guaranteed(() =>
        {
            var existing = Store.Get(rt.StorageKey, rt.Namespaced ? ns : "", name);
            if (patchType == PatchTypes.ApplyYaml)
                return ApplyPatch(rt, ns, name, existing, body, subresource, o);
            if (existing is null) throw ApiException.NotFound(rt, name);
            var patch = ParseBody(body);
            var current = ViewAs(rt, existing.Object);
            JsonNode patched = patchType switch
            {
                PatchTypes.Json => JsonPatch.Apply(current, patch),
                PatchTypes.Merge => MergePatch.Apply(current, patch) ?? new JsonObject(),
                PatchTypes.Strategic when rt.IsCustom => throw ApiException.UnsupportedMediaType(patchType,
                    [PatchTypes.Json, PatchTypes.Merge, PatchTypes.ApplyYaml]),
                PatchTypes.Strategic => patch is JsonObject sp
                    ? StrategicMergePatch.Apply(rt, current, sp)
                    : throw ApiException.BadRequest("strategic merge patch must be a JSON object"),
                _ => throw ApiException.UnsupportedMediaType(patchType, PatchTypes.All),
            };
            if (patched is not JsonObject next) throw ApiException.BadRequest("patch did not produce an object");
            CheckTypeMeta(rt, next);
            var rv = next.At("metadata", "resourceVersion").AsString();
            if (!string.IsNullOrEmpty(rv) && rv != existing.Object.At("metadata", "resourceVersion").AsString())
                throw ApiException.Modified(rt, name);
            if (next.Name() != name) throw ApiException.BadRequest($"the name of the object ({next.Name()}) does not match the name on the URL ({name})");
            return (CommitUpdate(rt, existing, next, subresource, o, trackFields: true), false);
        });

    (StoredObject, bool) ApplyPatch(ResourceType rt, string ns, string name, StoredObject? existing, byte[] body,
        string? subresource, WriteOptions o)
    {
        if (string.IsNullOrEmpty(o.FieldManager))
            throw new ApiException(422, "Invalid",
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                new JsonObject { ["group"] = "meta.k8s.io", ["kind"] = "PatchOptions", ["causes"] = new JsonArray(
                    new JsonObject { ["reason"] = "FieldValueRequired", ["message"] = "Required value: is required for apply patch", ["field"] = "fieldManager" }) });
        JsonNode? parsed;
        try
        {
            var text = Encoding.UTF8.GetString(body);
            parsed = text.TrimStart().StartsWith('{') ? Json.ParseRequest(body) : Yaml.Parse(text);
        }
        catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
        {
            throw ApiException.BadRequest($"error decoding YAML: {e.Message}");
        }
        if (parsed is not JsonObject applied) throw ApiException.BadRequest("apply patch must be a YAML or JSON object");
        if (applied.Str("apiVersion") is null || applied.Str("kind") is null)
            throw ApiException.BadRequest($"invalid object type: {applied.Str("apiVersion")}, Kind={applied.Str("kind")}");
        CheckTypeMeta(rt, applied);
        CheckAppliedFields(rt, applied);
        var meta = applied.Meta();
        if (NonEmpty(meta.Str("name")) is { } bodyName && bodyName != name)
            throw ApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
        meta["name"] = name;
        if (rt.Namespaced)
        {
            if (NonEmpty(meta.Str("namespace")) is { } bodyNs && bodyNs != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta["namespace"] = ns;
        }
        foreach (var k in new[] { "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation" }) meta.Remove(k);
        var statusOnly = subresource == "status";
        if (rt.HasStatus && !statusOnly) applied.Remove("status");

        if (existing is null)
        {
            if (statusOnly) throw ApiException.NotFound(rt, name);
            o.AuthorizeCreate?.Invoke();
            var (created, _) = FieldManager.Apply(rt, null, applied, o.FieldManager, o.Force, null);
            Decode(rt, created);
            return (CreateObject(rt, ns, created, o, presetManagedFields: true), true);
        }
        var (result, changed) = FieldManager.Apply(rt, ViewAs(rt, existing.Object), applied, o.FieldManager, o.Force, subresource);
        if (changed) Decode(rt, result);
        return (CommitUpdate(rt, existing, result, subresource, o, trackFields: false), false);

        static string? NonEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
    }

    /// <summary>
    /// An applied configuration of a kind with a full schema (a built-in kind's, or a custom resource's structural
    /// schema) must fit it (fields the kind does not declare, values of the wrong shape, list items without keys or
    /// with duplicate keys): kube-apiserver 1.32's field manager fails to make a typed object of it and answers 500,
    /// whatever fieldValidation says. (Custom resources' scalars are left untyped here.)
    /// </summary>
    static void CheckAppliedFields(ResourceType rt, JsonObject applied)
    {
        if (!Schemas.IsBuiltin(rt) && !(rt.IsCustom && rt.Schema is not null)) return;
        var errors = Validate.Errors(applied, Schemas.For(rt));
        if (errors.Count == 0) return;
        var meta = applied["metadata"] as JsonObject;
        var gvk = $"{rt.Group}/{rt.Version}, Kind={rt.Kind}";
        throw new ApiException(500, "",
            $"failed to create typed patch object ({meta.Str("namespace")}/{meta.Str("name")}; {gvk}): {Validate.Message(errors)}");
    }

    /// <summary>Decoding a body into the kind's Go types: the round trip, then the version's defaulting.</summary>
    void Decode(ResourceType rt, JsonObject obj)
    {
        Schemas.RoundTrip(rt, obj);
        defaults.Decode(rt, obj);
        Schemas.RoundTrip(rt, obj);
    }

    /// <summary>Read-modify-write for controllers: <paramref name="change"/> edits a copy; returns the stored result.</summary>
    public StoredObject? Mutate(ResourceType rt, string ns, string name, Func<JsonObject, bool> change,
        string? subresource = null, string manager = "kube-controller-manager") =>
        Guaranteed(() =>
        {
            var existing = Store.Get(rt.StorageKey, rt.Namespaced ? ns : "", name);
            if (existing is null) return null;
            var copy = existing.Object.Clone();
            if (!change(copy)) return existing;
            return CommitUpdate(rt, existing, copy, subresource, new WriteOptions { FieldManager = manager }, trackFields: true);
        });

    StoredObject CommitUpdate(ResourceType rt, StoredObject existing, JsonObject next, string? subresource,
        WriteOptions o, bool trackFields)
    {
        var old = existing.Object;
        if (subresource == "status")
        {
            // A status write changes the status, and the annotations (the deployment controller's revision).
            var statusOnly = old.Clone();
            if (next["status"] is JsonNode s) statusOnly["status"] = s.DeepClone();
            else statusOnly.Remove("status");
            if (next.At("metadata", "annotations") is JsonObject annotations) statusOnly.Meta()["annotations"] = annotations.DeepClone();
            else statusOnly.Meta().Remove("annotations");
            statusOnly.Meta()["managedFields"] = next.At("metadata", "managedFields")?.DeepClone();
            if (statusOnly.Meta()["managedFields"] is null) statusOnly.Meta().Remove("managedFields");
            next = statusOnly;
        }
        else if (rt.HasStatus)
        {
            if (old["status"] is JsonNode s) next["status"] = s.DeepClone();
            else next.Remove("status");
        }

        var meta = next.Meta();
        var oldMeta = old.Meta();
        foreach (var k in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "name", "resourceVersion" })
        {
            if (oldMeta[k] is JsonNode v) meta[k] = v.DeepClone();
            else meta.Remove(k);
        }
        // A request that sets managedFields replaces them (kubectl migrates client-side apply ownership this
        // way); otherwise the stored ones carry over.
        var tracking = old;
        if (trackFields)
        {
            if (meta["managedFields"] is JsonArray sent && !JsonNode.DeepEquals(sent, oldMeta["managedFields"]))
            {
                tracking = old.Clone();
                tracking.Meta()["managedFields"] = sent.DeepClone();
            }
            meta["managedFields"] = tracking.At("metadata", "managedFields")?.DeepClone();
        }
        if (meta["managedFields"] is null) meta.Remove("managedFields");

        if (trackFields)
        {
            Decode(rt, next);
            FieldManager.TrackUpdate(rt, tracking, next, o.Manager, subresource);
        }
        defaults.OnUpdate(rt, old, next);
        ImmutableFields.PrepareUpdate(rt, old, next);
        if (rt.HasGeneration)
        {
            var gen = old.At("metadata").Long("generation") ?? 1;
            meta["generation"] = subresource != "status" && SpecChanged(rt, old, next) ? gen + 1 : gen;
        }
        SchemaValidation.Prune(rt, next);
        Validation.Validate(rt, next, ImmutableFields.Check(rt, old, next));

        // A write that changes nothing but managedFields times keeps the old times, and so is no write (equal but for
        // those times is all the comparing there is: a CRD is hundreds of kilobytes).
        if (SameButManagedFieldTimes(old, next))
        {
            RestoreManagedFields(old, next);
            return existing;
        }


        if (meta["deletionTimestamp"] is not null && meta["finalizers"] is not JsonArray { Count: > 0 })
        {
            if (o.DryRun) return new StoredObject(rt.StorageKey, next, existing.Rv);
            return CommitRemove(existing);
        }
        if (o.DryRun) return new StoredObject(rt.StorageKey, next, existing.Rv);
        return Commit(rt.StorageKey, next, existing);
    }

    /// <summary>
    /// Equal but for managedFields times (and so their order), as kube-apiserver compares before it writes. Compared
    /// in place: a CustomResourceDefinition's schema can be hundreds of kilobytes, and controllers write them often.
    /// </summary>
    static bool SameButManagedFieldTimes(JsonObject a, JsonObject b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetPropertyValue(key, out var other)) return false;
            var same = key == "metadata" && value is JsonObject am && other is JsonObject bm
                ? SameButManagedFieldTimesInMetadata(am, bm)
                : JsonNode.DeepEquals(value, other);
            if (!same) return false;
        }
        return true;
    }

    static bool SameButManagedFieldTimesInMetadata(JsonObject a, JsonObject b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetPropertyValue(key, out var other)) return false;
            if (key != "managedFields" ? !JsonNode.DeepEquals(value, other) : !SameEntriesButTimes(value, other))
                return false;
        }
        return true;
    }

    /// <summary>The same managedFields entries in any order, their times aside (compared in place, never serialized).</summary>
    static bool SameEntriesButTimes(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonArray left || b is not JsonArray right) return JsonNode.DeepEquals(a, b);
        if (left.Count != right.Count) return false;
        var unmatched = right.ToList();
        foreach (var entry in left)
        {
            var match = unmatched.FindIndex(other => SameButTime(entry, other));
            if (match < 0) return false;
            unmatched.RemoveAt(match);
        }
        return true;

        static bool SameButTime(JsonNode? x, JsonNode? y)
        {
            if (x is not JsonObject a || y is not JsonObject b) return JsonNode.DeepEquals(x, y);
            if (a.Count(kv => kv.Key != "time") != b.Count(kv => kv.Key != "time")) return false;
            return a.All(kv => kv.Key == "time" || (b.TryGetPropertyValue(kv.Key, out var v) && JsonNode.DeepEquals(kv.Value, v)));
        }
    }

    static void RestoreManagedFields(JsonObject old, JsonObject next)
    {
        if (old.At("metadata", "managedFields") is JsonNode m) next.Meta()["managedFields"] = m.DeepClone();
        else next.Meta().Remove("managedFields");
    }

    /// <summary>Whether the generation moves: the spec (everything but metadata and status) or, for Deployments, annotations.</summary>
    static bool SpecChanged(ResourceType rt, JsonObject a, JsonObject b)
    {
        if (!rt.IsCustom && rt.Group == "apps" && rt.Kind == "Deployment"
            && !JsonNode.DeepEquals(a.At("metadata", "annotations"), b.At("metadata", "annotations"))) return true;
        foreach (var (k, v) in a)
            if (k is not ("metadata" or "status" or "apiVersion" or "kind") && !JsonNode.DeepEquals(v, b[k])) return true;
        foreach (var (k, _) in b)
            if (k is not ("metadata" or "status" or "apiVersion" or "kind") && !a.ContainsKey(k)) return true;
        return false;
    }

    /// <summary>The stored object as seen at this resource's version (CRD versions share storage, no conversion).</summary>
    public static JsonObject ViewAs(ResourceType rt, JsonObject stored)
    {
        var copy = stored.Clone();
        copy["apiVersion"] = rt.ApiVersion;
        return copy;
    }

    /// <summary>The finalizer kube-apiserver puts on a CustomResourceDefinition at its delete.</summary>
    public const string CrdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    public DeleteOutcome Delete(ResourceType rt, string ns, string name, DeletePropagation propagation,
        JsonObject? preconditions, WriteOptions o) =>
        Guaranteed(() =>
        {
            var existing = Get(rt, ns, name);
            var meta = existing.Object.At("metadata")!;
            if (preconditions is not null)
            {
                if (preconditions.Str("uid") is { } uid && uid != meta.Str("uid"))
                    throw ApiException.Conflict(rt, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.Str("uid")}");
                if (preconditions.Str("resourceVersion") is { } rv && rv != meta.Str("resourceVersion"))
                    throw ApiException.Conflict(rt, name, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {meta.Str("resourceVersion")}");
            }
            var next = existing.Object.Clone();
            var nmeta = next.Meta();
            var finalizers = nmeta["finalizers"] as JsonArray ?? new JsonArray();
            if (rt.Kind == "Namespace" && !rt.IsCustom)
            {
                if (nmeta["deletionTimestamp"] is null)
                {
                    nmeta["deletionTimestamp"] = Json.Now();
                    nmeta["deletionGracePeriodSeconds"] = 0;
                    next.Obj("status")["phase"] = "Terminating";
                    if (!o.DryRun) existing = Commit(rt.StorageKey, next, existing);
                }
                return new DeleteOutcome(existing, true);
            }
            var extra = propagation switch
            {
                DeletePropagation.Foreground => "foregroundDeletion",
                DeletePropagation.Orphan => "orphan",
                _ => null,
            };
            if (extra is not null && !finalizers.Any(f => f.AsString() == extra)) finalizers.Add(extra);
            // apiextensions' own delete: a CRD always stays, Terminating, until its finalizer controller has deleted
            // every custom resource of it and taken its finalizer off (CrdController).
            var isCrd = rt.IsCrdType;
            if (isCrd && nmeta["deletionTimestamp"] is null && !finalizers.Any(f => f.AsString() == CrdCleanupFinalizer)) finalizers.Add(CrdCleanupFinalizer);
            if (finalizers.Count > 0)
            {
                nmeta["finalizers"] = finalizers;
                if (nmeta["deletionTimestamp"] is null)
                {
                    nmeta["deletionTimestamp"] = Json.Now();
                    nmeta["deletionGracePeriodSeconds"] = 0;
                    if (isCrd)
                    {
                        KubeSim.Controllers.Conditions.Set(next.Obj("status"), "Terminating", "True", "InstanceDeletionPending",
                            "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon");
                    }
                }
                if (JsonNode.DeepEquals(next, existing.Object) || o.DryRun) return new DeleteOutcome(existing, true);
                return new DeleteOutcome(Commit(rt.StorageKey, next, existing), true);
            }
            if (o.DryRun) return new DeleteOutcome(existing, false);
            return new DeleteOutcome(CommitRemove(existing), false);
        });

    public static JsonNode ParseBody(byte[] body)
    {
        try
        {
            return Json.ParseRequest(body) ?? throw ApiException.BadRequest("the request body is null");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        });
    }

    public static string NewSuffix() => RandomSuffix();
}
