using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Manifests;

namespace IstioPS.Engine.Plan;

/// <summary>What an install would do to one object.</summary>
public enum PlanAction
{
    /// <summary>The object does not exist: it will be created.</summary>
    Create,
    /// <summary>The object exists and the apply changes fields of it (see <see cref="PlannedObject.Changes"/>).</summary>
    Configure,
    /// <summary>The object exists and the apply changes nothing.</summary>
    Unchanged,
    /// <summary>IstioPS installed the object for this revision and component, and the input no longer has it: it will be deleted.</summary>
    Prune,
    /// <summary>The API server refuses the change because an immutable field would change: delete and create (needs -Force).</summary>
    Recreate,
    /// <summary>The object exists and IstioPS did not create it: it is taken over only with -Adopt.</summary>
    Adopt,
}

/// <summary>One changed field: its path, the live value and the planned value (JSON text; null when absent).</summary>
public sealed record FieldChange(string Path, string? Live, string? Planned)
{
    private const int MaxValue = 40;

    /// <summary>The change as `path: old -> new`, long values shortened.</summary>
    public override string ToString() => $"{Path}: {Short(Live)} -> {Short(Planned)}";

    private static string Short(string? value)
    {
        if (value is null) return "(none)";
        var flat = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= MaxValue ? flat : flat[..(MaxValue - 3)] + "...";
    }
}

/// <summary>One object of a plan: what will happen to it and why. Compare-IstioInstallation emits these.</summary>
public sealed class PlannedObject
{
    public required PlanAction Action { get; init; }
    public required string ApiVersion { get; init; }
    public required string Kind { get; init; }
    public string? Namespace { get; init; }
    public required string Name { get; init; }
    public string? Component { get; init; }
    /// <summary>Where the object came from (file:line or chart template); null for prunes and namespaces the install creates.</summary>
    public string? Source { get; init; }
    /// <summary>For Configure and Recreate: the fields that change.</summary>
    public IReadOnlyList<FieldChange> Changes { get; init; } = Array.Empty<FieldChange>();

    /// <summary>The resource the object lives in.</summary>
    internal ResourceInfo Resource { get; init; } = null!;
    /// <summary>What the apply sends (null for prunes).</summary>
    internal JsonObject? Body { get; init; }
    /// <summary>The object as the cluster holds it now (null when absent).</summary>
    internal JsonObject? Live { get; init; }
    internal int Rank { get; init; }

    /// <summary>
    /// The live object is being deleted (its finalizers hold it, or its namespace is terminating): it is created anew
    /// once it is gone, since an apply now would configure an object about to disappear.
    /// </summary>
    public bool AfterDeletion => Live?["metadata"]?["deletionTimestamp"] is not null;

    /// <summary>The diff sign of the action: + create, ~ configure, - prune, ! recreate, = unchanged, ? adopt.</summary>
    public string Sign => Action switch
    {
        PlanAction.Create => "+",
        PlanAction.Configure => "~",
        PlanAction.Prune => "-",
        PlanAction.Recreate => "!",
        PlanAction.Adopt => "?",
        _ => "=",
    };

    /// <summary>kind/name (namespace), as what-if lines and errors name the object.</summary>
    public string Target => Namespace is null ? $"{Resource.DisplayKind}/{Name}" : $"{Resource.DisplayKind}/{Name} (namespace {Namespace})";

    /// <summary>The object and its changes as diff lines, for the default view.</summary>
    public string DiffText
    {
        get
        {
            var head = $"{Sign} {Target}" + (Action is PlanAction.Unchanged or PlanAction.Adopt ? $" ({Action.ToString().ToLowerInvariant()})" : "");
            return Changes.Count == 0 ? head : head + Environment.NewLine + string.Join(Environment.NewLine, Changes.Select(c => "    " + c));
        }
    }

    /// <summary>The action and the changed field paths, as one what-if line says it.</summary>
    public string Describe => AfterDeletion
        ? $"{Action} (once the {Kind.ToLowerInvariant()} being deleted is gone)"
        : Changes.Count == 0
        ? Action.ToString()
        : $"{Action}: {string.Join(", ", Changes.Select(c => c.Path).Take(10))}{(Changes.Count > 10 ? $", ... ({Changes.Count} fields)" : "")}";

    public override string ToString() => $"{Sign} {Target}";
}

/// <summary>Which installed objects an install answers for: those it may prune when the input no longer has them.</summary>
public sealed class PruneScope
{
    /// <summary>Components (the istiops.io/component label) whose objects of this revision are compared with the input.</summary>
    public required IReadOnlyCollection<string> Components { get; init; }
}

/// <summary>What to plan: the objects of the sources, where they go, and how far the install may reach.</summary>
public sealed class PlanRequest
{
    public required IReadOnlyList<ManifestObject> Objects { get; init; }
    /// <summary>Problems the sources found (file and line); reported with the plan's own, nothing planned further.</summary>
    public IReadOnlyList<ManifestException> SourceErrors { get; init; } = Array.Empty<ManifestException>();
    public string Namespace { get; init; } = "istio-system";
    public string Revision { get; init; } = "default";
    /// <summary>Null: nothing is pruned (manifest files: the install cannot know what else is its own).</summary>
    public PruneScope? Prune { get; init; }
    public int Concurrency { get; init; } = Install.InstallRequest.DefaultConcurrency;
    /// <summary>Where the input came from, for the error when it is empty.</summary>
    public string? InputName { get; init; }
}

/// <summary>Every object of an install and what will happen to it, in apply order; prunes last.</summary>
public sealed class InstallPlan
{
    public required string Namespace { get; init; }
    public required string Revision { get; init; }
    public required IReadOnlyList<PlannedObject> Objects { get; init; }

    public IEnumerable<PlannedObject> Changing => Objects.Where(o => o.Action != PlanAction.Unchanged);
    public IEnumerable<PlannedObject> With(PlanAction action) => Objects.Where(o => o.Action == action);
}

/// <summary>One write an install makes, as kube-apiserver's authorizer sees it: verb, resource, namespace (null: cluster scope), name.</summary>
public sealed record PlannedWrite(string Verb, ResourceInfo Resource, string? Namespace, string Name);

/// <summary>
/// What <see cref="Planner.SurveyAsync"/> found before any dry run: the input resolved, what IstioPS installed
/// earlier, the namespaces to create, the prunes and every write the install makes.
/// </summary>
public sealed class PlanSurvey
{
    internal IReadOnlyList<Planner.Resolved> Resolved { get; init; } = null!;
    internal Dictionary<(string, string, string?, string), (ResourceInfo Resource, JsonObject Live)> Owned { get; init; } = null!;
    internal HashSet<string> MissingNamespaces { get; init; } = null!;
    /// <summary>Namespaces that exist but are being deleted (also in <see cref="MissingNamespaces"/>), as read.</summary>
    internal IReadOnlyDictionary<string, JsonObject> TerminatingNamespaces { get; init; } = new Dictionary<string, JsonObject>();
    /// <summary>Which of the input's objects exist (from one metadata-only list per kind and namespace).</summary>
    internal HashSet<(string, string, string?, string)> Existing { get; init; } = null!;
    internal IReadOnlyList<string> CreatedNamespaces { get; init; } = null!;
    internal IReadOnlyList<PlannedObject> Prunes { get; init; } = null!;

    /// <summary>Every write of the install (creates, server-side applies, deletes of prunes), per object.</summary>
    public required IReadOnlyList<PlannedWrite> Writes { get; init; }
}
