using IstioPS.Engine.Apply;
using IstioPS.Engine.Releases;

namespace IstioPS;

/// <summary>-Version for the cmdlets that render: the release folder from the cache, downloading only what is missing.</summary>
internal static class ReleaseResolver
{
    /// <summary>The release folder; null when <paramref name="shouldProcess"/> declined the download (-WhatIf).</summary>
    public static async Task<string?> GetAsync(string version, Action<string> verbose, IProgress<OperationProgress>? progress, CancellationToken ct, Func<string, string, bool>? shouldProcess = null, ArchiveLimits? limits = null)
    {
        var request = new ReleaseRequest { Version = version, Verbose = verbose, ShouldProcess = shouldProcess, Limits = limits ?? ArchiveLimits.Default };
        var release = await new ReleaseSource().GetOrDownloadAsync(request, progress, ct).ConfigureAwait(false);
        return release?.Path;
    }
}
