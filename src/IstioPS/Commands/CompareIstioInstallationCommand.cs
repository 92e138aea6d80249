using System.Management.Automation;
using IstioPS.Engine.Install;
using IstioPS.Engine.Plan;

namespace IstioPS.Commands;

/// <summary>
/// Compare-IstioInstallation: what Install-Istio with the same parameters would change, object by object, as the
/// API server itself answers it (a server-side apply dry run per object). Sends only reads and dry runs.
/// </summary>
[Ci.CiSummary("Compare-IstioInstallation", "Action", "Kind", "Namespace", "Name", "Changes", Empty = "No differences: the cluster matches the input.")]
[Cmdlet(VerbsData.Compare, "IstioInstallation", DefaultParameterSetName = ReleaseSet)]
[OutputType(typeof(PlannedObject))]
public sealed class CompareIstioInstallationCommand : InstallSourceCmdlet
{
    /// <summary>Also emit the objects that would not change (Action Unchanged).</summary>
    [Parameter]
    public SwitchParameter IncludeUnchanged { get; set; }

    /// <summary>Leave out what Install-Istio -NoPrune would keep (objects marked Prune).</summary>
    [Parameter]
    public SwitchParameter NoPrune { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int Concurrency { get; set; } = Engine.Install.InstallRequest.DefaultConcurrency;

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        await WithProgressAsync(5, "Comparing the input with the cluster", async progress =>
        {
            progress.Report(new Engine.Apply.OperationProgress("Rendering and reading the input", 0));
            var request = await GetRequestAsync(progress, ct, r => r with { NoPrune = NoPrune, Concurrency = Concurrency }).ConfigureAwait(false);
            if (request is null) return;
            var plan = await new Installer(Api).PlanAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            var changes = 0;
            foreach (var p in plan.Objects)
            {
                if (p.Action != PlanAction.Unchanged) changes++;
                if (IncludeUnchanged || p.Action != PlanAction.Unchanged) Emit(p);
            }

            // In a pipeline, later steps (or a condition on the approval) read how many objects would change.
            SetCiOutput("IstioChanges", changes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }).ConfigureAwait(false);
    }
}
