using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Prerequisites;

namespace IstioPS.Commands;

/// <summary>
/// Test-IstioPrerequisite: whether the cluster meets what an install with the same parameters needs (Kubernetes
/// version, permissions for every write, no competing control plane, no overlapping injection webhooks, usable
/// Gateway API CRDs), one finding per problem. Install-Istio runs the same check first.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "IstioPrerequisite", DefaultParameterSetName = ReleaseSet)]
[OutputType(typeof(PrerequisiteFinding))]
[Ci.CiSummary("Test-IstioPrerequisite", "Severity", "Code", "Message", "Remedy", Empty = "No findings.")]
public sealed class TestIstioPrerequisiteCommand : InstallSourceCmdlet
{
    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        await WithProgressAsync(6, "Checking the prerequisites of an Istio install", async progress =>
        {
            progress.Report(new Engine.Apply.OperationProgress("Rendering and reading the input", 0));
            if (await GetRequestAsync(progress, ct).ConfigureAwait(false) is not { } request) return;
            var findings = await new Installer(Api).CheckPrerequisitesAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            foreach (var finding in findings) Emit(finding);
        }).ConfigureAwait(false);
    }
}
