using System.Diagnostics;
using IstioPS.Engine.Releases;
using Xunit;

namespace IstioPS.Releases.Tests;

/// <summary>One fixture server for the whole run (archives are built once).</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public ReleaseServer Server { get; private set; } = null!;
    public ReleaseCatalog Catalog { get; } = new(ReleaseCatalog.FindRealRelease());

    public async Task InitializeAsync() => Server = await ReleaseServer.StartAsync(Catalog);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "release server";
}

/// <summary>A fresh cache folder per test, deleted after.</summary>
public sealed class TempCache : IDisposable
{
    public TempCache()
    {
        Root = Path.Combine(Path.GetTempPath(), "istiops-releases-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>Everything in the cache root except the lock folder (locks are kept on purpose).</summary>
    public string[] Contents() => Directory.EnumerateFileSystemEntries(Root)
        .Select(Path.GetFileName)
        .Where(n => n != ".locks")
        .Order(StringComparer.Ordinal)
        .ToArray()!;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Runs the test assembly's "fetch" mode in a child process (its own proxy settings, its own lock handles).</summary>
public static class ChildProcess
{
    public static Process StartFetch(IDictionary<string, string?> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(typeof(Program).Assembly.Location);
        psi.ArgumentList.Add("fetch");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var name in new[] { "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy", "no_proxy", ReleaseSource.BaseUriVariable, ReleaseSource.ReleasesApiVariable })
        {
            psi.Environment.Remove(name);
        }

        foreach (var (k, v) in environment)
        {
            psi.Environment[k] = v;
        }

        return Process.Start(psi)!;
    }

    public static async Task<string> OutputAsync(Process process)
    {
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            var text = (await stdout).Trim();
            var errors = (await stderr).Trim();
            return errors.Length == 0 ? text : $"{text}\n{errors}";
        }
    }

    public static async Task<string> FetchAsync(IDictionary<string, string?> environment, params string[] args) =>
        await OutputAsync(StartFetch(environment, args));
}
