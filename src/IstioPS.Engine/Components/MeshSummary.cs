using System.Text.Json.Nodes;
using IstioPS.Engine.Kube;

namespace IstioPS.Engine.Components;

/// <summary>What a pipeline wants to know after an install: the control plane's version and the ingress gateway's address.</summary>
public sealed record MeshSummary(string Revision, string? Version, string? IngressAddress)
{
    public const string IngressGatewayService = "istio-ingressgateway";

    /// <summary>Reads the revision's istiod version and the address of the ingress gateway's load balancer (when it has one).</summary>
    public static async Task<MeshSummary> ReadAsync(KubeApi api, string ns, string revision, CancellationToken ct)
    {
        var componentsTask = new ComponentReader(api).GetComponentsAsync(ns, ct);
        var serviceTask = api.TryGetAsync($"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/services/{IngressGatewayService}", ct);
        await Task.WhenAll(componentsTask, serviceTask).ConfigureAwait(false);
        var istiod = componentsTask.Result.Where(c => c.Component == "istiod")
            .OrderByDescending(c => string.Equals(c.Revision ?? "default", revision, StringComparison.Ordinal)).FirstOrDefault();
        return new MeshSummary(revision, istiod?.Version, AddressOf(serviceTask.Result));
    }

    /// <summary>status.loadBalancer.ingress[0]: its ip, else its hostname.</summary>
    public static string? AddressOf(JsonObject? service)
    {
        if (service?["status"]?["loadBalancer"]?["ingress"] is not JsonArray { Count: > 0 } ingress || ingress[0] is not JsonObject first) return null;
        return (string?)first["ip"] is { Length: > 0 } ip ? ip : (string?)first["hostname"] is { Length: > 0 } host ? host : null;
    }
}
