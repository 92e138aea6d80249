using System.Diagnostics;

namespace KubeSim.Tests;

/// <summary>Runs the real kubectl (skipped when it is not on the PATH) against an in-process server.</summary>
public sealed class Kubectl : IAsyncDisposable
{
    readonly string _cacheDir;

    Kubectl(SimClient sim)
    {
        Sim = sim;
        _cacheDir = Path.Combine(sim.Directory, "kubectl-cache");
    }

    public SimClient Sim { get; }

    public static string? Path_ { get; } = FindOnPath("kubectl");

    public static async Task<Kubectl> StartAsync(KubeSimOptions? options = null)
    {
        Skip.If(Path_ is null, "kubectl is not on the PATH");
#pragma warning disable CA2000 // the Kubectl owns the simulator and disposes it in DisposeAsync
        return new Kubectl(await SimClient.StartAsync(options ?? new KubeSimOptions { ReadyAfterMs = 30 }));
#pragma warning restore CA2000
    }

    static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public async Task<(int Exit, string Out, string Err)> Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Path_!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--kubeconfig");
        psi.ArgumentList.Add(Sim.KubeconfigPath);
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cacheDir);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment.Remove("KUBECONFIG");
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kubectl and asserts it succeeded, returning its standard output.</summary>
    public async Task<string> Ok(params string[] args)
    {
        var (exit, stdout, stderr) = await Run(args);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {stderr}{stdout}");
        Assert.DoesNotContain("error", stderr, StringComparison.OrdinalIgnoreCase);
        return stdout;
    }

    public ValueTask DisposeAsync() => Sim.DisposeAsync();

    /// <summary>The Istio release folder: $ISTIOPS_ISTIO_DATA or ../shared/istio beside the repository.</summary>
    public static string? IstioRelease()
    {
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("ISTIOPS_ISTIO_DATA") is { Length: > 0 } env) roots.Add(env);
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "tests", "KubeSim"))) dir = dir.Parent;
        if (dir?.Parent is not null) roots.Add(Path.Combine(dir.Parent.FullName, "shared", "istio"));
        foreach (var root in roots)
        {
            var release = Path.Combine(root, "releases", "istio-1.30.3");
            if (Directory.Exists(release)) return release;
        }
        return null;
    }
}

public class KubectlTests
{
    static string Lines(string text, int skip = 1) => string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(skip));

    [SkippableFact]
    public async Task GetAndLabelNamespacesWithLabelColumns()
    {
        await using var k = await Kubectl.StartAsync();
        await k.Ok("create", "namespace", "mesh");
        var table = await k.Ok("get", "ns", "-L", "istio-injection");
        var header = table.Split('\n')[0];
        Assert.Matches(@"^NAME\s+STATUS\s+AGE\s+ISTIO-INJECTION$", header);
        Assert.Matches(@"(?m)^mesh\s+Active\s+\d+s\s*$", table);

        Assert.Equal("namespace/mesh labeled\n", await k.Ok("label", "ns", "mesh", "istio-injection=enabled"));
        Assert.Matches(@"(?m)^mesh\s+Active\s+\S+\s+enabled$", await k.Ok("get", "namespace", "-L", "istio-injection"));
        Assert.Equal("namespace/mesh unlabeled\n", await k.Ok("label", "ns", "mesh", "istio-injection-"));
        Assert.Matches(@"(?m)^mesh\s+Active\s+\S+\s*$", await k.Ok("get", "ns", "mesh", "-L", "istio-injection"));

        var (exit, _, err) = await k.Run("get", "ns", "nope");
        Assert.Equal(1, exit);
        Assert.Contains("Error from server (NotFound): namespaces \"nope\" not found", err);
        var (badExit, _, badErr) = await k.Run("create", "namespace", "Bad_Name");
        Assert.Equal(1, badExit);
        Assert.Contains("is invalid", badErr);
    }

    [SkippableFact]
    public async Task ServerSideApplyOfIstioCrdsAndAddonsThenRolloutAndDelete()
    {
        var release = Kubectl.IstioRelease();
        Skip.If(release is null, "the Istio release folder (../shared/istio or $ISTIOPS_ISTIO_DATA) is absent");
        await using var k = await Kubectl.StartAsync();
        var crds = Path.Combine(release!, "manifests", "charts", "base", "files", "crd-all.gen.yaml");
        var applied = await k.Ok("apply", "--server-side", "-f", crds);
        Assert.Equal(15, applied.Split('\n').Count(l => l.EndsWith("serverside-applied")));
        await k.Ok("wait", "--for=condition=Established", "--timeout=30s", "-f", crds);
        var crdVersions = await k.Ok("get", "crds", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");
        Assert.Equal(15, (await k.Ok("apply", "--server-side", "-f", crds)).Split('\n').Count(l => l.EndsWith("serverside-applied")));
        Assert.Equal(crdVersions, await k.Ok("get", "crds", "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}"));
        var crdTable = await k.Ok("get", "crds");
        Assert.Matches(@"^NAME\s+CREATED AT", crdTable);
        Assert.Equal(15, crdTable.Split('\n').Count(l => l.Contains(".istio.io ")));

        await k.Ok("create", "namespace", "istio-system");
        var addons = Path.Combine(release!, "samples", "addons");
        var addonOut = await k.Ok("apply", "--server-side", "-f", addons);
        Assert.Contains("deployment.apps/grafana serverside-applied", addonOut);
        Assert.Contains("statefulset.apps/loki serverside-applied", addonOut);

        Assert.Contains("deployment \"grafana\" successfully rolled out", await k.Ok("-n", "istio-system", "rollout", "status", "deployment/grafana", "--timeout=30s"));
        Assert.Contains("deployment \"prometheus\" successfully rolled out", await k.Ok("-n", "istio-system", "rollout", "status", "deploy/prometheus", "--timeout=30s"));
        Assert.Contains("roll out complete", await k.Ok("-n", "istio-system", "rollout", "status", "statefulset/loki", "--timeout=30s"));

        var pods = await k.Ok("-n", "istio-system", "get", "pods");
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", pods);
        var rows = Lines(pods).Split('\n');
        Assert.Equal(5, rows.Length);
        Assert.All(rows, r => Assert.Matches(@"^\S+\s+(\d+)/\1\s+Running\s+0\s+\S+$", r));

        var deployments = await k.Ok("-n", "istio-system", "get", "deploy");
        Assert.Matches(@"^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE", deployments);
        Assert.Matches(@"(?m)^grafana\s+1/1\s+1\s+1\s+\S+$", deployments);

        var gen = await k.Ok("-n", "istio-system", "get", "deploy", "grafana", "-o", "jsonpath={.metadata.resourceVersion}/{.metadata.generation}");
        await k.Ok("apply", "--server-side", "-f", addons);
        Assert.Equal(gen, await k.Ok("-n", "istio-system", "get", "deploy", "grafana", "-o", "jsonpath={.metadata.resourceVersion}/{.metadata.generation}"));

        var all = await k.Ok("get", "all", "-n", "istio-system");
        Assert.Contains("service/grafana", all);
        Assert.Contains("deployment.apps/kiali", all);
        Assert.Contains("replicaset.apps/", all);
        Assert.Contains("statefulset.apps/loki", all);

        var grafana = Path.Combine(addons, "grafana.yaml");
        var got = await k.Ok("get", "-f", grafana);
        Assert.Contains("deployment.apps/grafana", got);
        Assert.Contains("service/grafana", got);

        Assert.Equal("No resources found\n", (await k.Run("get", "vs", "-A")).Err);
        var deleted = await k.Ok("delete", "-f", grafana);
        Assert.Contains("deployment.apps \"grafana\" deleted", deleted);
        var (exit, _, err) = await k.Run("-n", "istio-system", "get", "deploy", "grafana");
        Assert.Equal(1, exit);
        Assert.Contains("NotFound", err);
        await Eventually.Until(() => !k.Sim.Server.ReadAll("v1", "Pod", "istio-system").Any(p => p["metadata"]!["name"]!.ToString().StartsWith("grafana-")), "grafana pods collected");
    }

    [SkippableFact]
    public async Task ClientSideApplyTwiceReportsUnchanged()
    {
        var release = Kubectl.IstioRelease();
        Skip.If(release is null, "the Istio release folder (../shared/istio or $ISTIOPS_ISTIO_DATA) is absent");
        await using var k = await Kubectl.StartAsync();
        await k.Ok("create", "namespace", "istio-system");
        // Not grafana.yaml or prometheus.yaml: their explicit "strategy: {type: ...}" makes kubectl send a
        // $retainKeys patch on every apply, on a real cluster too ("configured").
        var kiali = Path.Combine(release!, "samples", "addons", "kiali.yaml");
        var jaeger = Path.Combine(release!, "samples", "addons", "jaeger.yaml");
        var first = await k.Ok("apply", "-f", kiali, "-f", jaeger);
        Assert.Contains("deployment.apps/kiali created", first);
        Assert.Contains("clusterrole.rbac.authorization.k8s.io/kiali created", first);
        var second = await k.Ok("apply", "-f", kiali, "-f", jaeger);
        var lines = second.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(first.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length, lines.Length);
        Assert.All(lines, l => Assert.EndsWith(" unchanged", l));
    }

    [SkippableFact]
    public async Task EveryBuiltInKindAppliesClientAndServerSide()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        var file = Path.Combine(AppContext.BaseDirectory, "Manifests", "all-kinds.yaml");
        var created = (await k.Ok("apply", "-f", file)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(21, created.Length);
        Assert.All(created, l => Assert.EndsWith(" created", l));
        // kubectl always re-sends a PodDisruptionBudget's selector (patch strategy "replace"), as on a real cluster,
        // and a webhook's rules (replaced whole): the server defaulted their scope, which the file leaves out.
        var again = (await k.Ok("apply", "-f", file)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["mutatingwebhookconfiguration.admissionregistration.k8s.io/kinds-mutator configured",
                "validatingwebhookconfiguration.admissionregistration.k8s.io/kinds-validator configured",
                "poddisruptionbudget.policy/web configured"],
            again.Where(l => !l.EndsWith(" unchanged")));

        var versions = await k.Ok("get", "-f", file, "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");
        Assert.All((await k.Ok("apply", "--server-side", "-f", file)).Split('\n', StringSplitOptions.RemoveEmptyEntries), l => Assert.EndsWith(" serverside-applied", l));
        var afterFirst = await k.Ok("get", "-f", file, "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}");
        await k.Ok("apply", "--server-side", "-f", file);
        Assert.Equal(afterFirst, await k.Ok("get", "-f", file, "-o", "jsonpath={range .items[*]}{.metadata.resourceVersion} {end}"));
        Assert.NotEqual("", versions);

        Assert.Contains("deployment \"web\" successfully rolled out", await k.Ok("-n", "kinds", "rollout", "status", "deploy/web", "--timeout=30s"));
        Assert.Contains("daemon set \"agent\" successfully rolled out", await k.Ok("-n", "kinds", "rollout", "status", "ds/agent", "--timeout=30s"));
        await Eventually.Until(() => (int?)k.Sim.Server.Read("policy/v1", "PodDisruptionBudget", "kinds", "web")!["status"]?["disruptionsAllowed"] == 1
            && (int?)k.Sim.Server.Read("autoscaling/v2", "HorizontalPodAutoscaler", "kinds", "web")!["status"]?["currentReplicas"] == 2, "budget and autoscaler status");
        var tables = await k.Ok("-n", "kinds", "get", "ds,sts,job,pdb,hpa,netpol,lease,role,rolebinding,ep");
        Assert.Matches(@"(?m)^daemonset\.apps/agent\s+1\s+1\s+\d\s+1\s+\d\s+kubernetes\.io/os=linux\s+\S+$", tables);
        Assert.Matches(@"(?m)^poddisruptionbudget\.policy/web\s+1\s+N/A\s+1\s+\S+$", tables);
        Assert.Matches(@"(?m)^horizontalpodautoscaler\.autoscaling/web\s+Deployment/web\s+<unknown>\s+1\s+3\s+2\s+\S+$", tables);
        Assert.Matches(@"(?m)^rolebinding\.rbac\.authorization\.k8s\.io/reader\s+Role/reader\s+\S+$", tables);
        Assert.Matches(@"(?m)^endpoints/external\s+10\.1\.2\.3:443\s+\S+$", tables);

        // kubectl deletes in file order, the namespace first. As on a real cluster, the namespace goes Terminating and
        // the namespace controller removes its content asynchronously, so a later object of the file may already be
        // gone (NotFound) by the time kubectl gets to it: whether it is depends on timing, hence --ignore-not-found.
        Assert.Contains("namespace \"kinds\" deleted", await k.Ok("delete", "-f", file, "--ignore-not-found"));
        await Eventually.Until(() => k.Sim.Server.Read("v1", "Namespace", null, "kinds") is null, "namespace gone");
        Assert.Null(k.Sim.Server.Read("rbac.authorization.k8s.io/v1", "ClusterRole", null, "kinds-reader"));
        Assert.Equal("", (await k.Ok("get", "-f", file, "--ignore-not-found")).Trim());
    }

    /// <summary>
    /// A CRD's delete as kubectl sees it from kube-apiserver: with --wait=false it comes back still there, marked for
    /// deletion with the cleanup finalizer and Terminating; kubectl wait --for=delete then sees it go, its custom
    /// resources with it.
    /// </summary>
    [SkippableFact]
    public async Task DeletingACrdLeavesItTerminatingUntilItsCustomResourcesAreGone()
    {
        var release = Kubectl.IstioRelease();
        Skip.If(release is null, "the Istio release folder (../shared/istio or $ISTIOPS_ISTIO_DATA) is absent");
        await using var k = await Kubectl.StartAsync();
        await k.Ok("apply", "--server-side", "-f", Path.Combine(release!, "manifests", "charts", "base", "files", "crd-all.gen.yaml"));
        await k.Ok("wait", "--for=condition=Established", "--timeout=30s", "crd/peerauthentications.security.istio.io");
        var pa = Path.Combine(k.Sim.Directory, "pa.yaml");
        await File.WriteAllTextAsync(pa, """
            apiVersion: security.istio.io/v1
            kind: PeerAuthentication
            metadata:
              name: default
              namespace: default
            spec:
              mtls: {mode: STRICT}
            """);
        await k.Ok("apply", "-f", pa);

        Assert.Contains("customresourcedefinition.apiextensions.k8s.io \"peerauthentications.security.istio.io\" deleted",
            await k.Ok("delete", "crd", "peerauthentications.security.istio.io", "--wait=false"));
        var marked = await k.Run("get", "crd", "peerauthentications.security.istio.io", "-o",
            "jsonpath={.metadata.finalizers[*]} {.metadata.deletionTimestamp} {.status.conditions[?(@.type==\"Terminating\")].status}");
        // Either still marked (the usual case), or already gone if the cleanup beat the read.
        if (marked.Exit == 0) Assert.Matches(@"^customresourcecleanup\.apiextensions\.k8s\.io \d{4}-\d\d-\d\dT\S+Z True$", marked.Out);
        else Assert.Contains("NotFound", marked.Err);
        await k.Ok("wait", "--for=delete", "--timeout=30s", "crd/peerauthentications.security.istio.io");
        var (exit, _, err) = await k.Run("get", "peerauthentications", "-A");
        Assert.NotEqual(0, exit);
        // kubectl's discovery cache still knows the kind; the server no longer serves it.
        Assert.Contains("Error from server (NotFound)", err);
    }

    [SkippableFact]
    public async Task CustomResourcesByShortNameWithPrinterColumns()
    {
        var release = Kubectl.IstioRelease();
        Skip.If(release is null, "the Istio release folder (../shared/istio or $ISTIOPS_ISTIO_DATA) is absent");
        await using var k = await Kubectl.StartAsync();
        await k.Ok("apply", "--server-side", "-f", Path.Combine(release!, "manifests", "charts", "base", "files", "crd-all.gen.yaml"));
        var vs = Path.Combine(k.Sim.Directory, "vs.yaml");
        await File.WriteAllTextAsync(vs, """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: reviews
              namespace: default
            spec:
              hosts: [reviews]
              gateways: [mesh]
              http:
              - route:
                - destination:
                    host: reviews
            """);
        Assert.Contains("virtualservice.networking.istio.io/reviews created", await k.Ok("apply", "-f", vs));
        Assert.Contains("unchanged", await k.Ok("apply", "-f", vs));
        var table = await k.Ok("get", "vs");
        Assert.Matches(@"^NAME\s+GATEWAYS\s+HOSTS\s+AGE", table);
        Assert.Matches(@"(?m)^reviews\s+\[""mesh""\]\s+\[""reviews""\]\s+\S+$", table);
    }

    [SkippableFact]
    public async Task ImperativeCreatesSendProtobufBodies()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        await k.Ok("create", "namespace", "demo");
        Assert.Equal("deployment.apps/web created\n", await k.Ok("-n", "demo", "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "--port=80"));
        await k.Ok("-n", "demo", "create", "service", "nodeport", "web", "--tcp=80:8080");
        await k.Ok("-n", "demo", "create", "secret", "generic", "creds", "--from-literal=user=admin");
        await k.Ok("-n", "demo", "create", "role", "reader", "--verb=get,list", "--resource=pods");
        await k.Ok("-n", "demo", "create", "rolebinding", "reader", "--role=reader", "--serviceaccount=demo:default");
        await k.Ok("-n", "demo", "create", "job", "once", "--image=busybox");
        Assert.All(k.Sim.Server.Requests.Where(r => r.Method == "POST"), r => Assert.Equal("application/vnd.kubernetes.protobuf", r.ContentType));

        Assert.Contains("deployment \"web\" successfully rolled out", await k.Ok("-n", "demo", "rollout", "status", "deploy/web", "--timeout=30s"));
        var deployment = k.Sim.Server.Read("apps/v1", "Deployment", "demo", "web")!;
        var container = deployment["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("nginx:1.27", (string?)container["image"]);
        Assert.Equal(80, (int?)container["ports"]![0]!["containerPort"]);
        Assert.Equal("web", (string?)deployment["spec"]!["selector"]!["matchLabels"]!["app"]);
        var service = k.Sim.Server.Read("v1", "Service", "demo", "web")!;
        Assert.Equal(8080, (int?)service["spec"]!["ports"]![0]!["targetPort"]);
        Assert.Equal("NodePort", (string?)service["spec"]!["type"]);
        var secret = k.Sim.Server.Read("v1", "Secret", "demo", "creds")!;
        Assert.Equal("Opaque", (string?)secret["type"]);
        Assert.Equal(Convert.ToBase64String("admin"u8.ToArray()), (string?)secret["data"]!["user"]);
        Assert.Equal("Role", (string?)k.Sim.Server.Read("rbac.authorization.k8s.io/v1", "RoleBinding", "demo", "reader")!["roleRef"]!["kind"]);
        await Eventually.Until(() => k.Sim.Server.Read("batch/v1", "Job", "demo", "once")!["status"]?["succeeded"] is not null, "job complete");

        await k.Ok("-n", "demo", "set", "image", "deployment/web", "nginx=nginx:1.28");
        await k.Ok("-n", "demo", "rollout", "status", "deploy/web", "--timeout=30s");
        Assert.Equal("deployment.apps/web rolled back\n", await k.Ok("-n", "demo", "rollout", "undo", "deploy/web"));
        await k.Ok("-n", "demo", "rollout", "status", "deploy/web", "--timeout=30s");
        Assert.Equal("nginx:1.27", await k.Ok("-n", "demo", "get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}"));
        Assert.Equal(2, k.Sim.Server.ReadAll("apps/v1", "ReplicaSet", "demo").Count(rs => rs["metadata"]!["name"]!.ToString().StartsWith("web-")));
        Assert.Matches(@"(?m)^2\s+<none>\s*\n3\s+<none>", await k.Ok("-n", "demo", "rollout", "history", "deploy/web"));
    }

    [SkippableFact]
    public async Task TlsAndTokenFromTheKubeconfigAreUsed()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { Tls = true, Token = "kube-t0ken", ReadyAfterMs = 10 });
        Assert.StartsWith("https://", k.Sim.Server.Url.ToString());
        Assert.Contains("namespace/secure created", await k.Ok("create", "namespace", "secure"));
        Assert.Contains("secure", await k.Ok("get", "ns"));
        var (exit, _, err) = await k.Run("--token", "wrong", "get", "ns");
        Assert.Equal(1, exit);
        Assert.Contains("Unauthorized", err);
        // A kubeconfig trusting another CA: kubectl refuses the server.
        using var otherCa = new KubeSim.Hosting.TlsCertificates();
        var foreign = Path.Combine(k.Sim.Directory, "foreign-kubeconfig");
        await File.WriteAllTextAsync(foreign, KubeSim.Hosting.Kubeconfig.Build(k.Sim.Server.Url, otherCa.CaPem, "kube-t0ken"));
        var (untrustedExit, _, untrustedErr) = await k.Run("--kubeconfig", foreign, "get", "ns");
        Assert.Equal(1, untrustedExit);
        Assert.Contains("certificate signed by unknown authority", untrustedErr);
    }

    [SkippableFact]
    public async Task DiscoveryCategoriesAndShortNames()
    {
        await using var k = await Kubectl.StartAsync();
        var resources = await k.Ok("api-resources");
        Assert.Matches(@"(?m)^deployments\s+deploy\s+apps/v1\s+true\s+Deployment$", resources);
        Assert.Matches(@"(?m)^namespaces\s+ns\s+v1\s+false\s+Namespace$", resources);
        Assert.Matches(@"(?m)^customresourcedefinitions\s+crd,crds\s+apiextensions.k8s.io/v1\s+false\s+CustomResourceDefinition$", resources);
        Assert.DoesNotContain("v1beta1", await k.Ok("api-versions"));
        var services = await k.Ok("get", "svc", "-n", "default");
        Assert.Matches(@"(?m)^kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443/TCP\s+\S+$", services);
        Assert.Contains("kubesim-node-1", await k.Ok("get", "no"));
        Assert.Contains("service/kubernetes", await k.Ok("get", "all", "-n", "default"));
        Assert.Contains("v1.32", await k.Ok("version"));
        Assert.Equal("yes\n", await k.Ok("auth", "can-i", "create", "deployments", "-n", "istio-system"));
    }
}
