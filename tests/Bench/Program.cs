using System.Diagnostics;
using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;
using KubeSim;

// The timed harness behind `build.ps1 -Task Bench`. Prints figures; asserts nothing.
if (Arg("--render-once") is { } onceRelease)
{
    // Run in a fresh process by the harness: the first render's time and the process's peak memory.
    var sw = Stopwatch.StartNew();
    var rendered = IstioPS.Engine.Sources.ReleaseManifests.Render(new IstioPS.Engine.Sources.ReleaseRenderRequest { ReleasePath = onceRelease, Profile = "default" });
    var ms = sw.Elapsed.TotalMilliseconds;
    var process = Process.GetCurrentProcess();
    process.Refresh();
    Console.WriteLine($"{ms:0};{rendered.Objects.Count};{process.PeakWorkingSet64 / (1024 * 1024)}");
    return 0;
}

var module = Path.GetFullPath(Arg("--module") ?? throw new ArgumentException("--module <path of out/IstioPS> is required"));
var root = Arg("--root") ?? Directory.GetCurrentDirectory();
var pwsh = (Environment.GetEnvironmentVariable("ISTIOPS_PWSH") ?? "pwsh").Split(' ', 2);
var scaleNamespaces = int.TryParse(Arg("--scale-namespaces"), out var sn) ? sn : 10_000;
if (args.Contains("--scale-only"))
{
    await ScaleBench.RunAsync(Path.Combine(module, "IstioPS.psd1"), pwsh, scaleNamespaces, podsPerNamespace: 10, enableCount: scaleNamespaces / 2, runs: 3);
    return 0;
}

Console.WriteLine("==> KubeSim in process: 10,000 objects, list 2,000 namespaces");
await using (var server = await KubeSimServer.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 }))
{
    var kubeconfig = Path.Combine(Path.GetTempPath(), $"istiops-bench-{Environment.ProcessId}.kubeconfig");
    server.WriteKubeconfig(kubeconfig);
    using var api = KubeApi.Connect(new KubeConnectionOptions(kubeconfig));
    var fill = Stopwatch.StartNew();
    await Parallel.ForEachAsync(Enumerable.Range(0, 2000), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
    {
        var ns = $"ns-{i:0000}";
        await api.WriteAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } }, "application/json", ct);
        for (var j = 0; j < 4; j++)
        {
            await api.WriteAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", new JsonObject
            {
                ["apiVersion"] = "v1", ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = $"cm-{j}", ["labels"] = new JsonObject { ["app"] = $"a{j}" } },
                ["data"] = new JsonObject { ["key"] = new string('x', 200) },
            }, "application/json", ct);
        }
    });
    fill.Stop();
    var (all, _) = await api.ListAsync("/api/v1/configmaps", null, default);
    Console.WriteLine($"    stored {all.Count + 2000} objects in {fill.ElapsedMilliseconds} ms through HTTP");
    var times = new List<double>();
    var count = 0;
    for (var i = 0; i < 7; i++)
    {
        var sw = Stopwatch.StartNew();
        var (items, _) = await api.ListAsync("/api/v1/namespaces", null, default, pageSize: 500);
        times.Add(sw.Elapsed.TotalMilliseconds);
        count = items.Count;
    }

    times.Sort();
    Console.WriteLine($"    list {count} namespaces (4 pages of 500): best {times[0]:0.0} ms, median {times[3]:0.0} ms (target < 100 ms)");
    var single = Stopwatch.StartNew();
    var (one, _) = await api.ListAsync("/api/v1/namespaces", null, default, pageSize: 5000);
    Console.WriteLine($"    list {one.Count} namespaces in one page: {single.Elapsed.TotalMilliseconds:0.0} ms");
    File.Delete(kubeconfig);
}

var data = Environment.GetEnvironmentVariable("ISTIOPS_ISTIO_DATA") is { Length: > 0 } d ? d : Path.Combine(root, "..", "shared", "istio");
var release = Path.GetFullPath(Path.Combine(data, "releases", "istio-1.30.3"));
if (Directory.Exists(release))
{
    Console.WriteLine("==> Rendering the default profile in a fresh .NET process (first call, peak memory)");
    var runs = new List<string>();
    for (var i = 0; i < 3; i++)
    {
        var once = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "--render-once", release }) once.ArgumentList.Add(a);
        using var p = Process.Start(once)!;
        runs.Add((await p.StandardOutput.ReadToEndAsync()).Trim());
        await p.WaitForExitAsync();
    }

    foreach (var run in runs)
    {
        var parts = run.Split(';');
        Console.WriteLine($"    first render {parts[0]} ms, {parts[1]} objects, peak working set {parts[2]} MB (targets < 1000 ms, < 150 MB)");
    }
}

Console.WriteLine("==> Cmdlets against kubectl (tests/Bench/Bench.ps1)");
var psi = new ProcessStartInfo(pwsh[0]) { UseShellExecute = false };
foreach (var a in pwsh.Skip(1).Concat(new[] { "-NoProfile", "-NonInteractive", "-File", Path.Combine(root, "tests", "Bench", "Bench.ps1"), "-ModulePath", module })) psi.ArgumentList.Add(a);
using (var child = Process.Start(psi)!)
{
    await child.WaitForExitAsync();
    if (child.ExitCode != 0) return child.ExitCode;
}

// Big clusters: 10,000 namespaces and 100,000 pods in process (--scale-namespaces N to change, 0 to skip).
if (scaleNamespaces > 0)
{
    Console.WriteLine($"==> Big cluster: KubeSim in process with {scaleNamespaces:N0} namespaces and {scaleNamespaces * 10:N0} pods");
    await ScaleBench.RunAsync(Path.Combine(module, "IstioPS.psd1"), pwsh, scaleNamespaces, podsPerNamespace: 10, enableCount: scaleNamespaces / 2, runs: 3);
}

return 0;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
