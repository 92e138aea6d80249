namespace IstioPS.Engine.Kube;

/// <summary>Where to find the cluster: a kubeconfig file (or none: $KUBECONFIG, ~/.kube/config, in-cluster) and a context.</summary>
public sealed record KubeConnectionOptions(string? Kubeconfig = null, string? Context = null)
{
    /// <summary>Extra delegating handlers or tuning used by tests and benchmarks.</summary>
    public int MaxRetries { get; init; } = 5;
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The whole call's time limit (a cmdlet's -Timeout), counted from the connection: every request, discovery
    /// included, is answered within it (a request started after it still gets a second, so that a timeout can be explained).
    /// </summary>
    public TimeSpan? CallTimeout { get; init; }
}
