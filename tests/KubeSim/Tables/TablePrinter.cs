using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Tables;

/// <summary>One column of a server-side table, with the function computing its cell.</summary>
public sealed record Column(string Name, string Type, Func<JsonObject, JsonNode?> Cell, int Priority = 0, string Format = "", string Description = "");

/// <summary>
/// Server-side printing (Accept: application/json;as=Table;v=v1;g=meta.k8s.io) with the columns kube-apiserver
/// prints per kind; custom resources use their additionalPrinterColumns.
/// </summary>
public static class TablePrinter
{
    public static JsonObject Table(ResourceType rt, IEnumerable<JsonObject> objects, string? resourceVersion, string? continueToken,
        string includeObject, bool noHeaders = false)
    {
        var columns = ColumnsFor(rt);
        var defs = new JsonArray();
        if (!noHeaders)
            foreach (var c in columns)
                defs.Add(new JsonObject
                {
                    ["name"] = c.Name,
                    ["type"] = c.Type,
                    ["format"] = c.Format,
                    ["description"] = c.Description.Length > 0 ? c.Description : DescriptionOf(c.Name),
                    ["priority"] = c.Priority,
                });
        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray();
            foreach (var c in columns)
            {
                JsonNode? cell;
                try { cell = c.Cell(obj); }
                catch (Exception e) when (e is InvalidOperationException or FormatException) { cell = null; }
                cells.Add(cell?.DeepClone());
            }
            var row = new JsonObject { ["cells"] = cells };
            switch (includeObject)
            {
                case "None": break;
                case "Object": row["object"] = obj.DeepClone(); break;
                default:
                    var meta = obj["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
                    meta.Remove("managedFields");
                    row["object"] = new JsonObject
                    {
                        ["kind"] = "PartialObjectMetadata",
                        ["apiVersion"] = "meta.k8s.io/v1",
                        ["metadata"] = meta,
                    };
                    break;
            }
            rows.Add(row);
        }
        var listMeta = new JsonObject();
        if (resourceVersion is not null) listMeta["resourceVersion"] = resourceVersion;
        if (!string.IsNullOrEmpty(continueToken)) listMeta["continue"] = continueToken;
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMeta,
            ["columnDefinitions"] = defs,
            ["rows"] = rows,
        };
    }

    static string DescriptionOf(string column) => column switch
    {
        "Name" => "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
        "Age" => "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.",
        _ => column,
    };

    static readonly Column NameCol = new("Name", "string", o => o.Name(), Format: "name");
    static readonly Column AgeCol = new("Age", "string", o => HumanDuration.Since(o.At("metadata", "creationTimestamp").AsString()));

    static JsonNode? Int(JsonNode? n) => n is JsonValue v ? v.DeepClone() : JsonValue.Create(0);
    static string Get(JsonObject o, params string[] path) => o.At(path).AsString() ?? "";
    static long Num(JsonObject o, params string[] path) => o.At(path[..^1]).Long(path[^1]) ?? 0;
    static string OrNone(string s) => s.Length == 0 ? "<none>" : s;

    public static IReadOnlyList<Column> ColumnsFor(ResourceType rt)
    {
        if (rt.IsCustom) return CustomColumns(rt);
        return (rt.Group, rt.Kind) switch
        {
            ("", "Pod") =>
            [
                NameCol,
                new("Ready", "string", o => PodReady(o), Description: "The aggregate readiness state of this pod for accepting traffic."),
                new("Status", "string", o => PodStatus(o), Description: "The aggregate status of the containers in this pod."),
                new("Restarts", "string", o => PodRestarts(o), Description: "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
                AgeCol,
                new("IP", "string", o => OrNone(Get(o, "status", "podIP")), 1),
                new("Node", "string", o => OrNone(Get(o, "spec", "nodeName")), 1),
                new("Nominated Node", "string", o => OrNone(Get(o, "status", "nominatedNodeName")), 1),
                new("Readiness Gates", "string", o => "<none>", 1),
            ],
            ("", "Namespace") => [NameCol, new("Status", "string", o => Get(o, "status", "phase")), AgeCol],
            ("", "Node") =>
            [
                NameCol,
                new("Status", "string", o => NodeReady(o)),
                new("Roles", "string", o => "<none>"),
                AgeCol,
                new("Version", "string", o => Get(o, "status", "nodeInfo", "kubeletVersion")),
                new("Internal-IP", "string", o => OrNone(NodeAddress(o, "InternalIP")), 1),
                new("External-IP", "string", o => OrNone(NodeAddress(o, "ExternalIP")), 1),
                new("OS-Image", "string", o => Get(o, "status", "nodeInfo", "osImage"), 1),
                new("Kernel-Version", "string", o => Get(o, "status", "nodeInfo", "kernelVersion"), 1),
                new("Container-Runtime", "string", o => Get(o, "status", "nodeInfo", "containerRuntimeVersion"), 1),
            ],
            ("", "Service") =>
            [
                NameCol,
                new("Type", "string", o => Get(o, "spec", "type")),
                new("Cluster-IP", "string", o => OrNone(Get(o, "spec", "clusterIP"))),
                new("External-IP", "string", o => ServiceExternalIp(o)),
                new("Port(s)", "string", o => ServicePorts(o)),
                AgeCol,
                new("Selector", "string", o => OrNone(string.Join(",", Json.StringMap(o.At("spec", "selector")).Select(kv => $"{kv.Key}={kv.Value}"))), 1),
            ],
            ("", "Endpoints") => [NameCol, new("Endpoints", "string", o => Endpoints(o)), AgeCol],
            ("", "ConfigMap") => [NameCol, new("Data", "integer", o => Count(o["data"]) + Count(o["binaryData"])), AgeCol],
            ("", "Secret") => [NameCol, new("Type", "string", o => Get(o, "type")), new("Data", "integer", o => Count(o["data"])), AgeCol],
            ("", "ServiceAccount") => [NameCol, new("Secrets", "integer", o => Count(o["secrets"])), AgeCol],
            ("", "Event") =>
            [
                new("Last Seen", "string", o => HumanDuration.Since(Get(o, "lastTimestamp") is { Length: > 0 } t ? t : Get(o, "eventTime"))),
                new("Type", "string", o => Get(o, "type")),
                new("Reason", "string", o => Get(o, "reason")),
                new("Object", "string", o => $"{Get(o, "involvedObject", "kind").ToLowerInvariant()}/{Get(o, "involvedObject", "name")}"),
                new("Message", "string", o => Get(o, "message")),
            ],
            ("apps", "Deployment") =>
            [
                NameCol,
                new("Ready", "string", o => $"{Num(o, "status", "readyReplicas")}/{Num(o, "spec", "replicas")}"),
                new("Up-to-date", "integer", o => Num(o, "status", "updatedReplicas")),
                new("Available", "integer", o => Num(o, "status", "availableReplicas")),
                AgeCol,
                .. WorkloadWide(),
            ],
            ("apps", "ReplicaSet") =>
            [
                NameCol,
                new("Desired", "integer", o => Num(o, "spec", "replicas")),
                new("Current", "integer", o => Num(o, "status", "replicas")),
                new("Ready", "integer", o => Num(o, "status", "readyReplicas")),
                AgeCol,
                .. WorkloadWide(),
            ],
            ("apps", "DaemonSet") =>
            [
                NameCol,
                new("Desired", "integer", o => Num(o, "status", "desiredNumberScheduled")),
                new("Current", "integer", o => Num(o, "status", "currentNumberScheduled")),
                new("Ready", "integer", o => Num(o, "status", "numberReady")),
                new("Up-to-date", "integer", o => Num(o, "status", "updatedNumberScheduled")),
                new("Available", "integer", o => Num(o, "status", "numberAvailable")),
                new("Node Selector", "string", o => OrNone(string.Join(",", Json.StringMap(o.At("spec", "template", "spec", "nodeSelector")).Select(kv => $"{kv.Key}={kv.Value}")))),
                AgeCol,
                .. WorkloadWide(),
            ],
            ("apps", "StatefulSet") =>
            [
                NameCol,
                new("Ready", "string", o => $"{Num(o, "status", "readyReplicas")}/{Num(o, "spec", "replicas")}"),
                AgeCol,
                .. WorkloadWide().Take(2),
            ],
            ("apps", "ControllerRevision") => [NameCol, new("Controller", "string", o => Owner(o)), new("Revision", "integer", o => Num(o, "revision")), AgeCol],
            ("batch", "Job") =>
            [
                NameCol,
                new("Status", "string", o => JobStatus(o)),
                new("Completions", "string", o => $"{Num(o, "status", "succeeded")}/{Num(o, "spec", "completions")}"),
                new("Duration", "string", o => JobDuration(o)),
                AgeCol,
                .. WorkloadWide(),
            ],
            ("batch", "CronJob") =>
            [
                NameCol,
                new("Schedule", "string", o => Get(o, "spec", "schedule")),
                new("Timezone", "string", o => OrNone(Get(o, "spec", "timeZone"))),
                new("Suspend", "boolean", o => o.At("spec").Bool("suspend") ?? false),
                new("Active", "integer", o => Count(o.At("status", "active"))),
                new("Last Schedule", "string", o => Get(o, "status", "lastScheduleTime") is { Length: > 0 } t ? HumanDuration.Since(t) : "<none>"),
                AgeCol,
            ],
            ("rbac.authorization.k8s.io", "Role" or "ClusterRole") =>
                [NameCol, new("Created At", "string", o => Get(o, "metadata", "creationTimestamp"), Format: "date")],
            ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding") =>
            [
                NameCol,
                new("Role", "string", o => $"{Get(o, "roleRef", "kind")}/{Get(o, "roleRef", "name")}"),
                AgeCol,
                new("Users", "string", o => Subjects(o, "User"), 1),
                new("Groups", "string", o => Subjects(o, "Group"), 1),
                new("ServiceAccounts", "string", o => Subjects(o, "ServiceAccount"), 1),
            ],
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy") =>
            [
                NameCol,
                new("Validations", "integer", o => Count(o.At("spec", "validations"))),
                new("ParamKind", "string", o => o.At("spec", "paramKind") is JsonObject pk ? $"{pk.Str("apiVersion")}/{pk.Str("kind")}" : "<unset>"),
                AgeCol,
            ],
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding") =>
            [
                NameCol,
                new("PolicyName", "string", o => Get(o, "spec", "policyName")),
                new("ParamRef", "string", o => o.At("spec", "paramRef") is JsonObject pr ? $"{pr.Str("namespace")}/{pr.Str("name")}" : "<unset>"),
                AgeCol,
            ],
            ("admissionregistration.k8s.io", _) => [NameCol, new("Webhooks", "integer", o => Count(o["webhooks"])), AgeCol],
            ("policy", "PodDisruptionBudget") =>
            [
                NameCol,
                new("Min Available", "string", o => OrNA(o.At("spec", "minAvailable"))),
                new("Max Unavailable", "string", o => OrNA(o.At("spec", "maxUnavailable"))),
                new("Allowed Disruptions", "integer", o => Num(o, "status", "disruptionsAllowed")),
                AgeCol,
            ],
            ("autoscaling", "HorizontalPodAutoscaler") =>
            [
                NameCol,
                new("Reference", "string", o => $"{Get(o, "spec", "scaleTargetRef", "kind")}/{Get(o, "spec", "scaleTargetRef", "name")}"),
                new("Targets", "string", o => "<unknown>"),
                new("MinPods", "string", o => (o.At("spec").Long("minReplicas") ?? 1).ToString()),
                new("MaxPods", "integer", o => Num(o, "spec", "maxReplicas")),
                new("Replicas", "integer", o => Num(o, "status", "currentReplicas")),
                AgeCol,
            ],
            ("networking.k8s.io", "NetworkPolicy") =>
                [NameCol, new("Pod-Selector", "string", o => OrNone(string.Join(",", Json.StringMap(o.At("spec", "podSelector", "matchLabels")).Select(kv => $"{kv.Key}={kv.Value}")))), AgeCol],
            ("coordination.k8s.io", "Lease") => [NameCol, new("Holder", "string", o => Get(o, "spec", "holderIdentity")), AgeCol],
            ("apiextensions.k8s.io", _) => [NameCol, new("Created At", "date", o => Get(o, "metadata", "creationTimestamp"))],
            _ => [NameCol, AgeCol],
        };
    }

    static string OrNA(JsonNode? n) => n is null ? "N/A" : n.AsString() ?? n.ToJsonString();

    static Column[] WorkloadWide() =>
    [
        new("Containers", "string", o => string.Join(",", Containers(o).Select(c => c.Str("name"))), 1),
        new("Images", "string", o => string.Join(",", Containers(o).Select(c => c.Str("image"))), 1),
        new("Selector", "string", o => Selector(o.At("spec", "selector")), 1),
    ];

    static IEnumerable<JsonNode> Containers(JsonObject o) =>
        (o.At("spec", "template", "spec", "containers") as JsonArray)?.OfType<JsonNode>() ?? [];

    static string Selector(JsonNode? sel)
    {
        var parts = Json.StringMap(sel?["matchLabels"]).Select(kv => $"{kv.Key}={kv.Value}").ToList();
        if (sel?["matchExpressions"] is JsonArray exprs)
            foreach (var e in exprs)
                parts.Add($"{e.Str("key")} {e.Str("operator")?.ToLowerInvariant()} ({string.Join(",", (e?["values"] as JsonArray)?.Select(v => v.AsString()) ?? [])})");
        return parts.Count == 0 ? "<none>" : string.Join(",", parts);
    }

    static int Count(JsonNode? n) => n switch { JsonObject o => o.Count, JsonArray a => a.Count, _ => 0 };

    static string Owner(JsonObject o) =>
        o.At("metadata", "ownerReferences") is JsonArray { Count: > 0 } refs
            ? $"{refs[0].Str("kind")?.ToLowerInvariant()}.{refs[0].Str("apiVersion")?.Split('/')[0]}/{refs[0].Str("name")}"
            : "<none>";

    static string Subjects(JsonObject o, string kind) =>
        string.Join(", ", (o["subjects"] as JsonArray)?.Where(s => s.Str("kind") == kind)
            .Select(s => kind == "ServiceAccount" ? $"{s.Str("namespace")}/{s.Str("name")}" : s.Str("name") ?? "") ?? []);

    public static string PodReady(JsonObject pod)
    {
        var total = (pod.At("spec", "containers") as JsonArray)?.Count ?? 0;
        var ready = (pod.At("status", "containerStatuses") as JsonArray)?.Count(c => c.Bool("ready") == true) ?? 0;
        return $"{ready}/{total}";
    }

    public static string PodStatus(JsonObject pod)
    {
        if (pod.At("metadata", "deletionTimestamp") is not null) return "Terminating";
        var reason = Get(pod, "status", "reason") is { Length: > 0 } r ? r : Get(pod, "status", "phase");
        if (pod.At("status", "containerStatuses") is JsonArray statuses)
            foreach (var cs in statuses)
            {
                if (cs.At("state", "waiting").Str("reason") is { Length: > 0 } w) reason = w;
                else if (cs.At("state", "terminated") is JsonObject t)
                    reason = t.Str("reason") is { Length: > 0 } tr ? tr : $"ExitCode:{t.Long("exitCode")}";
            }
        return reason.Length == 0 ? "Pending" : reason;
    }

    static string PodRestarts(JsonObject pod) =>
        ((pod.At("status", "containerStatuses") as JsonArray)?.Sum(c => c.Long("restartCount") ?? 0) ?? 0).ToString();

    static string NodeReady(JsonObject node)
    {
        var ready = (node.At("status", "conditions") as JsonArray)?.FirstOrDefault(c => c.Str("type") == "Ready");
        var status = ready?.Str("status") == "True" ? "Ready" : "NotReady";
        return node.At("spec").Bool("unschedulable") == true ? status + ",SchedulingDisabled" : status;
    }

    static string NodeAddress(JsonObject node, string type) =>
        (node.At("status", "addresses") as JsonArray)?.FirstOrDefault(a => a.Str("type") == type).Str("address") ?? "";

    static string ServiceExternalIp(JsonObject svc)
    {
        var type = Get(svc, "spec", "type");
        var ingress = (svc.At("status", "loadBalancer", "ingress") as JsonArray)?.Select(i => i.Str("ip") ?? i.Str("hostname")).ToList() ?? [];
        var external = (svc.At("spec", "externalIPs") as JsonArray)?.Select(i => i.AsString()).ToList() ?? [];
        return type switch
        {
            "ExternalName" => Get(svc, "spec", "externalName"),
            "LoadBalancer" => ingress.Count + external.Count > 0 ? string.Join(",", ingress.Concat(external)) : "<pending>",
            _ => external.Count > 0 ? string.Join(",", external) : "<none>",
        };
    }

    static string ServicePorts(JsonObject svc)
    {
        if (svc.At("spec", "ports") is not JsonArray { Count: > 0 } ports) return "<none>";
        return string.Join(",", ports.Select(p =>
        {
            var nodePort = p.Long("nodePort");
            var proto = p.Str("protocol") ?? "TCP";
            return nodePort is > 0 ? $"{p.Long("port")}:{nodePort}/{proto}" : $"{p.Long("port")}/{proto}";
        }));
    }

    static string Endpoints(JsonObject ep)
    {
        var list = new List<string>();
        if (ep["subsets"] is JsonArray subsets)
            foreach (var s in subsets)
            {
                var ports = (s?["ports"] as JsonArray)?.Select(p => p.Long("port")).ToList() ?? [];
                foreach (var a in (s?["addresses"] as JsonArray) ?? [])
                    list.AddRange(ports.Count == 0 ? [a.Str("ip") ?? ""] : ports.Select(p => $"{a.Str("ip")}:{p}"));
            }
        if (list.Count == 0) return "<none>";
        return list.Count > 3 ? string.Join(",", list.Take(3)) + $" + {list.Count - 3} more..." : string.Join(",", list);
    }

    static string JobStatus(JsonObject job)
    {
        var conditions = (job.At("status", "conditions") as JsonArray)?.Where(c => c.Str("status") == "True").Select(c => c.Str("type")).ToList() ?? [];
        if (conditions.Contains("Complete")) return "Complete";
        if (conditions.Contains("Failed")) return "Failed";
        if (job.At("spec").Bool("suspend") == true) return "Suspended";
        return "Running";
    }

    static string JobDuration(JsonObject job)
    {
        var start = Json.ParseTime(Get(job, "status", "startTime"));
        if (start is null) return "";
        var end = Json.ParseTime(Get(job, "status", "completionTime")) ?? DateTimeOffset.UtcNow;
        return HumanDuration.Format(end - start.Value);
    }

    static IReadOnlyList<Column> CustomColumns(ResourceType rt)
    {
        var cols = new List<Column> { NameCol };
        var printer = rt.PrinterColumns;
        if (printer is null || printer.Count == 0)
        {
            cols.Add(AgeCol);
            return cols;
        }
        foreach (var pc in printer.OfType<JsonObject>())
        {
            var type = pc.Str("type") ?? "string";
            var path = pc.Str("jsonPath") ?? "";
            var format = pc.Str("format") ?? "";
            cols.Add(new Column(pc.Str("name") ?? "", type, o =>
            {
                var v = SimpleJsonPath.Evaluate(o, path);
                if (v is null) return null;
                if (type == "date") return HumanDuration.Since(v.AsString());
                return v is JsonValue ? v.DeepClone() : JsonValue.Create(v.ToJsonString());
            }, (int)(pc.Long("priority") ?? 0), format, pc.Str("description") ?? ""));
        }
        return cols;
    }
}

/// <summary>The JSONPath subset printer columns use: .a.b, .a[0].b, .a[*].b, .a['x.y'].</summary>
public static class SimpleJsonPath
{
    public static JsonNode? Evaluate(JsonNode? root, string path)
    {
        var results = new List<JsonNode?> { root };
        var p = path.Trim().TrimStart('{').TrimEnd('}').Trim();
        if (p.StartsWith('$')) p = p[1..];
        var i = 0;
        while (i < p.Length && results.Count > 0)
        {
            if (p[i] == '.')
            {
                i++;
                var start = i;
                while (i < p.Length && p[i] != '.' && p[i] != '[') i++;
                var name = p[start..i];
                if (name.Length == 0) continue;
                results = results.Select(r => r is JsonObject o && o.TryGetPropertyValue(name, out var v) ? v : null).Where(v => v is not null).ToList();
            }
            else if (p[i] == '[')
            {
                var end = p.IndexOf(']', i);
                if (end < 0) return null;
                var inner = p[(i + 1)..end].Trim();
                i = end + 1;
                if (inner == "*")
                    results = results.SelectMany(r => r switch
                    {
                        JsonArray a => a.AsEnumerable(),
                        JsonObject o => o.Select(kv => kv.Value),
                        _ => [],
                    }).ToList();
                else if (int.TryParse(inner, out var idx))
                    results = results.Select(r => r is JsonArray a && idx < a.Count && idx >= 0 ? a[idx] : null).Where(v => v is not null).ToList();
                else
                {
                    var key = inner.Trim('\'', '"');
                    results = results.Select(r => r is JsonObject o && o.TryGetPropertyValue(key, out var v) ? v : null).Where(v => v is not null).ToList();
                }
            }
            else return null;
        }
        if (results.Count == 0) return null;
        if (results.Count == 1) return results[0];
        return JsonValue.Create(string.Join(",", results.Select(r => r?.AsString() ?? r?.ToJsonString())));
    }
}
