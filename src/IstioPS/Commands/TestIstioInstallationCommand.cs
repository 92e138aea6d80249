using System.Management.Automation;
using IstioPS.Engine.Install;

namespace IstioPS.Commands;

/// <summary>Test-IstioInstallation: from the install's plan and readiness, every way the cluster differs from what should be there.</summary>
[Cmdlet(VerbsDiagnostic.Test, "IstioInstallation", DefaultParameterSetName = ReleaseSet)]
[OutputType(typeof(InstallationDifference), typeof(bool))]
[Ci.CiSummary("Test-IstioInstallation", "Problem", "Kind", "Namespace", "Name", "Detail", Empty = "No differences: every object is installed as rendered and ready.")]
public sealed class TestIstioInstallationCommand : InstallSourceCmdlet
{
    /// <summary>Returns $true when all is well and $false otherwise, instead of the differences.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        await WithProgressAsync(4, "Verifying the Istio installation", async progress =>
        {
            progress.Report(new Engine.Apply.OperationProgress("Rendering what should be installed", 0));
            if (await GetRequestAsync(progress, ct).ConfigureAwait(false) is not { } request) return;
            var differences = await new Verifier(Api).VerifyAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            SetCiOutput("IstioDifferences", differences.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (Quiet)
            {
                Emit(differences.Count == 0);
                return;
            }

            foreach (var d in differences) Emit(d);
            EmitVerbose(differences.Count == 0 ? "All objects are installed as planned and ready." : $"{differences.Count} differences.");
        }).ConfigureAwait(false);
    }
}
