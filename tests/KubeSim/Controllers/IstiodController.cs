using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// What a running istiod does to the cluster (Istio's pkg/webhooks and its namespace controller), for every
/// revision whose istiod Deployment (label app=istiod, revision from istio.io/rev) has an available replica:
/// <list type="bullet">
/// <item>the webhook patcher writes the mesh CA into <c>clientConfig.caBundle</c> of each
/// "*sidecar-injector.istio.io" webhook of the MutatingWebhookConfigurations labelled with its revision
/// (revision-tag configurations carry the revision too);</item>
/// <item>the validation controller writes it into every webhook of the ValidatingWebhookConfigurations
/// labelled with its revision and switches their <c>failurePolicy</c> to <c>Fail</c>;</item>
/// <item>the namespace controller keeps a ConfigMap <c>istio-ca-root-cert</c> (label istio.io/config=true,
/// key root-cert.pem) in every namespace but kube-public, kube-node-lease and local-path-storage, new ones too.</item>
/// </list>
/// All writes are updates (PUT semantics) by field manager <c>pilot-discovery</c>, and only when something
/// differs. When no istiod of a revision is available any more, nothing is written for it.
/// </summary>
public sealed class IstiodController(ControllerManager m)
{
    public const string FieldManager = "pilot-discovery";
    public const string RootCertConfigMap = "istio-ca-root-cert";
    public const string RootCertKey = "root-cert.pem";
    const string InjectorSuffix = "sidecar-injector.istio.io";
    static readonly string[] IgnoredNamespaces = ["kube-public", "kube-node-lease", "local-path-storage"];

    public static readonly WorkItem Sweep = new("istiod", "", "");

    /// <summary>The simulated mesh CA (self-signed, O=cluster.local), made once per server.</summary>
    public string RootCertPem { get; } = NewRootCert();

    /// <summary>Enqueues a sweep for the objects whose changes matter.</summary>
    public void Observe(StoreEvent e)
    {
        switch (e.Object.StorageKey)
        {
            case "apps/deployments" when IsIstiod(e.Object.Object) || (e.Old is not null && IsIstiod(e.Old.Object)):
            case "admissionregistration.k8s.io/mutatingwebhookconfigurations":
            case "admissionregistration.k8s.io/validatingwebhookconfigurations":
            case "/namespaces":
            case "/configmaps" when e.Object.Name == RootCertConfigMap:
                m.Enqueue(Sweep);
                break;
        }
    }

    static bool IsIstiod(JsonObject deployment) => deployment.Labels().GetValueOrDefault("app") == "istiod";

    /// <summary>Revisions with an istiod Deployment that has an available replica.</summary>
    public HashSet<string> ReadyRevisions()
    {
        var ready = new HashSet<string>(StringComparer.Ordinal);
        foreach (var d in m.Store.List(m.Type("apps", "deployments").StorageKey))
        {
            var o = d.Object;
            if (!IsIstiod(o) || Conditions.IsTerminating(o)) continue;
            if ((o.At("status").Long("availableReplicas") ?? 0) < 1) continue;
            ready.Add(o.Labels().GetValueOrDefault("istio.io/rev") is { Length: > 0 } rev ? rev : "default");
        }
        return ready;
    }

    public void Reconcile(WorkItem item)
    {
        var revisions = ReadyRevisions();
        if (revisions.Count == 0) return;
        var caBundle = Convert.ToBase64String(Encoding.ASCII.GetBytes(RootCertPem));
        PatchWebhooks(m.Type("admissionregistration.k8s.io", "mutatingwebhookconfigurations"), revisions, hook =>
            (hook.Str("name") ?? "").EndsWith(InjectorSuffix, StringComparison.Ordinal) && SetCaBundle(hook, caBundle));
        PatchWebhooks(m.Type("admissionregistration.k8s.io", "validatingwebhookconfigurations"), revisions, hook =>
        {
            var changed = SetCaBundle(hook, caBundle);
            if (hook.Str("failurePolicy") == "Fail") return changed;
            hook["failurePolicy"] = "Fail";
            return true;
        });
        KeepRootCertConfigMaps();
    }

    static bool SetCaBundle(JsonObject hook, string caBundle)
    {
        var clientConfig = hook.Obj("clientConfig");
        if (clientConfig.Str("caBundle") == caBundle) return false;
        clientConfig["caBundle"] = caBundle;
        return true;
    }

    void PatchWebhooks(ResourceType rt, HashSet<string> revisions, Func<JsonObject, bool> patch)
    {
        foreach (var config in m.Store.List(rt.StorageKey))
        {
            if (!config.Object.Labels().TryGetValue("istio.io/rev", out var rev) || !revisions.Contains(rev)) continue;
            m.Service.Mutate(rt, "", config.Name, o =>
            {
                var changed = false;
                foreach (var hook in (o["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
                    changed |= patch(hook);
                return changed;
            }, manager: FieldManager);
        }
    }

    void KeepRootCertConfigMaps()
    {
        var configMaps = m.Type("", "configmaps");
        foreach (var ns in m.Store.List(m.Type("", "namespaces").StorageKey))
        {
            if (IgnoredNamespaces.Contains(ns.Name) || Conditions.IsTerminating(ns.Object)) continue;
            var existing = m.Store.Get(configMaps.StorageKey, ns.Name, RootCertConfigMap);
            if (existing is null)
            {
                try
                {
                    m.Service.Create(configMaps, ns.Name, new JsonObject
                    {
                        ["apiVersion"] = "v1",
                        ["kind"] = "ConfigMap",
                        ["metadata"] = new JsonObject
                        {
                            ["name"] = RootCertConfigMap,
                            ["labels"] = new JsonObject { ["istio.io/config"] = "true" },
                        },
                        ["data"] = new JsonObject { [RootCertKey] = RootCertPem },
                    }, new WriteOptions { FieldManager = FieldManager });
                }
                catch (ApiException e) when (e.Code is 409 or 403 or 404)
                {
                    // Created meanwhile, or the namespace started terminating: the next sweep sees it.
                }
                continue;
            }
            if (existing.Object.At("data").Str(RootCertKey) == RootCertPem) continue;
            m.Service.Mutate(configMaps, ns.Name, RootCertConfigMap, o =>
            {
                o.Obj("data")[RootCertKey] = RootCertPem;
                return true;
            }, manager: FieldManager);
        }
    }

    static string NewRootCert()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("O=cluster.local", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        return cert.ExportCertificatePem() + "\n";
    }
}
