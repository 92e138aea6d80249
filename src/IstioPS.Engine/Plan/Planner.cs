using System.Net;
using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;
using Own = IstioPS.Engine.Ownership.Ownership;

namespace IstioPS.Engine.Plan;

/// <summary>
/// Decides, before anything is written, what an install does to each object: validates the input,
/// resolves kinds through discovery, orders the objects and asks the API server itself what each would
/// become (a server-side apply dry run with the apply's own field manager and force), comparing the
/// answer with the live object. Sends only reads and dry runs.
/// </summary>
public sealed class Planner
{
    private readonly KubeApi _api;
    private readonly RestMapper _mapper;
    private readonly Applier _applier;
    private readonly SurveyReads _reads;

    /// <param name="reads">The survey's reads, some perhaps started ahead (<see cref="SurveyReads.ReadAhead"/>); made when asked for otherwise.</param>
    public Planner(KubeApi api, RestMapper? mapper = null, SurveyReads? reads = null)
    {
        _api = api;
        _mapper = mapper ?? new RestMapper(api);
        _applier = new Applier(api);
        _reads = reads ?? new SurveyReads(api);
    }

    internal sealed record Resolved(ManifestObject Source, ResourceInfo Resource, string? Namespace)
    {
        public (string, string, string?, string) Key => (Resource.Group, Resource.Kind, Namespace, Source.Name);
    }

    /// <summary>
    /// What an install of the request reaches before any dry run: the input validated and resolved, the objects
    /// IstioPS installed earlier, the namespaces still missing, the prunes, and so the writes the install makes.
    /// Sends only reads. <see cref="PlanAsync"/> goes on from it; the prerequisite check reads its writes.
    /// </summary>
    public async Task<PlanSurvey> SurveyAsync(PlanRequest request, IProgress<OperationProgress>? progress, CancellationToken ct)
    {
        if (ObjectValidator.CheckNamespace(request.Namespace) is { } namespaceProblem)
        {
            throw new IstioPSException("InvalidNamespace", ErrorKind.InvalidArgument, namespaceProblem, request.Namespace);
        }

        if (request.SourceErrors.Count == 0 && request.Objects.Count == 0)
        {
            throw new IstioPSException("ManifestEmpty", ErrorKind.InvalidData, "The input holds no Kubernetes objects.", request.InputName);
        }

        progress?.Report(new OperationProgress("Discovering the API", 2));
        var errors = new List<ManifestException>(request.SourceErrors);
        // Discovery of the kinds a prune lists goes out with the input's own (one round trip, not two).
        var resolving = ResolveAsync(request, errors, ct);
        var pruneKinds = request.Prune is null
            ? Task.FromResult(Array.Empty<ResourceInfo?>())
            : Task.WhenAll(Own.InstalledKinds.Select(k => _mapper.FindAsync(k.ApiVersion, k.Kind, ct)));
        await Task.WhenAll(resolving, pruneKinds).ConfigureAwait(false);
        var resolved = await resolving.ConfigureAwait(false);
        if (errors.Count > 0) throw ManifestException.Aggregate(errors);

        // The objects IstioPS installed, of the input's kinds (and, when pruning, of every kind IstioPS installs), and
        // which of the input's objects exist: one list per kind (per kind and namespace), not one GET per object.
        var ownedTask = _reads.OwnedObjectsAsync(resolved.Select(r => r.Resource).Concat((await pruneKinds.ConfigureAwait(false)).OfType<ResourceInfo>()), ct);
        var namespacesTask = MissingNamespacesAsync(resolved, ct);
        var existingTask = _reads.ExistingAsync(resolved.Select(r => (r.Resource, r.Namespace)), ct);
        var owned = await ownedTask.ConfigureAwait(false);
        var (missingNamespaces, terminatingNamespaces) = await namespacesTask.ConfigureAwait(false);
        var existing = await existingTask.ConfigureAwait(false);

        var inputKeys = resolved.Select(r => r.Key).ToHashSet();
        var prunes = request.Prune is null
            ? new List<PlannedObject>()
            : owned.Where(kv => !inputKeys.Contains(kv.Key) && InPruneScope(kv.Value.Live, request))
                .Select(kv => new PlannedObject
                {
                    Action = PlanAction.Prune, ApiVersion = kv.Value.Resource.ApiVersion, Kind = kv.Value.Resource.Kind,
                    Namespace = kv.Value.Resource.Namespaced ? (string?)kv.Value.Live["metadata"]?["namespace"] : null,
                    Name = (string?)kv.Value.Live["metadata"]?["name"] ?? "", Component = KubeFormat.Label(kv.Value.Live, Own.ComponentLabel),
                    Resource = kv.Value.Resource, Live = kv.Value.Live, Rank = InstallOrder.Rank(kv.Value.Resource.Kind),
                })
                .OrderByDescending(p => p.Rank).ThenBy(p => p.Kind, StringComparer.Ordinal).ThenBy(p => p.Namespace, StringComparer.Ordinal).ThenBy(p => p.Name, StringComparer.Ordinal)
                .ToList();

        // Namespaces the input defines are planned as its objects; the others it needs are created.
        var inInput = resolved.Where(r => r.Source.Kind == "Namespace").Select(r => r.Source.Name).ToHashSet(StringComparer.Ordinal);
        var createdNamespaces = missingNamespaces.Where(ns => !inInput.Contains(ns)).Order(StringComparer.Ordinal).ToList();

        // The writes: a created namespace is a create; every object is a server-side apply (patch), which for an
        // object not there yet kube-apiserver also authorizes as create (what the lists show exists, IstioPS's or not,
        // is only patched, unless its namespace is going away); a prune is a delete.
        var writes = new List<PlannedWrite>();
        writes.AddRange(createdNamespaces.Select(ns => new PlannedWrite("create", ResourceInfo.Namespaces, null, ns)));
        foreach (var r in resolved)
        {
            var stays = owned.ContainsKey(r.Key) || (existing.Contains(r.Key) && !(r.Namespace is not null && missingNamespaces.Contains(r.Namespace)));
            if (!stays) writes.Add(new PlannedWrite("create", r.Resource, r.Namespace, r.Source.Name));
            writes.Add(new PlannedWrite("patch", r.Resource, r.Namespace, r.Source.Name));
        }

        writes.AddRange(prunes.Select(p => new PlannedWrite("delete", p.Resource, p.Namespace, p.Name)));
        return new PlanSurvey
        {
            Resolved = resolved, Owned = owned, MissingNamespaces = missingNamespaces, TerminatingNamespaces = terminatingNamespaces, Existing = existing, CreatedNamespaces = createdNamespaces,
            Prunes = prunes, Writes = writes,
        };
    }

    /// <summary>The plan of an install (from its <paramref name="survey"/> when the caller made one already).</summary>
    public async Task<InstallPlan> PlanAsync(PlanRequest request, IProgress<OperationProgress>? progress, CancellationToken ct, PlanSurvey? survey = null)
    {
        survey ??= await SurveyAsync(request, progress, ct).ConfigureAwait(false);
        var resolved = survey.Resolved;
        var owned = survey.Owned;
        var missingNamespaces = survey.MissingNamespaces;
        var existing = survey.Existing;
        var errors = new List<ManifestException>();
        progress?.Report(new OperationProgress($"Comparing {resolved.Count} objects with the cluster", 5));
        // Kinds whose CRD the install creates: not there yet, or being deleted (the API server deletes every object of
        // the kind with it and refuses creates of it until it is gone; the CRD is created anew once gone).
        var creatingCrds = new HashSet<(string, string)>();
        foreach (var crd in resolved.Where(r => r.Source.Kind == "CustomResourceDefinition"
                     && (!owned.TryGetValue(r.Key, out var live) || live.Live["metadata"]?["deletionTimestamp"] is not null)))
        {
            foreach (var info in RestMapper.FromCrd(crd.Source.Body)) creatingCrds.Add((info.Group, info.Kind));
        }

        var planned = new PlannedObject[resolved.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Concurrency), CancellationToken = ct };
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, resolved.Count), options, async (i, token) =>
        {
            var r = resolved[i];
            // Whose namespace does not exist yet, or whose kind a CRD of the input is yet to define, is created: the
            // server can tell nothing more about it.
            var absent = (r.Namespace is not null && missingNamespaces.Contains(r.Namespace)) || creatingCrds.Contains((r.Resource.Group, r.Resource.Kind));
            planned[i] = absent
                ? Planned(r, PlanAction.Create, Prepare(r, request, Own.Created), null)
                : await PlanObjectAsync(r, request, owned.TryGetValue(r.Key, out var listed) ? listed.Live : null, existing.Contains(r.Key), errors, token).ConfigureAwait(false);
            var count = Interlocked.Increment(ref done);
            progress?.Report(new OperationProgress($"Compared {count} of {resolved.Count} objects", 5 + (count * 25 / resolved.Count), r.Source.Name));
        }).ConfigureAwait(false);
        if (errors.Count > 0) throw ManifestException.Aggregate(errors.OrderBy(e => e.Location.File, StringComparer.Ordinal).ThenBy(e => e.Location.Line).ToList());

        var namespaces = survey.CreatedNamespaces.Select(ns => new PlannedObject
        {
            Action = PlanAction.Create, ApiVersion = "v1", Kind = "Namespace", Name = ns, Resource = ResourceInfo.Namespaces,
            Body = NamespaceBody(ns, request.Revision), Rank = 0, Live = survey.TerminatingNamespaces.GetValueOrDefault(ns),
        });
        return new InstallPlan
        {
            Namespace = request.Namespace,
            Revision = request.Revision,
            Objects = namespaces.Concat(planned.OrderBy(p => p.Rank)).Concat(survey.Prunes).ToList(),
        };
    }

    /// <summary>Resolves every object to a served resource and checks names; adds every problem to <paramref name="errors"/>.</summary>
    private async Task<List<Resolved>> ResolveAsync(PlanRequest request, List<ManifestException> errors, CancellationToken ct)
    {
        var objects = request.Objects;
        // Kinds the input's own CRDs define need no discovery.
        foreach (var crd in objects.Where(o => o.Kind == "CustomResourceDefinition"))
        {
            foreach (var info in RestMapper.FromCrd(crd.Body)) _mapper.Learn(info);
        }

        // Ask discovery about each group-version once, concurrently.
        var lookups = objects.Select(o => (o.ApiVersion, o.Kind)).Distinct().ToList();
        var found = await Task.WhenAll(lookups.Select(async l => (l, await _mapper.FindAsync(l.ApiVersion, l.Kind, ct).ConfigureAwait(false)))).ConfigureAwait(false);
        var map = found.ToDictionary(r => r.l, r => r.Item2);

        var resolved = new List<Resolved>();
        var seen = new Dictionary<(string, string, string?, string), ManifestObject>();
        foreach (var o in objects)
        {
            var resource = map[(o.ApiVersion, o.Kind)];
            if (resource is null)
            {
                errors.Add(new ManifestException("KindNotServed", o.Source, await NotServedMessageAsync(o, ct).ConfigureAwait(false)));
                continue;
            }

            var problems = ObjectValidator.ProblemsOf(o).ToList();
            if (problems.Count > 0)
            {
                errors.AddRange(problems);
                continue;
            }

            var ns = resource.Namespaced ? o.Namespace ?? request.Namespace : null;
            if (ns is not null && ObjectValidator.CheckNamespace(ns) is { } nsProblem)
            {
                errors.Add(new ManifestException("InvalidName", o.LocationOf(new[] { "metadata", "namespace" }), $"metadata.namespace: {nsProblem}"));
                continue;
            }

            var r = new Resolved(o, resource, ns);
            if (seen.TryGetValue(r.Key, out var first))
            {
                errors.Add(new ManifestException("DuplicateObject", o.Source, $"{o.Kind} '{o.Name}' is defined twice (first at {first.Source})."));
                continue;
            }

            seen[r.Key] = o;
            resolved.Add(r);
        }

        return resolved.OrderBy(r => InstallOrder.Rank(r.Source.Kind)).ToList();
    }

    private async Task<string> NotServedMessageAsync(ManifestObject o, CancellationToken ct)
    {
        if (o.Kind == "CustomResourceDefinition" && o.ApiVersion == "apiextensions.k8s.io/v1beta1")
        {
            return $"CustomResourceDefinition '{o.Name}' uses apiextensions.k8s.io/v1beta1, which the cluster at {_api.Server} does not serve (Kubernetes 1.22 and later serve only apiextensions.k8s.io/v1). This manifest is for an older Istio release; install a release made for this cluster.";
        }

        var served = await _mapper.ServesAsync(o.ApiVersion, ct).ConfigureAwait(false);
        return served
            ? $"kind '{o.Kind}' is not served by the cluster at {_api.Server} in {o.ApiVersion}, and no CustomResourceDefinition in the input defines it."
            : $"apiVersion '{o.ApiVersion}' (kind '{o.Kind}') is not served by the cluster at {_api.Server}, and no CustomResourceDefinition in the input defines it.";
    }

    /// <summary>
    /// The namespaces the objects go to that do not exist yet, or are being deleted (everything in a terminating
    /// namespace goes with it, and nothing new may be created there: it is created anew once gone).
    /// </summary>
    private async Task<(HashSet<string> Missing, Dictionary<string, JsonObject> Terminating)> MissingNamespacesAsync(List<Resolved> resolved, CancellationToken ct)
    {
        // Only namespaces the input's objects go to (installing a ConfigMap into default creates no istio-system).
        var needed = resolved.Select(r => r.Namespace).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var existing = await Task.WhenAll(needed.Select(ns => _reads.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, ns), ct))).ConfigureAwait(false);
        var terminating = needed.Select((ns, i) => (ns, live: existing[i])).Where(x => x.live?["metadata"]?["deletionTimestamp"] is not null)
            .ToDictionary(x => x.ns, x => x.live!, StringComparer.Ordinal);
        return (needed.Where((ns, i) => existing[i] is null || terminating.ContainsKey(ns)).ToHashSet(StringComparer.Ordinal), terminating);
    }

    /// <summary>
    /// One object: the server's dry-run answer, and its live state. An object the owned lists hold is dry-run as listed;
    /// one the lists of its kind show without IstioPS's label is read, then dry-run with the ownership and control-plane
    /// fields of what was read; one they do not show is dry-run as absent without a read (the server still validates and
    /// authorizes it before anything is written), and read only if the answer says it appeared meanwhile. An answer made
    /// from a newer version than the one read (written meanwhile) reads the object again and asks again.
    /// </summary>
    private async Task<PlannedObject> PlanObjectAsync(Resolved r, PlanRequest request, JsonObject? listed, bool exists, List<ManifestException> errors, CancellationToken ct)
    {
        var path = r.Resource.ObjectPath(r.Namespace, r.Source.Name);
        var live = listed ?? (exists ? await _api.TryGetAsync(path, ct).ConfigureAwait(false) : null);
        if (live?["metadata"]?["deletionTimestamp"] is not null)
        {
            // Being deleted: nothing to compare with; it is created anew once gone (PlannedObject.AfterDeletion).
            return Planned(r, PlanAction.Create, Prepare(r, request, Own.Created), live);
        }

        var ownership = live is null ? Own.Created : Own.Of(live) ?? Own.Adopted;
        var body = Prepare(r, request, ownership);
        var (status, answer, failure) = await DryRunAsync(r, body, new LiveObject(live), ct).ConfigureAwait(false);
        // Absent when listed but there now, or changed since it was listed (the answer carries the resourceVersion it
        // was made from; another writer, such as istiod taking its webhooks' caBundle, may have written meanwhile): read
        // it and ask again, so the answer is compared with the object it was made from.
        // A writer that keeps writing (istiod writes caBundle, then failurePolicy) is followed a few times.
        for (var attempt = 0; attempt < 3 && (live is null ? status == HttpStatusCode.OK : answer is not null && ResourceVersion(answer) != ResourceVersion(live)); attempt++)
        {
            live = await _api.TryGetAsync(path, ct).ConfigureAwait(false);
            body = Prepare(r, request, live is null ? Own.Created : Own.Of(live) ?? Own.Adopted);
            (status, answer, failure) = await DryRunAsync(r, body, new LiveObject(live), ct).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            if (live is not null && ImmutableFields(failure) is { Count: > 0 } fields)
            {
                var changes = fields.Select(f => new FieldChange(f, ObjectDiff.Text(At(live, f)), ObjectDiff.Text(At(body, f)))).ToList();
                return Planned(r, PlanAction.Recreate, body, live, changes);
            }

            if (failure.StatusCode == HttpStatusCode.NotFound)
            {
                return Planned(r, PlanAction.Create, body, live);
            }

            lock (errors) errors.Add(new ManifestException("ObjectRejected", r.Source.Source, $"{r.Source.Kind} '{r.Source.Name}' was refused by the API server (dry run): {failure.Message}"));
            return Planned(r, PlanAction.Create, body, live);
        }

        if (live is null || status == HttpStatusCode.Created)
        {
            return Planned(r, PlanAction.Create, body, live);
        }

        var diff = ObjectDiff.Changes(live, answer!);
        var action = !Own.IsOwned(live) ? PlanAction.Adopt : diff.Count == 0 ? PlanAction.Unchanged : PlanAction.Configure;
        return Planned(r, action, body, live, diff);
    }

    private static string? ResourceVersion(JsonObject obj) => (string?)obj["metadata"]?["resourceVersion"];

    private async Task<(HttpStatusCode Status, JsonObject? Answer, KubeApiException? Failure)> DryRunAsync(Resolved r, JsonObject body, LiveObject live, CancellationToken ct)
    {
        try
        {
            // Of an object found absent only the status is read: an answer of 200 (it appeared meanwhile) reads it and asks again.
            var (status, answer) = await _applier.DryRunAsync(body, r.Resource, r.Namespace, ct, live, answer: live.Object is not null).ConfigureAwait(false);
            return (status, answer, null);
        }
        catch (KubeApiException ex) when ((int)ex.StatusCode is >= 400 and < 500 and not 401 and not 403 and not 429 || ex.IsSchemaMismatch)
        {
            return (ex.StatusCode, null, ex);
        }
    }

    /// <summary>The fields a 422 names as immutable (spec.selector, spec.clusterIP, a StatefulSet's spec); empty for other refusals.</summary>
    private static List<string> ImmutableFields(KubeApiException failure)
    {
        if (failure.StatusCode != HttpStatusCode.UnprocessableEntity) return new List<string>();
        return failure.Causes
            .Where(c => c.Message.Contains("field is immutable", StringComparison.Ordinal) || c.Message.Contains("may not change once set", StringComparison.Ordinal)
                        || c.Message.Contains("updates to statefulset spec for fields other than", StringComparison.Ordinal))
            .Select(c => c.Field.Length == 0 ? "spec" : c.Field).Distinct().ToList();
    }

    /// <summary>The value at a dotted field path as the API server names it (spec.selector, spec.clusterIPs[0]).</summary>
    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            int? index = null;
            var bracket = part.IndexOf('[');
            if (bracket > 0 && part.EndsWith(']') && int.TryParse(part[(bracket + 1)..^1], out var i))
            {
                name = part[..bracket];
                index = i;
            }

            node = node is JsonObject o ? o[name] : null;
            if (index is { } at) node = node is JsonArray a && at < a.Count ? a[at] : null;
        }

        return node;
    }

    private static bool InPruneScope(JsonObject live, PlanRequest request)
        => Own.IsOurs(live, request.Revision)
           && KubeFormat.Label(live, Own.ComponentLabel) is { } component
           && request.Prune!.Components.Contains(component, StringComparer.OrdinalIgnoreCase);

    private static PlannedObject Planned(Resolved r, PlanAction action, JsonObject body, JsonObject? live, IReadOnlyList<FieldChange>? changes = null) => new()
    {
        Action = action,
        ApiVersion = r.Resource.ApiVersion,
        Kind = r.Resource.Kind,
        Namespace = r.Namespace,
        Name = r.Source.Name,
        Component = r.Source.Component,
        Source = r.Source.Source.ToString(),
        Changes = changes ?? Array.Empty<FieldChange>(),
        Resource = r.Resource,
        Body = body,
        Live = live,
        Rank = InstallOrder.Rank(r.Source.Kind),
    };

    /// <summary>
    /// The applied configuration: the input's object with the namespace resolved and IstioPS's labels and
    /// ownership annotation added. The dry run and the apply send exactly this.
    /// </summary>
    private static JsonObject Prepare(Resolved r, PlanRequest request, string ownership)
    {
        var body = r.Source.Body.DeepClone().AsObject();
        var meta = body["metadata"]!.AsObject();
        if (r.Namespace is null) meta.Remove("namespace");
        else meta["namespace"] = r.Namespace;
        var labels = Map(meta, "labels");
        labels[Own.ManagedByLabel] = Own.ManagedByValue;
        labels[Own.RevisionLabel] = Own.RevisionOf(r.Source.Component, request.Revision);
        if (r.Source.Component is { } component) labels[Own.ComponentLabel] = component;
        Map(meta, "annotations")[Own.Annotation] = ownership;
        return body;
    }

    private static JsonObject Map(JsonObject meta, string name)
    {
        if (meta[name] is JsonObject map) return map;
        map = new JsonObject();
        meta[name] = map;
        return map;
    }

    /// <summary>A namespace the install needs and creates: labelled and annotated as created by IstioPS.</summary>
    private static JsonObject NamespaceBody(string name, string revision) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject { [Own.ManagedByLabel] = Own.ManagedByValue, [Own.RevisionLabel] = revision },
            ["annotations"] = new JsonObject { [Own.Annotation] = Own.Created },
        },
    };
}
