using System.Globalization;
using System.Runtime.InteropServices;

namespace KubeSim;

/// <summary>
/// Process mode: writes a kubeconfig, prints "KubeSim listening on URL" and serves until SIGTERM/SIGINT or
/// until standard input closes.
/// </summary>
public static class Program
{
    const string Usage = "usage: KubeSim --kubeconfig <file> [--port <n>] [--latency-ms <n>] [--ready-after-ms <n>] [--nodes <n>] [--fail-image <regex>] [--tls] [--token <t>] [--client-ca-file <pem>] [--aggregated-discovery] [--watch-timeout-seconds <n>] [--history-limit <n>] [--server-version <major.minor[.patch]>] [--user <name>] [--deny <verbs:resources[:namespaces][@subjects]>]... [--no-istiod]";

    public static async Task<int> Main(string[] args)
    {
        var options = new KubeSimOptions();
        string? kubeconfig = null;
        try
        {
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
                switch (args[i])
                {
                    case "--kubeconfig": kubeconfig = Next(); break;
                    case "--port": options.Port = Int(); break;
                    case "--latency-ms": options.LatencyMs = Int(); break;
                    case "--ready-after-ms": options.ReadyAfterMs = Int(); break;
                    case "--nodes": options.Nodes = Int(); break;
                    case "--fail-image": options.FailImage = Next(); break;
                    case "--tls": options.Tls = true; break;
                    case "--token": options.Token = Next(); break;
                    case "--client-ca-file": options.ClientCaFile = Next(); break;
                    case "--aggregated-discovery": options.AggregatedDiscovery = true; break;
                    case "--server-version": options.ServerVersion = Next(); break;
                    case "--user": options.UserName = Next(); break;
                    case "--istiod": options.Istiod = true; break;
                    case "--no-istiod": options.Istiod = false; break;
                    case "--deny": options.Deny.Add(Api.DenyRule.Parse(Next()).ToString()); break;
                    case "--watch-timeout-seconds": options.WatchTimeoutSeconds = Int(); break;
                    case "--history-limit": options.HistoryLimit = Int(); break;
                    case "-h" or "--help": Console.Out.WriteLine(Usage); return 0;
                    default: throw new ArgumentException($"unknown argument {args[i]}");
                }
            }
            if (kubeconfig is null) throw new ArgumentException("--kubeconfig is required");
            Discovery.DiscoveryDocuments.ParseVersion(options.ServerVersion);
            if (options.FailImage is not null) _ = new System.Text.RegularExpressions.Regex(options.FailImage);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine($"KubeSim: {e.Message}");
            Console.Error.WriteLine(Usage);
            return 2;
        }

        await using var server = await TryStartAsync(options);
        if (server is null) return 1;
        server.WriteKubeconfig(kubeconfig);
        Console.Out.WriteLine($"KubeSim listening on {server.Url.ToString().TrimEnd('/')}");
        Console.Out.Flush();

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; done.TrySetResult(); });
        using var intr = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; done.TrySetResult(); });
        _ = Task.Run(async () =>
        {
            var stdin = Console.OpenStandardInput();
            var buffer = new byte[256];
            try
            {
                while (await stdin.ReadAsync(buffer) > 0) { }
            }
            catch (IOException) { }
            done.TrySetResult();
        });
        await done.Task;
        await server.StopAsync();
        return 0;
    }

    static async Task<KubeSimServer?> TryStartAsync(KubeSimOptions options)
    {
        try
        {
            return await KubeSimServer.StartAsync(options);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"KubeSim: cannot listen on 127.0.0.1:{options.Port}: {e.Message}");
            return null;
        }
    }
}
