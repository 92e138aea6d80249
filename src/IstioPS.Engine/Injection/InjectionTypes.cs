using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Injection;

/// <summary>What a namespace's labels ask of sidecar injection.</summary>
public enum InjectionState
{
    NotSet,
    Enabled,
    Disabled,
    Revision,
}

/// <summary>One namespace's injection labels, as `kubectl get namespace -L istio-injection -L istio.io/rev` shows them.</summary>
public sealed record NamespaceInjection
{
    public required string Namespace { get; init; }
    public required InjectionState State { get; init; }
    /// <summary>The revision that injects: the istio.io/rev label, "default" for istio-injection=enabled, else null.</summary>
    public string? Revision { get; init; }
    /// <summary>The label that decides, as key=value.</summary>
    public string? Label { get; init; }
    public string? InjectionLabel { get; init; }
    public string? RevisionLabel { get; init; }
    public required string Status { get; init; }
    /// <summary>When the namespace was created (UTC).</summary>
    public DateTime? Created { get; init; }
    /// <summary>How old it was when read.</summary>
    public TimeSpan? Age { get; init; }
    /// <summary>The age as kubectl shows it.</summary>
    public string AgeText => KubeFormat.AgeText(Age);
    /// <summary>Running pods of the namespace (null when pods were not read).</summary>
    public int? Pods { get; init; }
    /// <summary>Pods whose sidecar (or its revision) does not match what the namespace now asks for: they pick up the change only when re-created.</summary>
    public int? PodsNeedingRestart { get; init; }
    public IReadOnlyList<string> StalePods { get; init; } = Array.Empty<string>();

    public override string ToString() => Namespace;
}

/// <summary>The change Enable-/Disable-IstioInjection asks for.</summary>
public sealed record InjectionChange(bool Enable, string? Revision = null, bool Explicit = false)
{
    public string Describe => Enable
        ? Revision is null ? "Set label istio-injection=enabled" : $"Set label istio.io/rev={Revision}"
        : Explicit ? "Set label istio-injection=disabled" : "Remove label istio-injection";
}
