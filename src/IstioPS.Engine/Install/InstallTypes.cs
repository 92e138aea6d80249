using IstioPS.Engine.Apply;
using IstioPS.Engine.Manifests;
using IstioPS.Engine.Plan;

namespace IstioPS.Engine.Install;

/// <summary>What to install and how.</summary>
public sealed record InstallRequest
{
    /// <summary>Files or folders of pre-rendered YAML.</summary>
    public IReadOnlyList<string> ManifestPaths { get; init; } = Array.Empty<string>();

    /// <summary>Objects already parsed or rendered (from a release); used with or instead of <see cref="ManifestPaths"/>.</summary>
    public IReadOnlyList<ManifestObject> Objects { get; init; } = Array.Empty<ManifestObject>();

    /// <summary>When set, objects are applied component by component in this order, waiting for each.</summary>
    public IReadOnlyList<string>? ComponentOrder { get; init; }

    public string Namespace { get; init; } = "istio-system";
    public string Revision { get; init; } = "default";
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);
    public bool NoWait { get; init; }
    /// <summary>Requests in flight at once (plan and apply): the most a wave of independent requests needs.</summary>
    public int Concurrency { get; init; } = DefaultConcurrency;

    /// <summary>Enough for every independent request of an Istio install to go out together (one round trip per tier).</summary>
    public const int DefaultConcurrency = 64;

    /// <summary>Folders of <see cref="ManifestPaths"/> are read with their subfolders.</summary>
    public bool Recurse { get; init; }

    /// <summary>Take over objects that exist and were not created by IstioPS (reported Adopted).</summary>
    public bool Adopt { get; init; }

    /// <summary>Delete and create again objects whose immutable fields change; upgrade in place even across more than one minor version or downwards.</summary>
    public bool Force { get; init; }

    /// <summary>The plan's first reads, started while the release rendered (<see cref="Installer.ReadAhead"/>); null: read when needed.</summary>
    public SurveyReads? Reads { get; init; }

    /// <summary>Keep objects the plan marks Prune.</summary>
    public bool NoPrune { get; init; }

    /// <summary>What this install answers for (from the sources); null: nothing is pruned.</summary>
    public PruneScope? Prune { get; init; }

    /// <summary>The version of the release being installed: over an installed istiod of the same revision, an
    /// in-place upgrade that must go at most one minor version up (see <see cref="UpgradeCheck"/>).</summary>
    public Releases.ReleaseVersion? ReleaseVersion { get; init; }

    /// <summary>The release's folder (null for manifest files): its charts may state the Kubernetes versions they support.</summary>
    public string? ReleasePath { get; init; }

    /// <summary>Install without checking the prerequisites first (see <see cref="Prerequisites.PrerequisiteChecker"/>).</summary>
    public bool SkipPrerequisiteCheck { get; init; }

    /// <summary>When the whole operation started (rendering included), so the result's Duration covers it.</summary>
    public System.Diagnostics.Stopwatch? Clock { get; init; }
}

/// <summary>The one object Install-Istio emits.</summary>
public sealed class InstallResult
{
    /// <summary>The namespaces the objects went to (comma-separated; empty when all are cluster-scoped).</summary>
    public required string Namespace { get; init; }
    public required string Server { get; init; }
    public string Revision { get; init; } = "default";
    public required IReadOnlyList<AppliedObject> Objects { get; init; }
    public int Created => Objects.Count(o => o.Action == ApplyAction.Created);
    public int Configured => Objects.Count(o => o.Action == ApplyAction.Configured);
    public int Unchanged => Objects.Count(o => o.Action == ApplyAction.Unchanged);
    public int Adopted => Objects.Count(o => o.Action == ApplyAction.Adopted);
    public int Recreated => Objects.Count(o => o.Action == ApplyAction.Recreated);
    public int Pruned => Objects.Count(o => o.Action == ApplyAction.Pruned);
    public int Total => Objects.Count;
    public bool Waited { get; init; }
    public required TimeSpan Duration { get; init; }
    /// <summary>The duration as kubectl prints ages: 12.3s, 2m5s.</summary>
    public string DurationText => Duration.TotalMinutes >= 1 ? $"{(int)Duration.TotalMinutes}m{Duration.Seconds}s" : $"{Duration.TotalSeconds:0.0}s";
    public long Requests { get; init; }

    public override string ToString() => $"{Total} objects: {Created} created, {Configured} configured, {Unchanged} unchanged in {Duration.TotalSeconds:0.0}s";
}
