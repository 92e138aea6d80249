using System.Collections;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Management.Automation.Language;
using IstioPS.Engine.Components;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Releases;

namespace IstioPS;

/// <summary>
/// Tab completion from the cluster and the release cache. Answers come from a short cache (10 s) or a
/// read that Tab waits for at most 2 s (no retries); any failure (no kubeconfig, no cluster, no permission)
/// completes nothing and never throws.
/// </summary>
public abstract class CachedCompleter : IArgumentCompleter
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    private static readonly ConcurrentDictionary<string, (DateTime At, IReadOnlyList<string> Names)> Cache = new();

    /// <summary>The names to offer, given what is already on the command line; may throw (it is caught).</summary>
    protected abstract Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct);

    /// <summary>What the answer depends on besides the kubeconfig and context (a namespace, a switch).</summary>
    protected virtual string Key(IDictionary bound) => "";

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = wordToComplete.Trim('\'', '"');
        // kubectl -o name spells namespaces namespace/x: complete the name after the prefix too.
        word = NamespaceNameAttribute.Strip(word);
        return Names(fakeBoundParameters).Where(n => n.StartsWith(word, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n)).ToList();
    }

    private IReadOnlyList<string> Names(IDictionary bound)
    {
        var key = $"{GetType().Name}|{bound["Kubeconfig"]}|{bound["Context"]}|{Key(bound)}";
        if (Cache.TryGetValue(key, out var hit) && DateTime.UtcNow - hit.At < CacheFor) return hit.Names;
        try
        {
            // The read may go on a little after the budget (a cold process loads the client first): its answer
            // then fills the cache for the next Tab.
#pragma warning disable CA2000 // disposed by the continuation below, when the read ends (it may outlive this call)
            var cts = new CancellationTokenSource(Budget * 5);
#pragma warning restore CA2000
            var task = Task.Run(() => NamesAsync(bound, cts.Token), cts.Token);
            _ = task.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully) Cache[key] = (DateTime.UtcNow, t.Result);
                cts.Dispose();
            }, TaskScheduler.Default);
            return task.Wait(Budget) ? task.Result : Array.Empty<string>();
        }
        catch (Exception)
        {
            // A completer must never throw: no kubeconfig, no cluster, no permission all complete nothing.
            return Array.Empty<string>();
        }
    }

    /// <summary>A client for the cluster the command line names, tuned for completion (no retries, short timeout).</summary>
    protected static KubeApi Connect(IDictionary bound) => KubeApi.Connect(new KubeConnectionOptions(bound["Kubeconfig"] as string, bound["Context"] as string)
    {
        MaxRetries = 0,
        RequestTimeout = Budget,
    });

    protected static async Task<IReadOnlyList<string>> WithApiAsync(IDictionary bound, Func<KubeApi, Task<IReadOnlyList<string>>> read)
    {
        using var api = Connect(bound);
        return await read(api).ConfigureAwait(false);
    }

    private static string Quote(string name) => name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', ';', ',', '(', ')', '{', '}', '@', '#' }) >= 0 ? $"'{name.Replace("'", "''")}'" : name;
}

/// <summary>Namespaces of the cluster.</summary>
public sealed class NamespaceCompleter : CachedCompleter
{
    protected override Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct)
        => WithApiAsync(bound, api => ClusterCatalog.NamespacesAsync(api, ct));
}

/// <summary>Contexts of the kubeconfig (-Kubeconfig, else $env:KUBECONFIG, else ~/.kube/config).</summary>
public sealed class ContextCompleter : CachedCompleter
{
    protected override Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct)
        => Task.FromResult(ClusterCatalog.Contexts(bound["Kubeconfig"] as string));
}

/// <summary>Installed revisions and revision tags.</summary>
public sealed class RevisionCompleter : CachedCompleter
{
    protected override Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct)
        => WithApiAsync(bound, api => ClusterCatalog.RevisionsAsync(api, ct));
}

/// <summary>Istio versions in the release cache (newest first), then "latest".</summary>
public sealed class VersionCompleter : CachedCompleter
{
    protected override Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<string>>(new ReleaseCache().CachedVersions().Append("latest").Distinct().ToList());
}

/// <summary>Get-IstioComponent -Name: the components and workloads (or with -Pod, the pods) of the namespace.</summary>
public sealed class ComponentNameCompleter : CachedCompleter
{
    private static string Namespace(IDictionary bound) => bound["Namespace"] as string ?? "istio-system";

    private static bool Pods(IDictionary bound) => bound["Pod"] is SwitchParameter { IsPresent: true } or true;

    protected override string Key(IDictionary bound) => $"{Namespace(bound)}|{Pods(bound)}";

    protected override Task<IReadOnlyList<string>> NamesAsync(IDictionary bound, CancellationToken ct) => WithApiAsync(bound, async api =>
    {
        if (Pods(bound)) return await ClusterCatalog.PodsAsync(api, Namespace(bound), ct).ConfigureAwait(false);
        var components = await new ComponentReader(api).GetComponentsAsync(Namespace(bound), ct).ConfigureAwait(false);
        return components.SelectMany(c => new[] { c.Name, c.Component }).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
    });
}

/// <summary>Accepts kubectl's names for namespaces: namespace/x (from kubectl get ns -o name) is taken as x.</summary>
public sealed class NamespaceNameAttribute : ArgumentTransformationAttribute
{
    private static readonly string[] Prefixes = { "namespace/", "namespaces/", "ns/" };

    public static string Strip(string name)
    {
        foreach (var prefix in Prefixes)
        {
            if (name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return name[prefix.Length..];
        }

        return name;
    }

    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            string s => Strip(s),
            object[] items => items.Select(i => (i is PSObject p ? p.BaseObject : i) is string s ? (object)Strip(s) : i).ToArray(),
            _ => inputData,
        };
    }
}
