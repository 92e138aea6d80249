namespace IstioPS.Engine.Components;

/// <summary>One workload of the mesh namespace, as Get-IstioComponent shows it.</summary>
public sealed class IstioComponent
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string Kind { get; init; }
    public required string Component { get; init; }
    public required string Role { get; init; }
    /// <summary>"ready/desired", as kubectl's READY column.</summary>
    public required string Ready { get; init; }
    /// <summary>Running, Progressing, Pending, ImagePullBackOff (a pod's waiting reason), ScaledToZero, Complete, Failed.</summary>
    public required string Status { get; init; }
    public int Restarts { get; init; }
    public required string Age { get; init; }
    public DateTimeOffset? Created { get; init; }
    public string? Version { get; init; }
    public string? Revision { get; init; }
    public bool Legacy { get; init; }
    public IReadOnlyList<string> Images { get; init; } = Array.Empty<string>();

    public override string ToString() => $"{Kind}/{Name}";
}

/// <summary>A pod, shaped like a line of `kubectl get pods`.</summary>
public sealed class IstioPod
{
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public required string Ready { get; init; }
    public required string Status { get; init; }
    public int Restarts { get; init; }
    /// <summary>kubectl's RESTARTS column: "2 (5m ago)".</summary>
    public required string RestartsText { get; init; }
    public required string Age { get; init; }
    public string? Node { get; init; }
    public string? IP { get; init; }
    public string? Component { get; init; }
    public string? Revision { get; init; }

    public override string ToString() => Name;
}
