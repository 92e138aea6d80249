using System.Diagnostics;
using System.Text.Json.Nodes;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;

namespace IstioPS.Engine.Install;

/// <summary>
/// The classic walkthrough in one call: namespace, CRDs (waiting until Established), everything
/// else in dependency order with server-side apply, then waiting until workloads are ready.
/// Everything is validated before the first write; -WhatIf (ShouldProcess answering no) writes nothing.
/// </summary>
public sealed class Installer
{
    public const string ManagedByLabel = Ownership.Ownership.ManagedByLabel;
    public const string RevisionLabel = Ownership.Ownership.RevisionLabel;

    private readonly KubeApi api;
    private readonly RestMapper mapper;

    public Installer(KubeApi api, RestMapper? mapper = null)
    {
        this.api = api;
        this.mapper = mapper ?? new RestMapper(api);
    }

    private sealed record PlannedObject(ManifestObject Source, ResourceInfo Resource, string? Namespace, int Rank)
    {
        public string Target => Namespace is null ? $"{Resource.DisplayKind}/{Source.Name}" : $"{Resource.DisplayKind}/{Source.Name} (namespace {Namespace})";
    }

    public async Task<InstallResult?> InstallAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var clock = request.Clock ?? Stopwatch.StartNew();
        var startRequests = api.RequestCount;
        var progress = callbacks.Progress;
        progress?.Report(new OperationProgress("Reading manifests", 0));
        var namespaceProblem = ObjectValidator.CheckNamespace(request.Namespace);
        if (namespaceProblem is not null)
        {
            throw new IstioPSException("InvalidNamespace", ErrorKind.InvalidArgument, namespaceProblem, request.Namespace);
        }

        if (request.ReleaseVersion is { } target)
        {
            await UpgradeCheck.CheckAsync(api, request.Namespace, request.Revision, target, request.Force, callbacks.Verbose, ct).ConfigureAwait(false);
        }

        // Namespaces and CRDs are (almost) always needed: ask discovery about them while the files are read.
        var prefetch = Task.WhenAll(mapper.FindAsync("v1", "Namespace", ct), mapper.FindAsync("apiextensions.k8s.io/v1", "CustomResourceDefinition", ct));
        var objects = new List<ManifestObject>(request.Objects);
        var errors = new List<ManifestException>();
        if (request.ManifestPaths.Count > 0)
        {
            var files = ManifestReader.ExpandPaths(request.ManifestPaths);
            var (read, readErrors) = ManifestReader.ReadFiles(files, ct: ct);
            objects.AddRange(read);
            errors.AddRange(readErrors);
            callbacks.Verbose?.Invoke($"Read {read.Count} objects from {files.Count} files.");
        }

        if (errors.Count == 0 && objects.Count == 0)
        {
            throw new IstioPSException("ManifestEmpty", ErrorKind.InvalidData, "The input holds no Kubernetes objects.", request.ManifestPaths.FirstOrDefault());
        }

        progress?.Report(new OperationProgress("Discovering the API", 2));
        await prefetch.ConfigureAwait(false);
        var plan = await PlanAsync(objects, request, errors, ct).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            throw ManifestException.Aggregate(errors);
        }

        callbacks.Verbose?.Invoke($"Planned {plan.Count} objects after {clock.ElapsedMilliseconds} ms.");
        // One question per object, all before the first write.
        var approved = plan.Where(p => callbacks.ShouldProcess(p.Target, "Server-side apply")).ToList();
        var applier = new Applier(api, request.Concurrency);
        var baselineTask = approved.Count > 0 ? applier.BaselineAsync(ct) : Task.FromResult<long?>(null);
        var missingNamespaces = await MissingNamespacesAsync(plan, ct).ConfigureAwait(false);
        var createNamespaces = missingNamespaces.Where(ns => callbacks.ShouldProcess($"namespace/{ns}", "Create namespace")).ToList();
        if (approved.Count == 0 && createNamespaces.Count == 0)
        {
            return null;
        }

        var results = new List<AppliedObject>();
        var total = approved.Count + createNamespaces.Count;
        void Done(AppliedObject o)
        {
            int count;
            lock (results)
            {
                results.Add(o);
                count = results.Count;
            }

            callbacks.Applied?.Invoke(o);
            callbacks.Verbose?.Invoke($"{o.Kind.ToLowerInvariant()}/{o.Name}{(o.Namespace is null ? "" : $" ({o.Namespace})")} {o.Action.ToString().ToLowerInvariant()}");
            progress?.Report(new OperationProgress($"Applying objects: {count} of {total}", 5 + (count * 60 / Math.Max(1, total)), $"{o.Kind}/{o.Name}"));
        }

        var baseline = await baselineTask.ConfigureAwait(false);
        var waiter = new ReadinessWaiter(api);
        var deadline = DateTimeOffset.UtcNow + request.Timeout;
        TimeSpan Remaining() => deadline - DateTimeOffset.UtcNow is var r && r > TimeSpan.Zero ? r : TimeSpan.FromMilliseconds(1);

        // Namespaces and CRDs first (side by side: CRDs are cluster-scoped). The CRDs' watch starts before they
        // are applied, and while they become Established everything that does not use them goes on; their
        // custom resources wait for it.
        var namespacesReady = CreateNamespacesAsync();
        var crds = approved.Where(p => p.Source.Kind == "CustomResourceDefinition").ToList();
        var customKinds = crds.SelectMany(c => RestMapper.FromCrd(c.Source.Body)).ToList();
        var isCustom = customKinds.Select(r => (r.Group, r.Kind)).ToHashSet();
        using var crdWatch = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var crdsReady = Task.CompletedTask;
        var waited = false;
        try
        {
            if (crds.Count > 0)
            {
                crdsReady = WaitForCrdsAsync();
                progress?.Report(new OperationProgress($"Applying {crds.Count} CustomResourceDefinitions", 5));
                await ApplyGroupAsync(applier, crds, request, baseline, Done, ct).ConfigureAwait(false);
                callbacks.Verbose?.Invoke($"{crds.Count} CustomResourceDefinitions applied after {clock.ElapsedMilliseconds} ms.");
            }

            await namespacesReady.ConfigureAwait(false);

            var rest = approved.Where(p => p.Rank > 1).ToList();
            var components = request.ComponentOrder is { Count: > 0 } order
                ? order.Select(c => rest.Where(p => string.Equals(p.Source.Component, c, StringComparison.OrdinalIgnoreCase)).ToList())
                    .Append(rest.Where(p => !order.Contains(p.Source.Component ?? "", StringComparer.OrdinalIgnoreCase)).ToList())
                    .Where(g => g.Count > 0).ToList()
                : new List<List<PlannedObject>> { rest };
            foreach (var component in components)
            {
                foreach (var group in component.GroupBy(p => InstallOrder.Tier(p.Source.Kind)).OrderBy(g => g.Key))
                {
                    var custom = group.Where(p => isCustom.Contains((p.Resource.Group, p.Resource.Kind))).ToList();
                    await ApplyGroupAsync(applier, group.Except(custom), request, baseline, Done, ct).ConfigureAwait(false);
                    if (custom.Count > 0)
                    {
                        await crdsReady.ConfigureAwait(false);
                        await ApplyGroupAsync(applier, custom, request, baseline, Done, ct).ConfigureAwait(false);
                    }
                }

                if (!request.NoWait)
                {
                    var targets = component.Where(p => WorkloadStatus.IsWorkload(p.Resource.Kind))
                        .Select(p => new WaitTarget(p.Resource, p.Namespace ?? request.Namespace, p.Source.Name)).ToList();
                    if (targets.Count > 0)
                    {
                        var name = component[0].Source.Component;
                        progress?.Report(new OperationProgress($"Waiting for {targets.Count} workloads{(name is null ? "" : $" of {name}")}", 70));
                        await waiter.WaitForWorkloadsAsync(targets, Remaining(), progress, ct).ConfigureAwait(false);
                        waited = true;
                    }
                }
            }

            await crdsReady.ConfigureAwait(false);
        }
        finally
        {
            if (!crdsReady.IsCompleted) crdWatch.Cancel();
        }

        async Task CreateNamespacesAsync()
        {
            await Task.WhenAll(createNamespaces.Select(async ns => Done(await CreateNamespaceAsync(ns, request, ct).ConfigureAwait(false)))).ConfigureAwait(false);
            await ApplyGroupAsync(applier, approved.Where(p => p.Rank == 0), request, baseline, Done, ct).ConfigureAwait(false);
        }

        async Task WaitForCrdsAsync()
        {
            await waiter.WaitForCrdsAsync(crds.Select(c => c.Source.Name).ToList(), Remaining(), progress, crdWatch.Token).ConfigureAwait(false);
            callbacks.Verbose?.Invoke($"{crds.Count} CustomResourceDefinitions established after {clock.ElapsedMilliseconds} ms.");
            foreach (var gv in customKinds.Select(r => r.ApiVersion).Distinct()) mapper.Invalidate(gv);
        }

        callbacks.Verbose?.Invoke($"{results.Count} objects applied{(waited ? " and ready" : "")} after {clock.ElapsedMilliseconds} ms, {api.RequestCount - startRequests} requests.");
        progress?.Report(new OperationProgress("Done", 100));
        var ordered = results.OrderBy(r => InstallOrder.Rank(r.Kind)).ThenBy(r => r.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        return new InstallResult
        {
            // The namespaces the objects really went to, not the -Namespace default.
            Namespace = string.Join(", ", ordered.Select(r => r.Namespace).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            Server = api.Server.ToString(),
            Revision = request.Revision,
            Objects = ordered,
            Waited = waited,
            Duration = clock.Elapsed,
            Requests = api.RequestCount - startRequests,
        };
    }

    /// <summary>Resolves every object to a served resource and checks names; adds every problem to <paramref name="errors"/>.</summary>
    private async Task<List<PlannedObject>> PlanAsync(List<ManifestObject> objects, InstallRequest request, List<ManifestException> errors, CancellationToken ct)
    {
        // Kinds the manifest's own CRDs define need no discovery.
        foreach (var crd in objects.Where(o => o.Kind == "CustomResourceDefinition"))
        {
            foreach (var info in RestMapper.FromCrd(crd.Body)) mapper.Learn(info);
        }

        // Ask discovery about each group-version once, concurrently.
        var lookups = objects.Select(o => (o.ApiVersion, o.Kind)).Distinct().ToList();
        var resolved = await Task.WhenAll(lookups.Select(async l => (l, await mapper.FindAsync(l.ApiVersion, l.Kind, ct).ConfigureAwait(false)))).ConfigureAwait(false);
        var map = resolved.ToDictionary(r => r.l, r => r.Item2);

        var plan = new List<PlannedObject>();
        var seen = new Dictionary<(string, string, string?, string), ManifestObject>();
        foreach (var o in objects)
        {
            var resource = map[(o.ApiVersion, o.Kind)];
            if (resource is null)
            {
                errors.Add(new ManifestException("KindNotServed", o.Source, await NotServedMessageAsync(o, ct).ConfigureAwait(false)));
                continue;
            }

            var problems = ObjectValidator.CheckObject(o.Body);
            if (problems.Count > 0)
            {
                errors.AddRange(problems.Select(p => new ManifestException(p.ErrorId, o.Source, p.Message)));
                continue;
            }

            var ns = resource.Namespaced ? o.Namespace ?? request.Namespace : null;
            if (ns is not null && ObjectValidator.CheckNamespace(ns) is { } nsProblem)
            {
                errors.Add(new ManifestException("InvalidName", o.Source, $"metadata.namespace: {nsProblem}"));
                continue;
            }

            var key = (resource.Group, resource.Kind, ns, o.Name);
            if (seen.TryGetValue(key, out var first))
            {
                errors.Add(new ManifestException("DuplicateObject", o.Source, $"{o.Kind} '{o.Name}' is defined twice (first at {first.Source})."));
                continue;
            }

            seen[key] = o;
            plan.Add(new PlannedObject(o, resource, ns, InstallOrder.Rank(o.Kind)));
        }

        return plan.OrderBy(p => p.Rank).ToList();
    }

    private async Task<string> NotServedMessageAsync(ManifestObject o, CancellationToken ct)
    {
        if (o.Kind == "CustomResourceDefinition" && o.ApiVersion == "apiextensions.k8s.io/v1beta1")
        {
            return $"CustomResourceDefinition '{o.Name}' uses apiextensions.k8s.io/v1beta1, which the cluster at {api.Server} does not serve (Kubernetes 1.22 and later serve only apiextensions.k8s.io/v1). This manifest is for an older Istio release; install a release made for this cluster.";
        }

        var served = await mapper.ServesAsync(o.ApiVersion, ct).ConfigureAwait(false);
        return served
            ? $"kind '{o.Kind}' is not served by the cluster at {api.Server} in {o.ApiVersion}, and no CustomResourceDefinition in the input defines it."
            : $"apiVersion '{o.ApiVersion}' (kind '{o.Kind}') is not served by the cluster at {api.Server}, and no CustomResourceDefinition in the input defines it.";
    }

    private async Task<List<string>> MissingNamespacesAsync(List<PlannedObject> plan, CancellationToken ct)
    {
        var inManifest = plan.Where(p => p.Source.Kind == "Namespace").Select(p => p.Source.Name).ToHashSet(StringComparer.Ordinal);
        // Only namespaces the input's objects go to (installing a ConfigMap into default creates no istio-system).
        var needed = plan.Select(p => p.Namespace).OfType<string>().Distinct(StringComparer.Ordinal).Where(n => !inManifest.Contains(n)).ToList();
        var existing = await Task.WhenAll(needed.Select(ns => api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, ns), ct))).ConfigureAwait(false);
        var missing = needed.Where((ns, i) => existing[i] is null).ToList();
        return missing;
    }

    private async Task<AppliedObject> CreateNamespaceAsync(string name, InstallRequest request, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Namespace",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = Labels(request), ["annotations"] = OwnershipAnnotation() },
        };
        try
        {
            var (_, live) = await api.WriteAsync(HttpMethod.Post, ResourceInfo.Namespaces.CollectionPath(null) + $"?fieldManager={Applier.FieldManager}", body, "application/json", ct, $"namespace/{name}").ConfigureAwait(false);
            return new AppliedObject { ApiVersion = "v1", Kind = "Namespace", Name = name, Action = ApplyAction.Created, ResourceVersion = (string?)live["metadata"]?["resourceVersion"] };
        }
        catch (KubeApiException ex) when (ex.ErrorId == "AlreadyExists")
        {
            return new AppliedObject { ApiVersion = "v1", Kind = "Namespace", Name = name, Action = ApplyAction.Unchanged };
        }
    }

    private async Task ApplyGroupAsync(Applier applier, IEnumerable<PlannedObject> group, InstallRequest request, long? baseline, Action<AppliedObject> done, CancellationToken ct)
    {
        await applier.ForEachAsync(group, async (p, token) =>
        {
            var body = Prepare(p, request);
            var (result, _) = await applier.ApplyAsync(body, p.Resource, p.Namespace, baseline, p.Source.Component, p.Source.Source.ToString(), token).ConfigureAwait(false);
            done(result);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The body to apply: the manifest's object with the namespace resolved and IstioPS's labels added.</summary>
    private static JsonObject Prepare(PlannedObject p, InstallRequest request)
    {
        var body = p.Source.Body.DeepClone().AsObject();
        var meta = body["metadata"]!.AsObject();
        if (p.Namespace is null) meta.Remove("namespace");
        else meta["namespace"] = p.Namespace;
        if (meta["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            meta["labels"] = labels;
        }

        foreach (var (k, v) in Labels(request, p.Source.Component)) labels[k] = v?.DeepClone();
        if (meta["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            meta["annotations"] = annotations;
        }

        foreach (var (k, v) in OwnershipAnnotation()) annotations[k] = v?.DeepClone();
        return body;
    }

    /// <summary>The revision an object belongs to: Istio's base (CRDs, shared RBAC) belongs to every revision.</summary>
    public static string RevisionOf(string? component, string revision) => component == "Base" ? SharedRevision : revision;

    public const string SharedRevision = Ownership.Ownership.SharedRevision;

    /// <summary>
    /// The ownership annotation on what the install applies. For now every applied object is marked created;
    /// telling created from pre-existing (and -Adopt) belongs to the plan stage.
    /// </summary>
    private static JsonObject OwnershipAnnotation() => new() { [Ownership.Ownership.Annotation] = Ownership.Ownership.Created };

    private static JsonObject Labels(InstallRequest request, string? component = null) => new()
    {
        [ManagedByLabel] = "istiops",
        [RevisionLabel] = RevisionOf(component, request.Revision),
    };
}
