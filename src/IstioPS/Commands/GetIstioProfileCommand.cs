using System.Management.Automation;
using IstioPS.Engine;
using IstioPS.Engine.Sources;

namespace IstioPS.Commands;

/// <summary>Get-IstioProfile: the profiles a release offers and the components each enables.</summary>
[Cmdlet(VerbsCommon.Get, "IstioProfile")]
[OutputType(typeof(IstioProfile))]
public sealed class GetIstioProfileCommand : AsyncPSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string ReleasePath { get; set; } = "";

    /// <summary>Profile names; wildcards allowed.</summary>
    [Parameter(Position = 1)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override Task ProcessRecordAsync(CancellationToken ct)
    {
        var path = Ask(() => SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReleasePath)).GetAwaiter().GetResult();
        var globs = Name?.Select(n => new Glob(n)).ToList();
        var found = 0;
        foreach (var profile in ReleaseManifests.Profiles(path))
        {
            if (!Glob.AnyMatch(globs, profile.Name)) continue;
            found++;
            Emit(profile);
        }

        if (found == 0 && Name is { Length: > 0 } && Name.All(n => !Glob.HasWildcards(n)))
        {
            EmitError(new IstioPSException("UnknownProfile", ErrorKind.ObjectNotFound,
                $"The release at '{path}' has no profile named {string.Join(", ", Name)}.", Name[0]));
        }

        return Task.CompletedTask;
    }
}
