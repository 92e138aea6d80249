using IstioPS.Engine.Kube;

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
    /// <summary>Ready pods (the number before the slash of <see cref="Ready"/>).</summary>
    public int ReadyReplicas { get; init; }
    /// <summary>Desired pods (the number after the slash of <see cref="Ready"/>).</summary>
    public int Replicas { get; init; }
    /// <summary>Running, Progressing, Pending, ImagePullBackOff (a pod's waiting reason), ScaledToZero, Complete, Failed.</summary>
    public required string Status { get; init; }
    public int Restarts { get; init; }
    /// <summary>When the workload was created (UTC).</summary>
    public DateTime? Created { get; init; }
    /// <summary>How old it was when read.</summary>
    public TimeSpan? Age { get; init; }
    /// <summary>The age as kubectl shows it: 45s, 3m20s, 5h10m.</summary>
    public string AgeText => KubeFormat.AgeText(Age);
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
    /// <summary>Ready containers (the number before the slash of <see cref="Ready"/>).</summary>
    public int ReadyContainers { get; init; }
    /// <summary>Containers (the number after the slash of <see cref="Ready"/>).</summary>
    public int Containers { get; init; }
    public required string Status { get; init; }
    public int Restarts { get; init; }
    /// <summary>kubectl's RESTARTS column: "2 (5m ago)".</summary>
    public required string RestartsText { get; init; }
    /// <summary>When the pod was created (UTC).</summary>
    public DateTime? Created { get; init; }
    /// <summary>How old it was when read.</summary>
    public TimeSpan? Age { get; init; }
    /// <summary>The age as kubectl shows it.</summary>
    public string AgeText => KubeFormat.AgeText(Age);
    public string? Node { get; init; }
    public string? IP { get; init; }
    public string? Component { get; init; }
    public string? Revision { get; init; }

    public override string ToString() => Name;
}
