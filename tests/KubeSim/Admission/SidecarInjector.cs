using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Admission;

/// <summary>
/// Imitates Istio's sidecar injector: when a pod is created and a MutatingWebhookConfiguration's
/// "*sidecar-injector.istio.io" webhook for pod CREATE matches it (namespaceSelector against the namespace's
/// labels, objectSelector against the pod's, exactly as rendered), the pod gets an istio-proxy container, the
/// istio.io/rev label of the matching configuration's revision, and Istio's injection status annotation.
/// The first matching webhook wins (configurations in name order). Pods created before a label change keep
/// what they had, as on a real cluster.
/// </summary>
public sealed class SidecarInjector : IAdmissionPlugin
{
    public const string ProxyContainer = "istio-proxy";
    const string WebhookSuffix = "sidecar-injector.istio.io";

    public void OnCreate(AdmissionContext context, ResourceType resource, JsonObject obj)
    {
        if (resource.IsCustom || resource.Group.Length != 0 || resource.Kind != "Pod") return;
        var containers = obj.At("spec", "containers") as JsonArray;
        if (containers is null) return;
        // A declared istio-proxy is left alone unless its image is "auto" (gateway charts), which the injector fills.
        var declared = containers.OfType<JsonObject>().FirstOrDefault(c => c.Str("name") == ProxyContainer);
        if (declared is not null && declared.Str("image") != "auto") return;

        var nsType = context.Registry.Get("", "namespaces");
        var ns = context.Store.Get(nsType.StorageKey, "", obj.Namespace());
        if (ns is null) return;
        var nsLabels = ns.Object.Labels();
        var podLabels = obj.Labels();
        var mwc = context.Registry.Get("admissionregistration.k8s.io", "mutatingwebhookconfigurations");
        foreach (var config in context.Store.List(mwc.StorageKey).OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            foreach (var hook in (config.Object["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (!(hook.Str("name") ?? "").EndsWith(WebhookSuffix, StringComparison.Ordinal) || !TargetsPodCreate(hook)) continue;
                if (!LabelSelector.FromObject(hook["namespaceSelector"]).Matches(nsLabels)) continue;
                if (!LabelSelector.FromObject(hook["objectSelector"]).Matches(podLabels)) continue;
                var revision = config.Object.Labels().GetValueOrDefault("istio.io/rev", "default");
                Inject(context, obj, containers, declared, revision, hook);
                return;
            }
        }
    }

    static bool TargetsPodCreate(JsonObject hook) =>
        (hook["rules"] as JsonArray ?? []).Any(r =>
            (r?["resources"] as JsonArray ?? []).Any(x => x.AsString() is "pods" or "*")
            && (r?["operations"] as JsonArray ?? []).Any(x => x.AsString() is "CREATE" or "*"));

    static void Inject(AdmissionContext context, JsonObject pod, JsonArray containers, JsonObject? declared, string revision, JsonObject hook)
    {
        var image = ProxyImage(context, hook);
        if (declared is not null) declared["image"] = image;
        else containers.Add(new JsonObject
        {
            ["name"] = ProxyContainer,
            ["image"] = image,
            ["args"] = new JsonArray("proxy", "sidecar", "--domain", "$(POD_NAMESPACE).svc.cluster.local"),
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 15090, ["name"] = "http-envoy-prom", ["protocol"] = "TCP" }),
            ["resources"] = new JsonObject { ["requests"] = new JsonObject { ["cpu"] = "100m", ["memory"] = "128Mi" } },
        });
        var meta = pod.Meta();
        var labels = meta.Obj("labels");
        labels["istio.io/rev"] = revision;
        labels["security.istio.io/tlsMode"] = "istio";
        labels["service.istio.io/canonical-name"] ??= labels.Str("app") ?? pod.Name();
        labels["service.istio.io/canonical-revision"] ??= labels.Str("version") ?? "latest";
        meta.Obj("annotations")["sidecar.istio.io/status"] =
            $"{{\"initContainers\":null,\"containers\":[\"{ProxyContainer}\"],\"volumes\":null,\"imagePullSecrets\":null,\"revision\":\"{revision}\"}}";
    }

    /// <summary>proxyv2 at the tag of the istiod the webhook calls, or "latest" when it cannot be found.</summary>
    static string ProxyImage(AdmissionContext context, JsonObject hook)
    {
        var service = hook.At("clientConfig", "service");
        var deployments = context.Registry.Get("apps", "deployments");
        var istiod = service is null ? null : context.Store.Get(deployments.StorageKey, service.Str("namespace") ?? "", service.Str("name") ?? "");
        var pilot = (istiod?.Object.At("spec", "template", "spec", "containers") as JsonArray)?.FirstOrDefault().Str("image");
        if (pilot is not null && pilot.LastIndexOf(':') > pilot.LastIndexOf('/'))
            return pilot[..pilot.LastIndexOf('/')] + "/proxyv2" + pilot[pilot.LastIndexOf(':')..];
        return "docker.io/istio/proxyv2:latest";
    }
}
