using System.Management.Automation;
using IstioPS.Engine.Install;

namespace IstioPS.Commands;

/// <summary>Install-Istio: plans the install (a dry run per object), then applies namespaces, CRDs and components in order, prunes, and waits until they are ready.</summary>
[Cmdlet(VerbsLifecycle.Install, "Istio", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ManifestSet)]
[OutputType(typeof(InstallResult))]
[Ci.CiSummary("Install-Istio", "Namespace", "Revision", "Total", "Created", "Configured", "Unchanged", "Waited", "DurationText", Empty = "Nothing was applied (-WhatIf, or every object was declined).")]
public sealed class InstallIstioCommand : InstallSourceCmdlet
{
    [Parameter]
    [TimeoutTransformation]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    protected override TimeSpan? CallTimeout => Timeout;

    [Parameter]
    public SwitchParameter NoWait { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int Concurrency { get; set; } = InstallRequest.DefaultConcurrency;

    /// <summary>Take over objects that exist and were not created by IstioPS (moving from istioctl or Helm); they are reported Adopted.</summary>
    [Parameter]
    public SwitchParameter Adopt { get; set; }

    /// <summary>
    /// Delete and create again objects whose immutable fields change (a Deployment's selector, a Service's clusterIP);
    /// upgrade in place even when the revision's installed control plane is newer or more than one minor version older.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Keep objects an earlier install of this revision created that the input no longer has.</summary>
    [Parameter]
    public SwitchParameter NoPrune { get; set; }

    /// <summary>Install without checking the prerequisites first (Test-IstioPrerequisite); an unsupported in-place upgrade is still refused without -Force.</summary>
    [Parameter]
    public SwitchParameter SkipPrerequisiteCheck { get; set; }

    protected override async Task EndProcessingAsync(CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await WithProgressAsync(1, $"Installing Istio into {Namespace}", async progress =>
        {
            progress.Report(new Engine.Apply.OperationProgress("Rendering and reading the input", 0));
            var request = await GetRequestAsync(progress, ct, r => r with
            {
                Timeout = Timeout,
                NoWait = NoWait,
                Concurrency = Concurrency,
                Adopt = Adopt,
                Force = Force,
                NoPrune = NoPrune,
                SkipPrerequisiteCheck = SkipPrerequisiteCheck,
                Clock = clock,
            }).ConfigureAwait(false);
            if (request is null) return;
            var result = await new Installer(Api).InstallAsync(request, Callbacks(progress), ct).ConfigureAwait(false);
            if (result is not null)
            {
                Emit(result);
                await SetCiOutputsAsync(result.Namespace, result.Revision, ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
    }
}
