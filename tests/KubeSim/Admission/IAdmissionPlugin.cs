using System.Text.Json.Nodes;
using KubeSim.Api;

namespace KubeSim.Admission;

/// <summary>
/// A mutating admission step run on every create before validation and storage (a sidecar injector plugs in
/// here). Plugins may change <paramref name="obj"/> in place or throw an <see cref="ApiException"/> to deny.
/// </summary>
public interface IAdmissionPlugin
{
    void OnCreate(AdmissionContext context, ResourceType resource, JsonObject obj);
}

/// <summary>What an admission plugin may read: the cluster's current objects.</summary>
public sealed class AdmissionContext(KubeSim.Storage.ObjectStore store, ResourceRegistry registry)
{
    public KubeSim.Storage.ObjectStore Store { get; } = store;
    public ResourceRegistry Registry { get; } = registry;
    public bool DryRun { get; init; }
}
