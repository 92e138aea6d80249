using System.Security.Cryptography;
using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.OpenApi;

/// <summary>
/// OpenAPI v3 (index plus one document per group version) and v2, built from the registry. Every resource
/// gets the paths and operations kube-apiserver publishes, with the PATCH operation tagged by
/// x-kubernetes-group-version-kind and accepting the fieldValidation parameter, so kubectl leaves
/// validation to the server. Built-in kinds get open schemas; CRD kinds get their CRD's schema.
/// </summary>
public sealed class OpenApiDocuments(ResourceRegistry registry)
{
    const string MetaRef = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";
    const string ListMetaRef = "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta";
    const string StatusRef = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";

    readonly object _gate = new();
    int _generation = -1;
    Dictionary<string, (byte[] Json, string Hash)> _v3 = new();
    byte[] _v3Index = [];
    byte[] _v2 = [];

    /// <summary>The /openapi/v3 index.</summary>
    public byte[] V3Index() { Refresh(); return _v3Index; }

    /// <summary>The document for "api/v1" or "apis/apps/v1", or null.</summary>
    public byte[]? V3(string gvPath) { Refresh(); return _v3.TryGetValue(gvPath, out var d) ? d.Json : null; }

    public byte[] V2() { Refresh(); return _v2; }

    void Refresh()
    {
        lock (_gate)
        {
            if (_generation == registry.Generation) return;
            _generation = registry.Generation;
            var all = registry.All;
            var docs = new Dictionary<string, (byte[], string)>();
            var index = new JsonObject();
            var v2Paths = new JsonObject();
            var v2Defs = new JsonObject();
            foreach (var gv in all.GroupBy(r => (r.Group, r.Version)))
            {
                var (group, version) = gv.Key;
                var key = group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";
                var doc = GroupVersionDocument(gv.ToList());
                var bytes = Json.Bytes(doc);
                var hash = Convert.ToHexString(SHA512.HashData(bytes));
                docs[key] = (bytes, hash);
                index[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={hash}" };
                foreach (var (p, item) in (JsonObject)doc["paths"]!) v2Paths[p] = ToV2(item!.DeepClone());
                foreach (var (n, s) in (JsonObject)doc["components"]!["schemas"]!) v2Defs[n] = ToV2(s!.DeepClone());
            }
            _v3 = docs;
            _v3Index = Json.Bytes(new JsonObject { ["paths"] = index });
            _v2 = Json.Bytes(new JsonObject
            {
                ["swagger"] = "2.0",
                ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
                ["paths"] = v2Paths,
                ["definitions"] = v2Defs,
            });
        }
    }

    static JsonNode ToV2(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.Str("$ref") is { } r) o["$ref"] = r.Replace("#/components/schemas/", "#/definitions/");
                foreach (var (_, v) in o.ToList()) if (v is not null) ToV2(v);
                break;
            case JsonArray a:
                foreach (var v in a) if (v is not null) ToV2(v);
                break;
        }
        return node;
    }

    public static string SchemaName(ResourceType rt)
    {
        if (rt.IsCustom)
            return string.Join('.', rt.Group.Split('.').Reverse()) + $".{rt.Version}.{rt.Kind}";
        var pkg = rt.Group.Length == 0 ? "core" : rt.Group.Replace(".k8s.io", "").Replace(".authorization", "");
        if (rt.Group == "apiextensions.k8s.io") return $"io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.{rt.Version}.{rt.Kind}";
        return $"io.k8s.api.{pkg}.{rt.Version}.{rt.Kind}";
    }

    static JsonObject GroupVersionDocument(List<ResourceType> types)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject
        {
            [MetaRef] = ObjectMetaSchema(),
            [ListMetaRef] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["continue"] = Str(), ["remainingItemCount"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                    ["resourceVersion"] = Str(), ["selfLink"] = Str(),
                },
            },
            [StatusRef] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["apiVersion"] = Str(), ["kind"] = Str(), ["code"] = new JsonObject { ["type"] = "integer", ["format"] = "int32" },
                    ["message"] = Str(), ["reason"] = Str(), ["status"] = Str(),
                    ["details"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true },
                    ["metadata"] = Ref(ListMetaRef),
                },
                ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = "", ["kind"] = "Status", ["version"] = "v1" }),
            },
        };
        foreach (var rt in types)
        {
            var name = SchemaName(rt);
            schemas[name] = KindSchema(rt);
            schemas[name + "List"] = new JsonObject
            {
                ["type"] = "object",
                ["required"] = new JsonArray("items"),
                ["properties"] = new JsonObject
                {
                    ["apiVersion"] = Str(), ["kind"] = Str(),
                    ["items"] = new JsonObject { ["type"] = "array", ["items"] = Ref(name) },
                    ["metadata"] = Ref(ListMetaRef),
                },
                ["x-kubernetes-group-version-kind"] = Gvk(rt, rt.ListKind),
            };
            var prefix = (rt.Group.Length == 0 ? "/api/" : $"/apis/{rt.Group}/") + rt.Version + "/";
            var collection = prefix + (rt.Namespaced ? "namespaces/{namespace}/" : "") + rt.Plural;
            paths[collection] = CollectionPath(rt, name);
            paths[collection + "/{name}"] = ItemPath(rt, name, null);
            foreach (var sub in rt.Subresources.Where(s => s is "status"))
                paths[collection + "/{name}/" + sub] = ItemPath(rt, name, sub);
            if (rt.Namespaced) paths[prefix + rt.Plural] = new JsonObject { ["get"] = Operation(rt, "list", name + "List", "listFor") };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas,
                ["securitySchemes"] = new JsonObject
                {
                    ["BearerToken"] = new JsonObject { ["type"] = "apiKey", ["description"] = "Bearer Token authentication", ["name"] = "authorization", ["in"] = "header" },
                },
            },
        };
    }

    static JsonObject CollectionPath(ResourceType rt, string schema)
    {
        var p = new JsonObject
        {
            ["get"] = Operation(rt, "list", schema + "List", "list"),
            ["post"] = Operation(rt, "post", schema, "create", body: ["application/json", "application/yaml"]),
            ["parameters"] = CommonParameters(rt, withName: false),
        };
        if (rt.Verbs.Contains("deletecollection")) p["delete"] = Operation(rt, "deletecollection", StatusRef, "deleteCollection");
        return p;
    }

    static JsonObject ItemPath(ResourceType rt, string schema, string? sub)
    {
        var suffix = sub is null ? "" : "Status";
        var patchTypes = new List<string> { PatchTypes.Json, PatchTypes.Merge, PatchTypes.ApplyYaml };
        var p = new JsonObject
        {
            ["get"] = Operation(rt, "get", schema, "read" + suffix),
            ["put"] = Operation(rt, "put", schema, "replace" + suffix, body: ["application/json", "application/yaml"]),
            ["patch"] = Operation(rt, "patch", schema, "patch" + suffix, body: patchTypes),
            ["parameters"] = CommonParameters(rt, withName: true),
        };
        if (sub is null) p["delete"] = Operation(rt, "delete", StatusRef, "delete");
        return p;
    }

    static JsonArray CommonParameters(ResourceType rt, bool withName)
    {
        var a = new JsonArray();
        if (withName) a.Add(Param("name", "path", required: true));
        if (rt.Namespaced) a.Add(Param("namespace", "path", required: true));
        a.Add(Param("pretty", "query"));
        return a;
    }

    static JsonObject Operation(ResourceType rt, string action, string responseSchema, string verbPrefix, List<string>? body = null)
    {
        var op = new JsonObject
        {
            ["tags"] = new JsonArray(rt.Group.Length == 0 ? $"core_{rt.Version}" : $"{rt.Group.Split('.')[0]}_{rt.Version}"),
            ["operationId"] = verbPrefix + rt.Kind,
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = "OK",
                    ["content"] = new JsonObject
                    {
                        ["application/json"] = new JsonObject { ["schema"] = Ref(responseSchema) },
                        ["application/yaml"] = new JsonObject { ["schema"] = Ref(responseSchema) },
                    },
                },
                ["401"] = new JsonObject { ["description"] = "Unauthorized" },
            },
            ["x-kubernetes-action"] = action,
            ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = rt.Group, ["version"] = rt.Version, ["kind"] = rt.Kind },
        };
        var parameters = new JsonArray();
        if (action is "post" or "put" or "patch")
        {
            parameters.Add(Param("dryRun", "query"));
            parameters.Add(Param("fieldManager", "query"));
            parameters.Add(Param("fieldValidation", "query"));
            if (action == "patch") parameters.Add(Param("force", "query", type: "boolean"));
        }
        if (action is "list")
            foreach (var q in new[] { "allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch" })
                parameters.Add(Param(q, "query", type: q is "limit" or "timeoutSeconds" ? "integer" : q is "watch" or "allowWatchBookmarks" or "sendInitialEvents" ? "boolean" : "string"));
        if (parameters.Count > 0) op["parameters"] = parameters;
        if (body is not null)
        {
            var content = new JsonObject();
            foreach (var ct in body)
                content[ct] = new JsonObject { ["schema"] = ct.Contains("patch") ? new JsonObject { ["type"] = "object" } : Ref(responseSchema) };
            op["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }
        return op;
    }

    static JsonObject Param(string name, string inWhere, bool required = false, string type = "string")
    {
        var p = new JsonObject { ["name"] = name, ["in"] = inWhere, ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true } };
        if (required) p["required"] = true;
        return p;
    }

    static JsonObject KindSchema(ResourceType rt)
    {
        JsonObject schema;
        if (rt.IsCustom && rt.Schema is not null)
        {
            schema = rt.Schema.Clone();
            var props = schema.Obj("properties");
            props["apiVersion"] ??= Str();
            props["kind"] ??= Str();
            props["metadata"] = Ref(MetaRef);
            schema["type"] ??= "object";
        }
        else
        {
            schema = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject
                {
                    ["apiVersion"] = Str("APIVersion defines the versioned schema of this representation of an object."),
                    ["kind"] = Str("Kind is a string value representing the REST resource this object represents."),
                    ["metadata"] = Ref(MetaRef),
                },
            };
            var props = (JsonObject)schema["properties"]!;
            foreach (var field in TopLevelFields(rt))
                props[field] = field is "data" or "stringData" or "binaryData"
                    ? new JsonObject { ["type"] = "object", ["additionalProperties"] = Str() }
                    : field is "type" or "reason" or "message" or "note" or "action" ? Str()
                    : field is "immutable" ? new JsonObject { ["type"] = "boolean" }
                    : field is "webhooks" or "subjects" or "rules" or "subsets" or "secrets" or "imagePullSecrets" or "endpoints"
                        ? new JsonObject { ["type"] = "array", ["items"] = Open() }
                        : Open();
        }
        schema["x-kubernetes-group-version-kind"] = Gvk(rt, rt.Kind);
        return schema;
    }

    static IEnumerable<string> TopLevelFields(ResourceType rt) => rt.Kind switch
    {
        "ConfigMap" => ["data", "binaryData", "immutable"],
        "Secret" => ["data", "stringData", "type", "immutable"],
        "ServiceAccount" => ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        "Role" or "ClusterRole" => ["rules", "aggregationRule"],
        "RoleBinding" or "ClusterRoleBinding" => ["subjects", "roleRef"],
        "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration" => ["webhooks"],
        "Endpoints" => ["subsets"],
        "Event" => ["type", "reason", "message", "involvedObject", "source", "firstTimestamp", "lastTimestamp", "count", "eventTime", "reportingComponent", "reportingInstance", "action", "related", "series", "note"],
        "EndpointSlice" => ["addressType", "endpoints", "ports"],
        "PriorityClass" => ["value", "globalDefault", "description", "preemptionPolicy"],
        "StorageClass" => ["provisioner", "parameters", "reclaimPolicy", "mountOptions", "allowVolumeExpansion", "volumeBindingMode", "allowedTopologies"],
        "ControllerRevision" => ["data", "revision"],
        _ => rt.HasStatus ? ["spec", "status"] : ["spec"],
    };

    static JsonArray Gvk(ResourceType rt, string kind) =>
        new(new JsonObject { ["group"] = rt.Group, ["kind"] = kind, ["version"] = rt.Version });

    static JsonObject Str(string? description = null)
    {
        var o = new JsonObject { ["type"] = "string" };
        if (description is not null) o["description"] = description;
        return o;
    }

    static JsonObject Open() => new() { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };

    static JsonObject Ref(string name) =>
        new() { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/components/schemas/" + name }) };

    static JsonObject ObjectMetaSchema()
    {
        JsonObject StrMap() => new() { ["type"] = "object", ["additionalProperties"] = Str() };
        JsonObject Arr(JsonObject items) => new() { ["type"] = "array", ["items"] = items };
        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["annotations"] = StrMap(),
                ["creationTimestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ["deletionGracePeriodSeconds"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                ["deletionTimestamp"] = new JsonObject { ["type"] = "string", ["format"] = "date-time" },
                ["finalizers"] = Arr(Str()),
                ["generateName"] = Str(),
                ["generation"] = new JsonObject { ["type"] = "integer", ["format"] = "int64" },
                ["labels"] = StrMap(),
                ["managedFields"] = Arr(Open()),
                ["name"] = Str(),
                ["namespace"] = Str(),
                ["ownerReferences"] = Arr(Open()),
                ["resourceVersion"] = Str(),
                ["selfLink"] = Str(),
                ["uid"] = Str(),
            },
        };
    }
}

