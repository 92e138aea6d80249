using IstioPS.Engine.Apply;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Plan;
using KubeSim;
using KubeSim.Hosting;
using Xunit;

namespace IstioPS.Tests;

/// <summary>Where the repository and the shared Istio data are.</summary>
public static class TestData
{
    public static string RepoRoot { get; } = FindRoot();

    /// <summary>$ISTIOPS_ISTIO_DATA, else ../shared/istio beside the repository; null when absent.</summary>
    public static string? IstioRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("ISTIOPS_ISTIO_DATA");
            var path = !string.IsNullOrEmpty(env) ? env : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "istio"));
            return Directory.Exists(path) ? path : null;
        }
    }

    public static string Release => Path.Combine(RequireIstio(), "releases", "istio-1.30.3");
    public static string CrdFile => Path.Combine(Release, "manifests", "charts", "base", "files", "crd-all.gen.yaml");
    public static string Addons => Path.Combine(Release, "samples", "addons");

    public static string RequireIstio()
    {
        Skip.If(IstioRoot is null, "Istio data not found: set ISTIOPS_ISTIO_DATA or place it at ../shared/istio beside the repository.");
        return IstioRoot!;
    }

    public static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "istiops-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string WriteTemp(string name, string content)
    {
        var path = Path.Combine(TempDir(), name);
        File.WriteAllText(path, content);
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IstioPS.sln"))) dir = dir.Parent;
        return dir?.FullName ?? Directory.GetCurrentDirectory();
    }
}

/// <summary>A simulated cluster for one test, with a kubeconfig and a connected client.</summary>
public sealed class Sim : IAsyncDisposable
{
    private Sim(KubeSimServer server, string kubeconfig)
    {
        Server = server;
        Kubeconfig = kubeconfig;
        Api = KubeApi.Connect(new KubeConnectionOptions(kubeconfig) { MaxRetries = 5 });
    }

    public KubeSimServer Server { get; }
    public string Kubeconfig { get; }
    public KubeApi Api { get; }

    public static async Task<Sim> StartAsync(KubeSimOptions? options = null)
    {
        var server = await KubeSimServer.StartAsync(options ?? new KubeSimOptions { ReadyAfterMs = 50 });
        var path = Path.Combine(TestData.TempDir(), "kubeconfig");
        server.WriteKubeconfig(path);
        return new Sim(server, path);
    }

    /// <summary>The plan of an install into this cluster (reads and dry runs only).</summary>
    public Task<InstallPlan> PlanAsync(InstallRequest request, CancellationToken ct = default)
        => new Installer(Api).PlanAsync(request, new OperationCallbacks(), ct);

    /// <summary>An install into this cluster.</summary>
    public Task<InstallResult?> InstallAsync(InstallRequest request, OperationCallbacks? callbacks = null, CancellationToken ct = default)
        => new Installer(Api).InstallAsync(request, callbacks ?? new OperationCallbacks(), ct);

    /// <summary>Requests that could change state: neither reads nor dry runs.</summary>
    public IReadOnlyList<RequestLogEntry> Writes() => Server.Requests.Where(r => r.IsWrite).ToList();

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>The small application the engine tests install, plan and uninstall: a Deployment, its Service and a ConfigMap in "apps".</summary>
public static class AppManifests
{
    public const string Deployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: apps
        spec:
          replicas: 2
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              containers:
              - name: web
                image: example/web:1.0
        """;

    public const string Service = """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: apps
        spec:
          selector: {app: web}
          ports:
          - name: http
            port: 80
        """;

    public const string Config = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-config
          namespace: apps
        data:
          a: b
        """;

    /// <summary>The Service and the ConfigMap (no workload to wait for).</summary>
    public const string ServiceAndConfig = Service + "\n---\n" + Config;

    /// <summary>All three.</summary>
    public const string Workload = Deployment + "\n---\n" + Service + "\n---\n" + Config;
}
