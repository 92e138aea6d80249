using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using KubeSim;
using KubeSim.Api;

/// <summary>
/// The big-cluster rows of the bench: an in-process KubeSim holding 10,000 namespaces and 100,000 pods (a
/// third with sidecars), its memory and page times, then Get-IstioInjection and Enable-IstioInjection in
/// fresh pwsh processes against kubectl on the same server. Prints every run; asserts nothing.
/// </summary>
internal static class ScaleBench
{
    public static async Task RunAsync(string module, string[] pwsh, int namespaces, int podsPerNamespace, int enableCount, int runs, string[] rows)
    {
        var summary = new List<string>();
        var baseline = WorkingSetMb();
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"istiops-bench-scale-{Environment.ProcessId}")).FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        server.WriteKubeconfig(kubeconfig);
        try
        {
            var fill = Stopwatch.StartNew();
            Fill(server, namespaces, podsPerNamespace);
            await QuiesceAsync(server);
            fill.Stop();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            var held = WorkingSetMb();
            var pods = namespaces * podsPerNamespace;
            Console.WriteLine($"    KubeSim holds {namespaces:N0} namespaces and {pods:N0} pods (filled in {fill.Elapsed.TotalSeconds:0.0} s): working set {held:N0} MB " +
                $"({held - baseline:N0} MB over the empty process), managed heap {GC.GetTotalMemory(false) / (1024 * 1024):N0} MB (target < 2,048 MB)");
            summary.Add($"KubeSim holding {pods:N0} pods: working set {held:N0} MB (target < 2,048 MB: {(held < 2048 ? "met" : "NOT met")})");

            if (rows.Contains("pages"))
            using (var http = new HttpClient { BaseAddress = server.Url, Timeout = TimeSpan.FromMinutes(5) })
            {
                // The measuring client's own first request (its connection, its code compiled) is not a page of KubeSim's.
                (await http.GetAsync("/version")).Dispose();
                foreach (var (accept, what) in new[] { ("application/json", "whole pods"), ("application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", "metadata only") })
                {
                    var times = await PageTimesAsync(http, "/api/v1/pods", 500, accept);
                    var first = times[0];
                    var slowest = string.Join(", ", times.Select((t, i) => (t, i)).OrderByDescending(x => x.t).Take(3).Select(x => $"page {x.i + 1} {x.t:0.0} ms"));
                    times.Sort();
                    Console.WriteLine($"    500-pod pages, {what}: {times.Count} pages, first {first:0.0} ms, best {times[0]:0.0} ms, median {times[times.Count / 2]:0.0} ms, " +
                        $"p95 {times[(int)(times.Count * 0.95)]:0.0} ms, worst {times[^1]:0.0} ms; slowest: {slowest} (target: each < 50 ms)");
                    summary.Add($"KubeSim 500-pod pages, {what}: first {first:0.0} ms, median {times[times.Count / 2]:0.0} ms, worst {times[^1]:0.0} ms, {times.Count(t => t >= 50)} of {times.Count} at 50 ms or more (target each < 50 ms: {(times[^1] < 50 ? "met" : "NOT met")})");
                }
            }

            var kubectl = HasKubectl();
            if (rows.Contains("injection"))
            {
            var mine = new List<long>();
            var peaks = new List<long>();
            Console.WriteLine($"==> Get-IstioInjection over {namespaces:N0} namespaces and {pods:N0} pods, fresh pwsh per run (no added latency)");
            for (var i = 0; i < runs; i++)
            {
                // The first call pays for loading and compiling what it uses; the second, in the same process, shows the scan alone.
                var line = await RunPwshAsync(pwsh, $"Import-Module '{module}'; $sw = [Diagnostics.Stopwatch]::StartNew(); $r = Get-IstioInjection -Kubeconfig '{kubeconfig}'; $ms = $sw.ElapsedMilliseconds; " +
                    "$p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); $peak = [math]::Round($p.PeakWorkingSet64 / 1MB); " +
                    $"$sw.Restart(); $null = Get-IstioInjection -Kubeconfig '{kubeconfig}'; " +
                    "'{0};{1};{2};{3};{4}' -f $ms, $r.Count, [int]($r | Measure-Object PodsNeedingRestart -Sum).Sum, $peak, $sw.ElapsedMilliseconds");
                var parts = line.Split(';');
                if (parts.Length == 5)
                {
                    mine.Add(long.Parse(parts[0]));
                    peaks.Add(long.Parse(parts[3]));
                }

                Console.WriteLine(parts.Length == 5
                    ? $"    run {i + 1}: IstioPS {parts[0]} ms for {parts[1]} namespaces ({parts[2]} pods need a restart), peak working set {parts[3]} MB (targets < 2,000 ms, < 400 MB); a second call in the same process {parts[4]} ms"
                    : $"    run {i + 1}: IstioPS failed: {line}");
            }

            long? theirs = null;
            if (kubectl)
            {
                for (var i = 0; i < 1; i++)
                {
                    var sw = Stopwatch.StartNew();
                    var ns = await RunKubectlAsync(kubeconfig, dir, "get", "namespaces", "-L", "istio-injection");
                    var nsMs = sw.ElapsedMilliseconds;
                    var all = await RunKubectlAsync(kubeconfig, dir, "get", "pods", "-A", "-o", "json");
                    theirs = sw.ElapsedMilliseconds;
                    Console.WriteLine($"    run {i + 1}: kubectl {sw.ElapsedMilliseconds:N0} ms (get namespaces -L istio-injection {nsMs:N0} ms, {ns.Lines - 1:N0} rows; get pods -A -o json {sw.ElapsedMilliseconds - nsMs:N0} ms, {all.Bytes / (1024 * 1024):N0} MB of JSON)");
                }
            }

            if (mine.Count > 0)
            {
                var median = Median(mine);
                summary.Add($"Get-IstioInjection, {namespaces:N0} namespaces and {pods:N0} pods, fresh pwsh: median {median:N0} ms (runs {string.Join(", ", mine)}), peak {Median(peaks):N0} MB"
                    + (theirs is { } k ? $"; kubectl {k:N0} ms, kubectl/IstioPS {k / (double)median:0.0}x" : "")
                    + $" (targets < 2,000 ms: {(median < 2000 ? "met" : "NOT met")}, < 400 MB: {(Median(peaks) < 400 ? "met" : "NOT met")})");
            }
            }

            if (rows.Contains("enable"))
            {
            var names = Enumerable.Range(0, enableCount).Select(NamespaceName).ToList();
            var others = Enumerable.Range(enableCount, enableCount).Select(NamespaceName).ToList();
            var list = Path.Combine(dir, "namespaces.txt");
            await File.WriteAllLinesAsync(list, names);
            Console.WriteLine($"==> Enable-IstioInjection on {enableCount:N0} namespaces (fresh pwsh, names from the pipeline) vs one kubectl label of all of them");
            var labelled = new List<long>();
            for (var i = 0; i < runs; i++)
            {
                var line = await RunPwshAsync(pwsh, $"Import-Module '{module}'; $n = Get-Content '{list}'; $sw = [Diagnostics.Stopwatch]::StartNew(); " +
                    $"$n | Enable-IstioInjection -Kubeconfig '{kubeconfig}' -WarningAction SilentlyContinue; $sw.ElapsedMilliseconds");
                if (long.TryParse(line, out var ms)) labelled.Add(ms);
                Console.WriteLine($"    run {i + 1}: IstioPS {line} ms");
            }

            long? kubectlLabel = null;

            if (kubectl)
            {
                // One run: kubectl labels one namespace after another (a GET and a PATCH each, client-side throttled).
                for (var i = 0; i < 1; i++)
                {
                    var sw = Stopwatch.StartNew();
                    var result = await RunKubectlAsync(kubeconfig, dir, ["label", "namespaces", .. others, "istio-injection=enabled", "--overwrite"]);
                    kubectlLabel = sw.ElapsedMilliseconds;
                    Console.WriteLine($"    run {i + 1}: kubectl label {sw.ElapsedMilliseconds:N0} ms ({result.Lines:N0} lines of output, exit {result.Exit})");
                }
            }

            if (labelled.Count > 0)
            {
                var median = Median(labelled);
                summary.Add($"Enable-IstioInjection on {enableCount:N0} namespaces, fresh pwsh: median {median:N0} ms (runs {string.Join(", ", labelled)})"
                    + (kubectlLabel is { } k ? $"; one kubectl label {k:N0} ms, kubectl/IstioPS {k / (double)median:0.0}x (target >= 3x: {(k >= 3 * median ? "met" : "NOT met")})" : " (target >= 3x faster than kubectl: no kubectl to compare)"));
            }
            }

            Console.WriteLine("==> Big-cluster rows against their targets");
            foreach (var line in summary) Console.WriteLine("    " + line);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Fills a server as <see cref="RunAsync"/> does, writes its kubeconfig and serves it until standard input closes.</summary>
    public static async Task ServeAsync(string kubeconfig, int namespaces, int podsPerNamespace)
    {
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        var fill = Stopwatch.StartNew();
        Fill(server, namespaces, podsPerNamespace);
        await QuiesceAsync(server);
        server.WriteKubeconfig(kubeconfig);
        Console.WriteLine($"KubeSim with {namespaces:N0} namespaces and {namespaces * podsPerNamespace:N0} pods (filled in {fill.Elapsed.TotalSeconds:0.0} s) listening on {server.Url}");
        await Console.In.ReadToEndAsync();
    }

    private static long Median(List<long> values) => values.Order().ElementAt(values.Count / 2);

    private static string NamespaceName(int i) => $"team-{i:00000}";

    /// <summary>
    /// Namespaces (a third enabled, a tenth on a revision) through the API's own create; their pods (a third with a
    /// sidecar) as a kubelet would leave them running, written straight into the store (a fill through the write
    /// path would take minutes on this machine and measure nothing the rows are about).
    /// </summary>
    private static void Fill(KubeSimServer server, int namespaces, int podsPerNamespace)
    {
        var options = new WriteOptions { FieldManager = "bench" };
        var nsType = server.Registry.Get("", "namespaces");
        var podType = server.Registry.Get("", "pods");
        for (var n = 0; n < namespaces; n++)
        {
            var labels = new JsonObject { ["team"] = $"t{n % 50}" };
            if (n % 3 == 0) labels["istio-injection"] = "enabled";
            else if (n % 10 == 1) labels["istio.io/rev"] = "canary";
            var name = NamespaceName(n);
            server.Service.Create(nsType, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels } }, options);
            for (var p = 0; p < podsPerNamespace; p++)
            {
                var sidecar = (n * podsPerNamespace + p) % 3 == 0;
                var pod = Pod($"app-{p % 4}-7f9c8d{p:0000}-x{n % 100:00}q", $"app-{p % 4}", sidecar);
                pod["apiVersion"] = "v1";
                pod["kind"] = "Pod";
                var meta = pod["metadata"]!.AsObject();
                meta["namespace"] = name;
                meta["uid"] = Guid.NewGuid().ToString();
                meta["creationTimestamp"] = "2026-01-01T00:00:00Z";
                pod["status"] = RunningStatus(sidecar);
                server.Store.Put(podType.StorageKey, pod);
            }
        }
    }

    private static JsonObject Pod(string name, string app, bool sidecar)
    {
        var containers = new JsonArray(new JsonObject
        {
            ["name"] = app, ["image"] = $"registry.example.com/{app}:1.4.2",
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8080, ["protocol"] = "TCP" }),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" } },
        });
        var labels = new JsonObject { ["app"] = app, ["pod-template-hash"] = "7f9c8d" };
        var annotations = new JsonObject();
        if (sidecar)
        {
            containers.Add(new JsonObject { ["name"] = "istio-proxy", ["image"] = "docker.io/istio/proxyv2:1.30.3", ["args"] = new JsonArray("proxy", "sidecar") });
            labels["istio.io/rev"] = "default";
            labels["security.istio.io/tlsMode"] = "istio";
            annotations["sidecar.istio.io/status"] = "{\"initContainers\":null,\"containers\":[\"istio-proxy\"],\"volumes\":null,\"imagePullSecrets\":null,\"revision\":\"default\"}";
        }

        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels, ["annotations"] = annotations },
            ["spec"] = new JsonObject { ["containers"] = containers, ["nodeName"] = "kubesim-node-1", ["restartPolicy"] = "Always" },
        };
    }

    private static JsonObject RunningStatus(bool sidecar)
    {
        var statuses = new JsonArray();
        foreach (var c in sidecar ? new[] { "app", "istio-proxy" } : new[] { "app" })
        {
            statuses.Add(new JsonObject
            {
                ["name"] = c, ["ready"] = true, ["restartCount"] = 0, ["started"] = true,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-01-01T00:00:00Z" } },
            });
        }

        return new JsonObject { ["phase"] = "Running", ["podIP"] = "10.244.0.10", ["startTime"] = "2026-01-01T00:00:00Z", ["containerStatuses"] = statuses };
    }

    /// <summary>Lets the controllers finish what the fill gave them.</summary>
    private static async Task QuiesceAsync(KubeSimServer server)
    {
        var rv = server.Store.CurrentRv;
        while (true)
        {
            await Task.Delay(500);
            var now = server.Store.CurrentRv;
            if (now == rv) return;
            rv = now;
        }
    }

    private static async Task<List<double>> PageTimesAsync(HttpClient http, string path, int limit, string accept)
    {
        var times = new List<double>();
        string? token = null;
        do
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{path}?limit={limit}" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token)));
            request.Headers.TryAddWithoutValidation("Accept", accept);
            var sw = Stopwatch.StartNew();
            using var response = await http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            times.Add(sw.Elapsed.TotalMilliseconds);
            using var doc = JsonDocument.Parse(bytes);
            token = doc.RootElement.GetProperty("metadata").TryGetProperty("continue", out var c) ? c.GetString() : null;
        }
        while (!string.IsNullOrEmpty(token));
        return times;
    }

    private static long WorkingSetMb()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64 / (1024 * 1024);
    }

    private static bool HasKubectl()
        => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(d => File.Exists(Path.Combine(d, "kubectl")));

    private static async Task<string> RunPwshAsync(string[] pwsh, string command)
    {
        var psi = new ProcessStartInfo(pwsh[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in pwsh.Skip(1).Concat(["-NoProfile", "-NonInteractive", "-Command", "$ErrorActionPreference = 'Stop'; " + command])) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = (await error).Trim();
        if (errors.Length > 0) Console.WriteLine($"    (pwsh wrote errors: {errors[..Math.Min(errors.Length, 600)]})");
        return p.ExitCode == 0 && lines.Length > 0 ? lines[^1] : $"exit {p.ExitCode}";
    }

    private static async Task<(int Exit, long Lines, long Bytes)> RunKubectlAsync(string kubeconfig, string dir, params string[] args)
    {
        var psi = new ProcessStartInfo("kubectl") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(dir, "kubectl-cache") }.Concat(args)) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEndAsync();
        long lines = 0, bytes = 0;
        var buffer = new char[65536];
        int read;
        while ((read = await p.StandardOutput.ReadAsync(buffer)) > 0)
        {
            bytes += read;
            for (var i = 0; i < read; i++) if (buffer[i] == '\n') lines++;
        }

        await p.WaitForExitAsync();
        await error;
        return (p.ExitCode, lines, bytes);
    }
}
