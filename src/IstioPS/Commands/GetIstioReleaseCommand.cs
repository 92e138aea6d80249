using System.Management.Automation;
using IstioPS.Engine;
using IstioPS.Engine.Releases;

namespace IstioPS.Commands;

/// <summary>Get-IstioRelease: the releases in the cache, newest first.</summary>
[Cmdlet(VerbsCommon.Get, "IstioRelease")]
[OutputType(typeof(IstioRelease))]
public sealed class GetIstioReleaseCommand : AsyncPSCmdlet
{
    /// <summary>Versions to show; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CachedVersionCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Version { get; set; }

    /// <summary>The cache folder to list instead of ~/.istiops/releases ($env:ISTIOPS_CACHE).</summary>
    [Parameter]
    [Alias("CachePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    protected override async Task ProcessRecordAsync(CancellationToken ct)
    {
        var root = Path is null ? null : await Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path)).ConfigureAwait(false);
        var cache = new ReleaseCache(root);
        var globs = Version?.Select(v => new Glob(v)).ToList();
        var matched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var release in cache.ListCached())
        {
            if (!Glob.AnyMatch(globs, release.Version)) continue;
            matched.Add(release.Version);
            Emit(release);
        }

        foreach (var version in Version ?? Array.Empty<string>())
        {
            if (!Glob.HasWildcards(version) && !matched.Contains(version))
            {
                EmitError(new IstioPSException("ReleaseNotCached", ErrorKind.ObjectNotFound,
                    $"Istio {version} is not in the cache ({cache.Root}). Save-IstioRelease -Version {version} downloads it.", version));
            }
        }
    }
}

/// <summary>Tab completion of -Version from the cached releases (and "latest" for Save-IstioRelease).</summary>
public sealed class CachedVersionCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
    {
        var prefix = wordToComplete.Trim('\'', '"');
        var versions = new ReleaseCache().CachedVersions().AsEnumerable();
        if (commandName.StartsWith("Save", StringComparison.OrdinalIgnoreCase))
        {
            versions = versions.Prepend("latest");
        }

        return versions
            .Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
    }
}
