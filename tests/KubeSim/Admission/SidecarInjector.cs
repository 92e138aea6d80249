using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Admission;

/// <summary>
/// Imitates Istio's sidecar injector: on pod create, each MutatingWebhookConfiguration whose webhooks
/// call Istio's injector (names ending in sidecar-injector.istio.io) is evaluated with its
/// namespaceSelector and objectSelector exactly as rendered; the first webhook that matches injects an
/// istio-proxy container and labels the pod with the revision of its configuration. Pods created before
/// a label change keep what they had, as on a real cluster.
/// </summary>
public sealed class SidecarInjector : IAdmissionPlugin
{
    public const string ProxyContainer = "istio-proxy";
    private const string WebhookSuffix = "sidecar-injector.istio.io";

    public void OnCreate(AdmissionContext context, ResourceType resource, JsonObject obj)
    {
        if (resource.Kind != "Pod" || resource.Group.Length != 0) return;
        var containers = obj.At("spec", "containers") as JsonArray;
        if (containers is null || containers.OfType<JsonObject>().Any(c => c.Str("name") == ProxyContainer)) return;

        var ns = obj.Namespace();
        var nsObject = context.Store.Get("/namespaces", "", ns)?.Object;
        var nsLabels = nsObject?.Labels() ?? new Dictionary<string, string>();
        var podLabels = obj.Labels();
        foreach (var config in context.Store.List("admissionregistration.k8s.io/mutatingwebhookconfigurations").OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            if (config.Object["webhooks"] is not JsonArray webhooks) continue;
            foreach (var webhook in webhooks.OfType<JsonObject>())
            {
                var name = webhook.Str("name") ?? "";
                if (!name.EndsWith(WebhookSuffix, StringComparison.Ordinal)) continue;
                if (!RulesCoverPods(webhook)) continue;
                if (!LabelSelector.FromObject(webhook["namespaceSelector"]).Matches(nsLabels)) continue;
                if (!LabelSelector.FromObject(webhook["objectSelector"]).Matches(podLabels)) continue;
                var revision = config.Object.Labels().TryGetValue("istio.io/rev", out var rev) ? rev : "default";
                Inject(obj, containers, revision);
                return;
            }
        }
    }

    private static bool RulesCoverPods(JsonObject webhook)
    {
        if (webhook["rules"] is not JsonArray rules) return true;
        return rules.OfType<JsonObject>().Any(r =>
            (r["resources"] as JsonArray)?.Any(x => x.AsString() is "pods" or "*") == true
            && (r["operations"] as JsonArray)?.Any(x => x.AsString() is "CREATE" or "*") == true);
    }

    private static void Inject(JsonObject pod, JsonArray containers, string revision)
    {
        containers.Add(new JsonObject
        {
            ["name"] = ProxyContainer,
            ["image"] = "docker.io/istio/proxyv2:kubesim",
            ["args"] = new JsonArray("proxy", "sidecar"),
            ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 15090, ["name"] = "http-envoy-prom", ["protocol"] = "TCP" }),
        });
        var meta = pod["metadata"] as JsonObject ?? new JsonObject();
        pod["metadata"] = meta;
        if (meta["labels"] is not JsonObject labels)
        {
            labels = new JsonObject();
            meta["labels"] = labels;
        }

        labels["istio.io/rev"] = revision;
        labels["security.istio.io/tlsMode"] = "istio";
        if (meta["annotations"] is not JsonObject annotations)
        {
            annotations = new JsonObject();
            meta["annotations"] = annotations;
        }

        annotations["sidecar.istio.io/status"] = $"{{\"initContainers\":null,\"containers\":[\"{ProxyContainer}\"],\"revision\":\"{revision}\"}}";
    }
}
