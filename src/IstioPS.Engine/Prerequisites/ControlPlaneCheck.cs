using System.Text.Json.Nodes;
using IstioPS.Engine.Components;
using IstioPS.Engine.Install;
using IstioPS.Engine.Kube;
using IstioPS.Engine.Releases;

namespace IstioPS.Engine.Prerequisites;

/// <summary>
/// Control planes already in the cluster: another revision (fine: a revision-based upgrade), the same revision at
/// a version an in-place upgrade cannot reach, the same revision in another namespace, or an Istio someone else
/// runs: the AKS add-on (namespace aks-istio-system), OpenShift Service Mesh 2 (Maistra), OpenShift Service Mesh 3
/// (the Sail operator) or Google's managed Cloud Service Mesh, each of which owns the cluster's Istio.
/// </summary>
internal static class ControlPlaneCheck
{
    public const string Managed = "ManagedIstioPresent";

    /// <summary>An Istio run by someone else: what marks it (a namespace, or a CRD and its resources), what it is, what to do.</summary>
    private sealed record ManagedMesh(string? Namespace, string? Crd, string Name, string Remedy);

    private static readonly ManagedMesh[] ManagedMeshes =
    {
        new("aks-istio-system", null, "the AKS Istio add-on (Azure's managed Istio, revisions asm-1-*)",
            "Keep using the add-on (`az aks mesh upgrade start --revision ...` upgrades it), or disable it first (`az aks mesh disable`); the add-on does not support a self-managed Istio beside it."),
        new(null, "servicemeshcontrolplanes.maistra.io", "OpenShift Service Mesh 2 (Maistra ServiceMeshControlPlane)",
            "Manage Istio through its ServiceMeshControlPlane, or remove OpenShift Service Mesh before installing upstream Istio."),
        new(null, "istios.sailoperator.io", "OpenShift Service Mesh 3 / the Sail operator (Istio resources)",
            "Manage Istio through the Sail operator's Istio resources, or delete them and the operator before installing with IstioPS."),
        new(null, "controlplanerevisions.mesh.cloud.google.com", "Google Cloud Service Mesh's managed control plane (ControlPlaneRevision)",
            "Manage it through Google Cloud (fleet mesh), or deprovision it before installing in-cluster Istio."),
    };

    public static async Task<IEnumerable<PrerequisiteFinding>> CheckAsync(KubeApi api, PrerequisiteRequest request, CancellationToken ct)
    {
        if (!request.InstallsControlPlane) return Array.Empty<PrerequisiteFinding>();
        var istiodsTask = api.ListAsync(ResourceInfo.Deployments.CollectionPath(null), "app=istiod", ct);
        var managedTasks = ManagedMeshes.Select(m => ManagedAsync(api, m, ct)).ToList();
        var findings = new List<PrerequisiteFinding>();
        foreach (var t in managedTasks) findings.AddRange(await t.ConfigureAwait(false));
        var managedNamespaces = ManagedMeshes.Select(m => m.Namespace).OfType<string>().ToHashSet(StringComparer.Ordinal);

        foreach (var istiod in (await istiodsTask.ConfigureAwait(false)).Items)
        {
            var ns = (string?)istiod["metadata"]?["namespace"] ?? "";
            if (managedNamespaces.Contains(ns)) continue;
            var labels = KubeFormat.Labels(istiod).ToDictionary(kv => kv.Key, kv => kv.Value);
            var revision = labels.TryGetValue("istio.io/rev", out var r) && r.Length > 0 ? r : "default";
            var versionText = ComponentReader.Version(labels, ComponentReader.Images(istiod));
            var installed = ReleaseVersion.TryParse(versionText, out var v) ? v : null;
            var at = $"deployment/{KubeFormat.Name(istiod)} in {ns}";
            if (revision != request.Revision)
            {
                findings.Add(new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Info, Code = "OtherRevisionInstalled", Target = at,
                    Message = $"Revision {revision} of Istio {versionText ?? "(version unknown)"} runs beside it ({at}); revisions coexist (a canary upgrade moves namespaces from one to the other).",
                });
            }
            else if (ns != request.Namespace)
            {
                findings.Add(new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Warning, Code = "RevisionInOtherNamespace", Target = at,
                    Message = $"Revision {revision} already runs in namespace {ns} ({at}, Istio {versionText ?? "(version unknown)"}); a second control plane of the same revision in {request.Namespace} would compete for its cluster-wide webhooks.",
                    Remedy = $"Install into -Namespace {ns}, use another -Revision, or uninstall the one in {ns} first.",
                });
            }
            else if (installed is not null && request.ReleaseVersion is { } target)
            {
                if (UpgradeCheck.Problem(installed, target) is { } problem)
                {
                    findings.Add(new PrerequisiteFinding
                    {
                        Severity = request.Force ? FindingSeverity.Warning : FindingSeverity.Error, Code = "UnsupportedUpgrade", Target = at,
                        Message = $"Revision {revision} in namespace {ns} runs Istio {installed}; installing {target} over it in place would be {problem}.",
                        Remedy = UpgradeCheck.RefusalRemedy(target),
                    });
                }
                else if (installed.CompareTo(target) != 0)
                {
                    findings.Add(new PrerequisiteFinding
                    {
                        Severity = FindingSeverity.Info, Code = "InPlaceUpgrade", Target = at,
                        Message = $"Revision {revision} in {ns} runs Istio {installed}; the install upgrades it in place to {target}.",
                    });
                }
            }
        }

        return findings;
    }

    private static async Task<IEnumerable<PrerequisiteFinding>> ManagedAsync(KubeApi api, ManagedMesh mesh, CancellationToken ct)
    {
        if (mesh.Namespace is { } ns)
        {
            if (await api.TryGetAsync(ResourceInfo.Namespaces.ObjectPath(null, ns), ct).ConfigureAwait(false) is null) return Array.Empty<PrerequisiteFinding>();
            var (istiods, _) = await api.ListAsync(ResourceInfo.Deployments.CollectionPath(ns), "app=istiod", ct).ConfigureAwait(false);
            var revisions = istiods.Select(d => KubeFormat.Label(d, "istio.io/rev")).OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
            return new[]
            {
                new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Error, Code = Managed, Target = $"namespace/{ns}",
                    Message = $"The namespace {ns} exists: {mesh.Name} runs in this cluster" + (revisions.Count > 0 ? $" (revisions {string.Join(", ", revisions)})" : "") + ". A second, self-managed Istio beside it would fight over injection, CRDs and webhooks.",
                    Remedy = mesh.Remedy,
                },
            };
        }

        var crd = await api.TryGetAsync(ResourceInfo.CustomResourceDefinitions.ObjectPath(null, mesh.Crd!), ct).ConfigureAwait(false);
        if (crd is null) return Array.Empty<PrerequisiteFinding>();
        var served = (crd["spec"]?["versions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(v => (bool?)v["served"] == true);
        var group = (string?)crd["spec"]?["group"] ?? "";
        var plural = (string?)crd["spec"]?["names"]?["plural"] ?? "";
        var items = new List<JsonObject>();
        if (served is not null)
        {
            try
            {
                (items, _) = await api.ListAsync($"/apis/{group}/{(string?)served["name"]}/{plural}", null, ct).ConfigureAwait(false);
            }
            catch (KubeApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // A CRD not Established yet serves nothing, so nothing uses it yet.
            }
        }

        var names = items.Select(i => ((string?)i["metadata"]?["namespace"] is { } n ? n + "/" : "") + KubeFormat.Name(i)).ToList();
        return new[]
        {
            items.Count > 0
                ? new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Error, Code = Managed, Target = $"customresourcedefinition/{mesh.Crd}",
                    Message = $"{mesh.Name} manages Istio in this cluster: {items.Count} {plural} ({string.Join(", ", names.Take(5))}). A second, self-managed Istio beside it would fight over injection, CRDs and webhooks.",
                    Remedy = mesh.Remedy,
                }
                : new PrerequisiteFinding
                {
                    Severity = FindingSeverity.Warning, Code = "MeshOperatorPresent", Target = $"customresourcedefinition/{mesh.Crd}",
                    Message = $"The CRD {mesh.Crd} of {mesh.Name} exists, though no {plural} use it: its operator may still be installed and take over Istio's objects.",
                    Remedy = $"Remove the operator and its CRDs if it is no longer used (kubectl delete crd {mesh.Crd}).",
                },
        };
    }
}
