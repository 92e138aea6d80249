using System.Diagnostics;
using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;
using IstioPS.Engine.Plan;
using IstioPS.Engine.Prerequisites;

using IstioPS.Engine.Wait;

namespace IstioPS.Engine.Install;

/// <summary>
/// Install in four stages: sources (the objects, read or rendered), plan (validate, discover, order and ask
/// the API server per object what the apply would change), apply (namespaces, CRDs waited until Established,
/// components in dependency order, prunes last) and wait (workloads ready, component by component).
/// Nothing is written when any part of the input is invalid, or when the plan would take over or recreate
/// objects without -Adopt or -Force; -WhatIf (ShouldProcess answering no) writes nothing.
/// </summary>
public sealed class Installer
{
    public const string ManagedByLabel = Ownership.Ownership.ManagedByLabel;
    public const string RevisionLabel = Ownership.Ownership.RevisionLabel;

    private readonly KubeApi _api;
    private readonly RestMapper _mapper;

    public Installer(KubeApi api, RestMapper? mapper = null)
    {
        _api = api;
        _mapper = mapper ?? new RestMapper(api);
    }

    /// <summary>
    /// Starts what the plan of an install into <paramref name="ns"/> reads first, without waiting, so it overlaps the
    /// render: discovery of every kind IstioPS installs (and CRDs) and, with <paramref name="lists"/> (a release, whose
    /// plan lists those kinds whatever it renders), the survey's lists of them and the namespace. The plan's lookups
    /// find the answers there or in flight (pass the result as <see cref="InstallRequest.Reads"/>).
    /// </summary>
    public static SurveyReads ReadAhead(KubeApi api, string ns, bool lists, CancellationToken ct) => SurveyReads.ReadAhead(api, ns, lists, ct);

    /// <summary>The plan of an install: what each object would become. Sends only reads and dry runs.</summary>
    public async Task<InstallPlan> PlanAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var (planRequest, survey) = await SurveyAsync(request, callbacks, ct).ConfigureAwait(false);
        return await PlanAsync(planRequest, survey, callbacks, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The prerequisites of an install (Test-IstioPrerequisite): the sources read, the plan's writes surveyed, and the
    /// cluster checked against both. Sends only reads and SelfSubjectAccessReviews.
    /// </summary>
    public async Task<IReadOnlyList<PrerequisiteFinding>> CheckPrerequisitesAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var (planRequest, survey) = await SurveyAsync(request, callbacks, ct).ConfigureAwait(false);
        callbacks.Progress?.Report(new OperationProgress("Checking the prerequisites", 50));
        return await PrerequisitesAsync(request, planRequest, survey, ct).ConfigureAwait(false);
    }

    /// <summary>The sources read (manifest files here, so their problems are reported with the rest) and the plan's survey.</summary>
    private async Task<(PlanRequest, PlanSurvey)> SurveyAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        callbacks.Progress?.Report(new OperationProgress("Reading manifests", 0));
        // Ask discovery about every kind the plan will need (namespaces, CRDs, the rendered objects' kinds and those a
        // prune lists) in one round trip, while the files are read.
        var prefetch = Task.WhenAll(PrefetchKinds(request).Select(k => _mapper.FindAsync(k.ApiVersion, k.Kind, ct)));
        var objects = new List<ManifestObject>(request.Objects);
        var errors = new List<ManifestException>();
        if (request.ManifestPaths.Count > 0)
        {
            var files = ManifestReader.ExpandPaths(request.ManifestPaths, request.Recurse);
            var (read, readErrors) = ManifestReader.ReadFiles(files, ct: ct);
            objects.AddRange(read);
            errors.AddRange(readErrors);
            callbacks.Verbose?.Invoke($"Read {read.Count} objects from {files.Count} files.");
        }

        await prefetch.ConfigureAwait(false);
        var planRequest = new PlanRequest
        {
            Objects = objects,
            SourceErrors = errors,
            Namespace = request.Namespace,
            Revision = request.Revision,
            Prune = request.NoPrune ? null : request.Prune,
            Concurrency = request.Concurrency,
            InputName = request.ManifestPaths.FirstOrDefault(),
        };
        return (planRequest, await new Planner(_api, _mapper, request.Reads).SurveyAsync(planRequest, callbacks.Progress, ct).ConfigureAwait(false));
    }

    private async Task<InstallPlan> PlanAsync(PlanRequest planRequest, PlanSurvey survey, OperationCallbacks callbacks, CancellationToken ct)
    {
        var plan = await new Planner(_api, _mapper).PlanAsync(planRequest, callbacks.Progress, ct, survey).ConfigureAwait(false);
        callbacks.Verbose?.Invoke($"Planned {plan.Objects.Count} objects: " + string.Join(", ", plan.Objects.GroupBy(o => o.Action).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")) + ".");
        return plan;
    }

    private Task<IReadOnlyList<PrerequisiteFinding>> PrerequisitesAsync(InstallRequest request, PlanRequest planRequest, PlanSurvey survey, CancellationToken ct)
    {
        return new PrerequisiteChecker(_api).CheckAsync(new PrerequisiteRequest
        {
            Namespace = request.Namespace,
            Revision = request.Revision,
            ReleaseVersion = request.ReleaseVersion,
            ReleasePath = request.ReleasePath,
            Objects = planRequest.Objects,
            Writes = survey.Writes.Concat(WaitReads(survey, request.NoWait)).ToList(),
            Force = request.Force,
        }, ct);
    }

    /// <summary>
    /// The reads the install's waits make, asked about with its writes: a user who may write but not watch would
    /// otherwise find out after everything is written. CRDs are watched until Established and (unless -NoWait) the
    /// workloads until ready, each listed again when the server has compacted the watch's resource version (410).
    /// </summary>
    private static IEnumerable<PlannedWrite> WaitReads(PlanSurvey survey, bool noWait) => survey.Resolved
        .Where(r => r.Resource.Kind == "CustomResourceDefinition" || (!noWait && WorkloadStatus.IsWorkload(r.Resource.Kind)))
        .SelectMany(r => new[] { "watch", "list" }.Select(verb => new PlannedWrite(verb, r.Resource, r.Resource.Namespaced ? r.Namespace : null, r.Source.Name)));

    public async Task<InstallResult?> InstallAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var clock = request.Clock ?? Stopwatch.StartNew();
        var startRequests = _api.RequestCount;
        var progress = callbacks.Progress;
        // The upgrade check, the prerequisite check and the plan only read (and dry-run or ask), so they go out
        // together; all end before the first write. Their verdicts come first, in that order: a refused upgrade, then
        // every prerequisite error, stops the install here, whatever the plan ran into meanwhile (a user denied a write
        // fails its dry run too), and the plan is cancelled. Prerequisite warnings are said and the install goes on.
        using var planning = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var surveyed = SurveyAsync(request, callbacks, planning.Token);
        var planTask = PlanAfterAsync();
        var prerequisites = request.SkipPrerequisiteCheck ? null : PrerequisitesAfterAsync();
        try
        {
            if (request.ReleaseVersion is { } target)
            {
                await UpgradeCheck.CheckAsync(_api, request.Namespace, request.Revision, target, request.Force, callbacks.Verbose, ct).ConfigureAwait(false);
            }

            if (prerequisites is not null)
            {
                var findings = await prerequisites.ConfigureAwait(false);
                foreach (var f in findings)
                {
                    if (f.Severity == FindingSeverity.Warning) callbacks.Warning?.Invoke($"{f.Code}: {f.Message} {f.Remedy}".TrimEnd());
                    else if (f.Severity == FindingSeverity.Info) callbacks.Verbose?.Invoke($"{f.Code}: {f.Message}");
                }

                var failed = findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
                if (failed.Count > 0) throw new PrerequisiteException(failed);
                callbacks.Verbose?.Invoke($"Prerequisites checked after {clock.ElapsedMilliseconds} ms.");
            }
        }
        catch
        {
            // The refusal (or the check's own failure) is what is reported: the plan stops, and its end is awaited.
            planning.Cancel();
            await Ended(Task.WhenAll(planTask, prerequisites ?? Task.CompletedTask)).ConfigureAwait(false);
            throw;
        }

        var plan = await planTask.ConfigureAwait(false);
        callbacks.Verbose?.Invoke($"Planned after {clock.ElapsedMilliseconds} ms.");

        async Task<InstallPlan> PlanAfterAsync()
        {
            var (planRequest, survey) = await surveyed.ConfigureAwait(false);
            return await PlanAsync(planRequest, survey, callbacks, planning.Token).ConfigureAwait(false);
        }

        async Task<IReadOnlyList<PrerequisiteFinding>> PrerequisitesAfterAsync()
        {
            var (planRequest, survey) = await surveyed.ConfigureAwait(false);
            return await PrerequisitesAsync(request, planRequest, survey, ct).ConfigureAwait(false);
        }

        CheckGates(plan, request);
        await CheckRecreatePermissionAsync(plan, request, ct).ConfigureAwait(false);

        // One question per object, all before the first write; unchanged objects are only described (under -WhatIf).
        var approved = new List<PlannedObject>();
        var declined = false;
        foreach (var p in plan.Objects)
        {
            if (p.Action == PlanAction.Unchanged)
            {
                if (callbacks.WhatIf) callbacks.ShouldProcess(p.Target, "Unchanged (nothing to write)");
                continue;
            }

            if (callbacks.ShouldProcess(p.Target, p.Describe)) approved.Add(p);
            else declined = true;
        }

        if (declined && approved.Count == 0)
        {
            return null;
        }

        var approvedSet = approved.ToHashSet();
        var results = plan.With(PlanAction.Unchanged).Select(p => Result(p, ApplyAction.Unchanged)).ToList();
        var applier = new Applier(_api, request.Concurrency);
        var waiter = new ReadinessWaiter(_api);
        var deadline = DateTimeOffset.UtcNow + request.Timeout;
        TimeSpan Remaining() => deadline - DateTimeOffset.UtcNow is var r && r > TimeSpan.Zero ? r : TimeSpan.FromMilliseconds(1);

        var writes = approved.Where(p => p.Action != PlanAction.Prune).ToList();
        // Namespaces and CRDs first (side by side: CRDs are cluster-scoped). The CRDs' watch starts before they
        // are applied, and while they are applied and become Established accounts, RBAC, configuration and webhooks go
        // on as soon as the namespaces exist; workloads and custom resources wait for it, and a CRD refused stops the
        // install before the next tier.
        async Task ApplyAsync(IEnumerable<PlannedObject> group, string activity)
        {
            var written = await applier.RunAsync(group.ToList(), p => p.Target, (p, token) => WriteAsync(p, Remaining(), token), callbacks, activity, ct, percent: (30, 70)).ConfigureAwait(false);
            lock (results) results.AddRange(written);
        }

        var namespacesReady = ApplyAsync(writes.Where(p => p.Rank == 0), "Creating namespaces");
        var crds = writes.Where(p => p.Kind == "CustomResourceDefinition").ToList();
        var customKinds = crds.SelectMany(c => RestMapper.FromCrd(c.Body!)).ToList();
        var isCustom = customKinds.Select(r => (r.Group, r.Kind)).ToHashSet();
        using var crdWatch = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var crdsReady = Task.CompletedTask;
        var waited = false;
        // Without waiting there is nothing to wait for between components: each tier of every component goes out together.
        var components = ComponentGroups(plan.Objects.Where(p => p.Rank > 1 && p.Action != PlanAction.Prune).ToList(), request.NoWait ? null : request.ComponentOrder);
        var applied = 0;
        try
        {
            if (crds.Count > 0)
            {
                progress?.Report(new OperationProgress($"Applying {crds.Count} CustomResourceDefinitions", 30));
                crdsReady = ApplyCrdsAsync();
            }

            await namespacesReady.ConfigureAwait(false);
            foreach (var component in components)
            {
                foreach (var group in component.Where(approvedSet.Contains).GroupBy(p => InstallOrder.Tier(p.Kind)).OrderBy(g => g.Key))
                {
                    if (crdsReady.IsFaulted) await crdsReady.ConfigureAwait(false);
                    // No workload starts before the CRDs are Established: istiod watches them from its first moment.
                    if (group.Key >= InstallOrder.WorkloadTier) await crdsReady.ConfigureAwait(false);
                    var custom = group.Where(p => isCustom.Contains((p.Resource.Group, p.Resource.Kind))).ToList();
                    await ApplyAsync(group.Except(custom), $"Applying {component[0].Component ?? "objects"}").ConfigureAwait(false);
                    if (custom.Count > 0)
                    {
                        await crdsReady.ConfigureAwait(false);
                        await ApplyAsync(custom, $"Applying {component[0].Component ?? "objects"}").ConfigureAwait(false);
                    }
                }

                applied++;
                if (!request.NoWait)
                {
                    var targets = component.Where(p => WorkloadStatus.IsWorkload(p.Kind) && (approvedSet.Contains(p) || p.Action == PlanAction.Unchanged))
                        .Select(p => new WaitTarget(p.Resource, p.Namespace ?? request.Namespace, p.Name)).ToList();
                    if (targets.Count > 0)
                    {
                        var name = component[0].Component;
                        progress?.Report(new OperationProgress($"Waiting for {targets.Count} workloads{(name is null ? "" : $" of {name}")}", 70));
                        await waiter.WaitForWorkloadsAsync(targets, Remaining(), progress, ct).ConfigureAwait(false);
                        waited = true;
                    }
                }
            }

            await crdsReady.ConfigureAwait(false);
        }
        catch (NotReadyException ex) when (ex.ErrorId == "InstallTimeout")
        {
            throw TimedOut(ex, request, components.Skip(applied).Select(c => c[0].Component).OfType<string>().Distinct().ToList());
        }
        finally
        {
            if (!crdsReady.IsCompleted)
            {
                // Stopped early: the CRDs' watch ends and their writes still in flight are awaited (their errors are not what is reported).
                crdWatch.Cancel();
                await Ended(crdsReady).ConfigureAwait(false);
            }
        }

        var prunes = approved.Where(p => p.Action == PlanAction.Prune).ToList();
        if (prunes.Count > 0)
        {
            results.AddRange(await applier.RunAsync(prunes, p => p.Target, async (p, token) =>
            {
                var deleted = await applier.DeleteAsync(p.Resource, p.Namespace, p.Name, token).ConfigureAwait(false);
                return Result(p, deleted.Action == ApplyAction.Deleted ? ApplyAction.Pruned : ApplyAction.NotFound);
            }, callbacks, "Deleting what the input no longer has", ct, percent: (90, 99)).ConfigureAwait(false));
        }

        // The CRDs applied, then Established (their watch started first, so no event is missed).
        async Task ApplyCrdsAsync()
        {
            var established = WaitForCrdsAsync();
            try
            {
                await ApplyAsync(crds, "Applying CustomResourceDefinitions").ConfigureAwait(false);
            }
            catch
            {
                crdWatch.Cancel();
                await Ended(established).ConfigureAwait(false);
                throw;
            }

            callbacks.Verbose?.Invoke($"{crds.Count} CustomResourceDefinitions applied after {clock.ElapsedMilliseconds} ms.");
            await established.ConfigureAwait(false);
        }

        async Task WaitForCrdsAsync()
        {
            await waiter.WaitForCrdsAsync(crds.Select(c => c.Name).ToList(), Remaining(), progress, crdWatch.Token).ConfigureAwait(false);
            callbacks.Verbose?.Invoke($"{crds.Count} CustomResourceDefinitions established after {clock.ElapsedMilliseconds} ms.");
            foreach (var gv in customKinds.Select(r => r.ApiVersion).Distinct()) _mapper.Invalidate(gv);
        }

        callbacks.Verbose?.Invoke($"{results.Count} objects applied{(waited ? " and ready" : "")} after {clock.ElapsedMilliseconds} ms, {_api.RequestCount - startRequests} requests.");
        progress?.Report(new OperationProgress("Done", 100));
        var ordered = results.OrderBy(r => InstallOrder.Rank(r.Kind)).ThenBy(r => r.Kind, StringComparer.Ordinal)
            .ThenBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        return new InstallResult
        {
            // The namespaces the objects really went to, not the -Namespace default.
            Namespace = string.Join(", ", ordered.Select(r => r.Namespace).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
            Server = _api.Server.ToString(),
            Revision = request.Revision,
            Objects = ordered,
            Waited = waited,
            Duration = clock.Elapsed,
            Requests = _api.RequestCount - startRequests,
        };
    }

    /// <summary>The end of a task whose failure is not what is reported (observed, not thrown).</summary>
    private static Task Ended(Task task) => task.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>The kinds a plan of <paramref name="request"/> asks discovery about, as far as they are known before the files are read.</summary>
    private static IEnumerable<(string ApiVersion, string Kind)> PrefetchKinds(InstallRequest request)
    {
        var kinds = new[] { ("v1", "Namespace"), ("apiextensions.k8s.io/v1", "CustomResourceDefinition") }
            .Concat(request.Objects.Select(o => (o.ApiVersion, o.Kind)));
        if (!request.NoPrune && request.Prune is not null) kinds = kinds.Concat(Ownership.Ownership.InstalledKinds);
        // Kinds the input's CRDs define are not served yet: the planner learns them from the CRDs.
        var custom = request.Objects.Where(o => o.Kind == "CustomResourceDefinition").SelectMany(c => RestMapper.FromCrd(c.Body)).Select(r => (r.ApiVersion, r.Kind)).ToHashSet();
        return kinds.Where(k => !custom.Contains(k)).Distinct();
    }

    /// <summary>Stops before the first write when the plan takes over objects without -Adopt or recreates them without -Force.</summary>
    private static void CheckGates(InstallPlan plan, InstallRequest request)
    {
        var adopt = plan.With(PlanAction.Adopt).ToList();
        if (adopt.Count > 0 && !request.Adopt)
        {
            throw new IstioPSException("ObjectNotOwned", ErrorKind.ResourceExists,
                $"{adopt.Count} object(s) of the input exist already and were not created by IstioPS; nothing was written. "
                + $"Use -Adopt to take them over (when moving from istioctl or Helm):{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", adopt.Select(p => p.Target + (p.Source is null ? "" : $" ({p.Source})"))), adopt[0].Target);
        }

        var recreate = plan.With(PlanAction.Recreate).ToList();
        if (recreate.Count > 0 && !request.Force)
        {
            throw new IstioPSException("RecreateRequired", ErrorKind.InvalidOperation,
                $"{recreate.Count} object(s) change fields the API server does not allow to change; nothing was written. "
                + $"Use -Force to delete and create them again:{Environment.NewLine}  "
                + string.Join(Environment.NewLine + "  ", recreate.Select(p => $"{p.Target}: {string.Join("; ", p.Changes)}")), recreate[0].Target);
        }
    }

    /// <summary>
    /// -Force deletes what it recreates: the prerequisite check, made beside the plan, could not know which objects
    /// those are, so their deletes are asked about now, before the first write (none when nothing is recreated).
    /// </summary>
    private async Task CheckRecreatePermissionAsync(InstallPlan plan, InstallRequest request, CancellationToken ct)
    {
        if (request.SkipPrerequisiteCheck) return;
        var deletes = plan.With(PlanAction.Recreate).Select(p => new PlannedWrite("delete", p.Resource, p.Namespace, p.Name)).ToList();
        if (deletes.Count == 0) return;
        var denied = (await PermissionCheck.CheckWritesAsync(_api, deletes, ct).ConfigureAwait(false)).Where(f => f.Severity == FindingSeverity.Error).ToList();
        if (denied.Count > 0) throw new PrerequisiteException(denied);
    }

    /// <summary>The objects by component in install order (objects of no component or an unknown one last).</summary>
    private static List<List<PlannedObject>> ComponentGroups(List<PlannedObject> objects, IReadOnlyList<string>? order)
        => order is { Count: > 0 }
            ? order.Select(c => objects.Where(p => string.Equals(p.Component, c, StringComparison.OrdinalIgnoreCase)).ToList())
                .Append(objects.Where(p => !order.Contains(p.Component ?? "", StringComparer.OrdinalIgnoreCase)).ToList())
                .Where(g => g.Count > 0).ToList()
            : objects.Count > 0 ? new List<List<PlannedObject>> { objects } : new List<List<PlannedObject>>();

    private static NotReadyException TimedOut(NotReadyException ex, InstallRequest request, IReadOnlyList<string> neverApplied)
        => new(ex.ErrorId,
            $"-Timeout {ReadinessWaiter.FormatDuration(request.Timeout)} ran out. {ex.Message}"
            + (neverApplied.Count > 0 ? $"{Environment.NewLine}Never applied (waiting for the components before them): {string.Join(", ", neverApplied)}." : ""),
            ex.NotReady);

    /// <summary>
    /// One write of a planned object: a namespace created, a recreated object deleted and waited for until it is gone
    /// (within <paramref name="timeout"/>), the rest applied.
    /// </summary>
    private async Task<AppliedObject> WriteAsync(PlannedObject p, TimeSpan timeout, CancellationToken ct)
    {
        var applier = new Applier(_api);
        if (p.AfterDeletion)
        {
            // A namespace terminating, or an object its finalizers hold: created anew once gone.
            await new ReadinessWaiter(_api).WaitGoneAsync(p.Resource, p.Namespace, p.Name, KubeFormat.Uid(p.Live!), timeout, "StillBeingDeleted", ct).ConfigureAwait(false);
        }

        if (p.Kind == "Namespace" && p.Source is null)
        {
            return await applier.CreateNamespaceAsync(p.Body!, ct).ConfigureAwait(false);
        }

        if (p.Action == PlanAction.Recreate)
        {
            // An object with finalizers (a LoadBalancer Service on a cloud cluster) outlives its delete, marked for
            // deletion: applied to then, the apply would configure the dying object and the finalizer would take it away.
            await applier.DeleteAsync(p.Resource, p.Namespace, p.Name, ct).ConfigureAwait(false);
            await new ReadinessWaiter(_api).WaitGoneAsync(p.Resource, p.Namespace, p.Name, p.Live is null ? null : KubeFormat.Uid(p.Live), timeout, "RecreateTimeout", ct).ConfigureAwait(false);
        }

        // An object the plan found absent holds no control-plane fields to yield (nothing to read first).
        var known = p.Action == PlanAction.Create && (p.Live is null || p.AfterDeletion) ? new LiveObject(null) : (LiveObject?)null;
        var resourceVersion = await applier.ApplyAsync(p.Body!, p.Resource, p.Namespace, ct, known).ConfigureAwait(false);
        return Result(p, p.Action switch
        {
            PlanAction.Create => ApplyAction.Created,
            PlanAction.Adopt => ApplyAction.Adopted,
            PlanAction.Recreate => ApplyAction.Recreated,
            _ => ApplyAction.Configured,
        }, resourceVersion);
    }

    private static AppliedObject Result(PlannedObject p, ApplyAction action, string? resourceVersion = null) => new()
    {
        ApiVersion = p.ApiVersion,
        Kind = p.Kind,
        Namespace = p.Namespace,
        Name = p.Name,
        Action = action,
        Component = p.Component,
        Source = p.Source,
        ResourceVersion = resourceVersion,
    };
}
