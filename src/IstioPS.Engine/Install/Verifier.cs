using IstioPS.Engine.Apply;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Plan;

namespace IstioPS.Engine.Install;

public enum DifferenceKind
{
    /// <summary>Not in the cluster (the plan would create it).</summary>
    Missing,
    /// <summary>In the cluster with other values (the plan would configure, recreate or adopt it).</summary>
    Drifted,
    /// <summary>Installed by IstioPS for this revision and component, and no longer in the input (the plan would prune it).</summary>
    Stale,
    /// <summary>A workload that is not ready, or a CustomResourceDefinition that is not Established.</summary>
    NotReady,
}

/// <summary>One way the cluster differs from what should be there.</summary>
public sealed class InstallationDifference
{
    public required string Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public required DifferenceKind Problem { get; init; }
    /// <summary>For Drifted: the paths whose live value differs from the planned one.</summary>
    public IReadOnlyList<string> Fields { get; init; } = Array.Empty<string>();
    public required string Detail { get; init; }
    public string? Component { get; init; }

    public override string ToString() => $"{Kind}/{Name}: {Problem}";
}

/// <summary>
/// Reports how the cluster differs from what should be installed, from the install's own plan (so "no
/// difference" means Install-Istio would write nothing) plus readiness of what is there.
/// </summary>
public sealed class Verifier
{
    private readonly Installer _installer;

    public Verifier(KubeApi api, RestMapper? mapper = null) => _installer = new Installer(api, mapper);

    public async Task<IReadOnlyList<InstallationDifference>> VerifyAsync(InstallRequest request, OperationCallbacks callbacks, CancellationToken ct)
    {
        var plan = await _installer.PlanAsync(request, callbacks, ct).ConfigureAwait(false);
        var differences = new List<InstallationDifference>();
        foreach (var p in plan.Objects)
        {
            InstallationDifference Diff(DifferenceKind kind, string detail, IReadOnlyList<string>? fields = null) => new()
            {
                Kind = p.Kind, Namespace = p.Namespace, Name = p.Name, Problem = kind, Detail = detail, Fields = fields ?? Array.Empty<string>(), Component = p.Component,
            };

            switch (p.Action)
            {
                case PlanAction.Create:
                    differences.Add(Diff(DifferenceKind.Missing, p.AfterDeletion ? "being deleted (an install creates it anew once gone)" : "not found"));
                    continue;
                case PlanAction.Prune:
                    differences.Add(Diff(DifferenceKind.Stale, "installed for this revision and no longer in the input"));
                    continue;
                case PlanAction.Configure or PlanAction.Recreate or PlanAction.Adopt:
                    var fields = p.Changes.Select(c => c.Path).ToList();
                    var why = p.Action switch
                    {
                        PlanAction.Recreate => " (immutable: the install needs -Force)",
                        PlanAction.Adopt => " (not created by IstioPS: the install needs -Adopt)",
                        _ => "",
                    };
                    differences.Add(Diff(DifferenceKind.Drifted, $"{fields.Count} field(s) differ{why}: {string.Join(", ", fields.Take(3))}{(fields.Count > 3 ? ", ..." : "")}", fields));
                    break;
            }

            if (p.Live is not { } live) continue;
            if (WorkloadStatus.IsWorkload(p.Kind) && WorkloadStatus.Evaluate(p.Kind, live) is { Ready: false } readiness)
            {
                differences.Add(Diff(DifferenceKind.NotReady, readiness.Detail));
            }
            else if (p.Kind == "CustomResourceDefinition" && !WorkloadStatus.CrdEstablished(live))
            {
                differences.Add(Diff(DifferenceKind.NotReady, "not Established"));
            }
        }

        return differences.OrderBy(d => d.Problem).ThenBy(d => d.Kind, StringComparer.Ordinal).ThenBy(d => d.Namespace).ThenBy(d => d.Name, StringComparer.Ordinal).ToList();
    }
}
