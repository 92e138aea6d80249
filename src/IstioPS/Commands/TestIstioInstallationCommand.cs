using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Rendering;

namespace IstioPS.Commands;

/// <summary>Test-IstioInstallation: renders what should be there and reports every difference with the cluster.</summary>
[Cmdlet(VerbsDiagnostic.Test, "IstioInstallation", DefaultParameterSetName = ReleaseSet)]
[OutputType(typeof(InstallationDifference), typeof(bool))]
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
            if (await GetSourceAsync(progress, ct).ConfigureAwait(false) is not { } source) return;
            var expected = InstallSources.Load(await AsUpgradeWhenInstalledAsync(source, ct).ConfigureAwait(false), EmitVerbose).ReadAll();
            progress.Report(new Engine.Apply.OperationProgress($"Comparing {expected.Count} objects with the cluster", 20));
            var differences = await new Verifier(Api).VerifyAsync(expected, Namespace, null, ct).ConfigureAwait(false);
            if (Quiet)
            {
                Emit(differences.Count == 0);
                return;
            }

            foreach (var d in differences) Emit(d);
            EmitVerbose(differences.Count == 0 ? $"All {expected.Count} objects are installed as rendered and ready." : $"{differences.Count} differences in {expected.Count} objects.");
        }).ConfigureAwait(false);
    }
}
