using System.Net;
using System.Text.Json.Nodes;
using KubeSim.Admission;
using KubeSim.Api;
using KubeSim.Controllers;
using KubeSim.Faults;
using KubeSim.Hosting;
using KubeSim.OpenApi;
using KubeSim.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KubeSim;

/// <summary>
/// A simulated Kubernetes API server on 127.0.0.1: in-memory storage, discovery, OpenAPI, tables, all verbs,
/// server-side apply, controllers, faults and a request log.
/// </summary>
public sealed class KubeSimServer : IAsyncDisposable
{
    readonly WebApplication _app;
    readonly ControllerManager _controllers;
    readonly FaultSet _faults = new();
    readonly RequestLog _log = new();
    readonly RequestPipeline _pipeline;
    readonly TlsCertificates? _tls;
    readonly CancellationTokenSource _stopping = new();
    readonly X509Certificate2? _clientCa;
    int _latencyMs;
    bool _stopped;

    KubeSimServer(KubeSimOptions options)
    {
        Discovery.DiscoveryDocuments.ParseVersion(options.ServerVersion);
        Permissions = new Permissions(options.Deny.Select(DenyRule.Parse));
        Options = options;
        _latencyMs = options.LatencyMs;
        Registry = new ResourceRegistry();
        Store = new ObjectStore(options.HistoryLimit);
        Service = new ResourceService(Store, Registry, new Defaults());
        Service.AdmissionPlugins.Add(new SidecarInjector());
        _controllers = new ControllerManager(Service, options);
        if (options.Tls) _tls = new TlsCertificates();
        if (options.ClientCaFile is not null && _tls is null) throw new ArgumentException("ClientCaFile needs Tls: client certificates come with TLS.");
        _clientCa = options.ClientCaFile is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(options.ClientCaFile));
        var clientCa = _clientCa;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = _tls is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (_tls is not null) listen.UseHttps(https =>
                {
                    https.ServerCertificate = _tls.Server;
                    if (clientCa is null) return;
                    // Ask for a certificate and take any: like kube-apiserver, the authenticator (not the handshake) judges it.
                    https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                    https.ClientCertificateValidation = (_, _, _) => true;
                });
            });
        });
        _app = builder.Build();
        var openApi = new OpenApiDocuments(Registry);
        var api = new ApiHandler(Service, openApi, () => $"127.0.0.1:{Url?.Port}", options, Permissions, _stopping.Token)
        {
            WatchTimeout = options.WatchTimeoutSeconds > 0 ? TimeSpan.FromSeconds(options.WatchTimeoutSeconds) : null,
        };
        _pipeline = new RequestPipeline(this, api, _faults, _log, options.Token, options.UserName, clientCa);
        _app.Run(_pipeline.HandleAsync);
    }

    public KubeSimOptions Options { get; }
    public ResourceRegistry Registry { get; }
    public ObjectStore Store { get; }
    /// <summary>Write semantics used by the HTTP API, available to tests for seeding objects.</summary>
    public ResourceService Service { get; }
    public Uri Url { get; private set; } = null!;
    /// <summary>Runs since the server was made; the request log's times are read from it.</summary>
    public System.Diagnostics.Stopwatch Uptime { get; } = System.Diagnostics.Stopwatch.StartNew();
    /// <summary>What the kubeconfig's user may not do; rules can be added while the server runs.</summary>
    public Permissions Permissions { get; }
    public string KubeconfigYaml { get; private set; } = "";
    /// <summary>PEM of the generated CA when TLS is on.</summary>
    public string? CaPem => _tls?.CaPem;
    /// <summary>Mutating admission plugins run on every create; a <see cref="SidecarInjector"/> is there from the start.</summary>
    public List<IAdmissionPlugin> AdmissionPlugins => Service.AdmissionPlugins;
    /// <summary>Last error a controller hit, for diagnosis.</summary>
    public Exception? LastControllerError => _controllers.LastError;

    public int LatencyMs
    {
        get => Volatile.Read(ref _latencyMs);
        set => Volatile.Write(ref _latencyMs, Math.Max(0, value));
    }

    public static async Task<KubeSimServer> StartAsync(KubeSimOptions? options = null, CancellationToken ct = default)
    {
        var server = new KubeSimServer(options ?? new KubeSimOptions());
        try
        {
            await server.StartCoreAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            // e.g. the port is taken: release the controllers and the host before reporting it.
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return server;
    }

    async Task StartCoreAsync(CancellationToken ct)
    {
        Bootstrap();
        await _pipeline.WarmAsync().ConfigureAwait(false);
        if (Options.Controllers)
        {
            _controllers.Start();
            _controllers.EnqueueExisting();
        }
        await _app.StartAsync(ct).ConfigureAwait(false);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        Url = new Uri($"{(_tls is null ? "http" : "https")}://127.0.0.1:{port}/");
        KubeconfigYaml = Kubeconfig.Build(Url, _tls?.CaPem, Options.Token);
    }

    void Bootstrap()
    {
        var options = new WriteOptions { FieldManager = "kube-apiserver" };
        var ns = Registry.Get("", "namespaces");
        foreach (var name in new[] { "default", "kube-node-lease", "kube-public", "kube-system" })
            Service.Create(ns, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } }, options);
        var node = Registry.Get("", "nodes");
        for (var i = 0; i < Math.Max(1, Options.Nodes); i++)
        {
            var n = PodLifecycle.NodeObject(i);
            var status = n["status"]!.DeepClone();
            Service.Create(node, null, n, new WriteOptions { FieldManager = "kubelet" });
            Service.Mutate(node, "", n.Name(), o => { o["status"] = status.DeepClone(); return true; }, "status", "kubelet");
        }
        Service.Create(Registry.Get("", "services"), "default", new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = "kubernetes",
                ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" },
            },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["protocol"] = "TCP", ["targetPort"] = 6443 }),
            },
        }, options);
    }

    public void WriteKubeconfig(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        File.WriteAllText(path, KubeconfigYaml);
    }

    public IReadOnlyList<RequestLogEntry> Requests => _log.Snapshot();
    public void ClearRequests() => _log.Clear();
    public void AddFault(FaultRule rule) => _faults.Add(rule);
    public void ClearFaults() => _faults.Clear();
    /// <summary>Compacts the history now: watches from any earlier resourceVersion, and earlier continue tokens, answer 410 Expired.</summary>
    public void Compact() => Store.Compact();

    // ---- typed helpers for tests ----

    ResourceType TypeFor(JsonObject obj) =>
        Registry.FindKind(obj.Str("apiVersion") ?? "", obj.Str("kind") ?? "")
        ?? throw new ArgumentException($"no resource serves {obj.Str("apiVersion")} {obj.Str("kind")}");

    /// <summary>Creates an object directly (no HTTP, not logged). Returns the stored JSON.</summary>
    public JsonObject Seed(JsonObject obj) =>
        Copy(Service.Create(TypeFor(obj), obj.Namespace(), obj.Clone(), new WriteOptions { FieldManager = "kubesim-seed" }));

    /// <summary>A fresh node tree parsed from the stored bytes, so numbers convert like any parsed JSON.</summary>
    static JsonObject Copy(StoredObject stored) => Json.Parse(stored.Json);

    /// <summary>Reads an object from the store (null when absent).</summary>
    public JsonObject? Read(string apiVersion, string kind, string? ns, string name)
    {
        var rt = Registry.FindKind(apiVersion, kind) ?? throw new ArgumentException($"no resource serves {apiVersion} {kind}");
        var stored = Store.Get(rt.StorageKey, rt.Namespaced ? ns ?? "" : "", name);
        return stored is null ? null : Copy(stored);
    }

    /// <summary>Every stored object of a kind (one namespace when given).</summary>
    public IReadOnlyList<JsonObject> ReadAll(string apiVersion, string kind, string? ns = null)
    {
        var rt = Registry.FindKind(apiVersion, kind) ?? throw new ArgumentException($"no resource serves {apiVersion} {kind}");
        return Store.List(rt.StorageKey, ns).Select(Copy).ToList();
    }

    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        _stopping.Cancel();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            try { await _app.StopAsync(cts.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
        }
        await _controllers.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _tls?.Dispose();
        _clientCa?.Dispose();
        _stopping.Dispose();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>No console hooks: the process entry point handles signals itself.</summary>
    sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
