using System.Diagnostics;
using IstioPS.Engine.Kube;
using Xunit;

namespace IstioPS.Tests;

public sealed class DiscoveryTests
{
    /// <summary>
    /// The resource types Uninstall-Istio -Purge checks before deleting a namespace are the ones
    /// `kubectl api-resources --verbs=list --namespaced` lists (events aside), as the real kubectl sees them.
    /// </summary>
    [SkippableFact]
    public async Task NamespacedListableResourcesAreWhatKubectlApiResourcesLists()
    {
        var kubectl = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, "kubectl")).FirstOrDefault(File.Exists);
        Skip.If(kubectl is null, "kubectl is not on the PATH");
        await using var sim = await Sim.StartAsync();
        var psi = new ProcessStartInfo(kubectl!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--kubeconfig", sim.Kubeconfig, "--cache-dir", Path.Combine(TestData.TempDir(), "cache"), "api-resources", "--verbs=list", "--namespaced", "-o", "name" })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        using var exitTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(exitTimeout.Token);
        Assert.Equal(0, process.ExitCode);
        var expected = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(n => n is not "events" and not "events.events.k8s.io").Order(StringComparer.Ordinal).ToList();

        var ours = (await new RestMapper(sim.Api).NamespacedListableAsync(default))
            .Select(r => r.Group.Length == 0 ? r.Plural : $"{r.Plural}.{r.Group}").Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.Count > 10, string.Join(", ", expected));
        Assert.Equal(expected, ours);
    }
}
