using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>Records core/v1 Events the way controllers and kubelets do, so describe and get events show them.</summary>
public sealed class EventRecorder(ControllerManager m)
{
    static readonly WriteOptions Options = new() { FieldManager = "kube-controller-manager" };

    public void Normal(JsonObject about, string reason, string message, string component, string? host = null) =>
        Record(about, "Normal", reason, message, component, host);

    public void Warning(JsonObject about, string reason, string message, string component, string? host = null) =>
        Record(about, "Warning", reason, message, component, host);

    void Record(JsonObject about, string type, string reason, string message, string component, string? host)
    {
        var ns = about.Namespace();
        if (ns.Length == 0) ns = "default";
        var now = Json.Now();
        var source = new JsonObject { ["component"] = component };
        if (host is not null) source["host"] = host;
        var evt = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = $"{about.Name()}.{Guid.NewGuid():N}"[..Math.Min(253, about.Name().Length + 17)] },
            ["involvedObject"] = new JsonObject
            {
                ["kind"] = about.Str("kind"),
                ["namespace"] = about.Namespace().Length > 0 ? about.Namespace() : null,
                ["name"] = about.Name(),
                ["uid"] = about.Uid(),
                ["apiVersion"] = about.Str("apiVersion"),
                ["resourceVersion"] = about.At("metadata", "resourceVersion")?.DeepClone(),
            },
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = source,
            ["firstTimestamp"] = now,
            ["lastTimestamp"] = now,
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = component,
            ["reportingInstance"] = host ?? "",
        };
        try
        {
            m.Service.Create(m.Type("", "events"), ns, evt, Options);
        }
        catch (ApiException e) when (e.Code is 403 or 404 or 409) { }
    }
}
