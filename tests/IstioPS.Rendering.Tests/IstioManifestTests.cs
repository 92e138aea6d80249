using IstioPS.Rendering.Istio;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>istioctl layer against the real 1.30.3 release (skipped when the shared data is absent).</summary>
public class IstioManifestTests
{
    private static bool HaveRelease => Directory.Exists(GoldenData.Release);
    private static string NoRelease => $"Istio release not found at '{GoldenData.Release}'; set ISTIOPS_ISTIO_DATA.";

    private static IstioManifest Generate(string profile, params string[] sets) =>
        IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, Profile = profile, Set = sets.ToList() });

    [SkippableTheory]
    [InlineData("default", new[] { "Base", "Pilot", "IngressGateways" })]
    [InlineData("demo", new[] { "Base", "Pilot", "IngressGateways", "EgressGateways" })]
    [InlineData("minimal", new[] { "Base", "Pilot" })]
    [InlineData("ambient", new[] { "Base", "Pilot", "Cni", "Ztunnel" })]
    public void ProfilesRenderTheirComponentsInInstallOrder(string profile, string[] components)
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var m = Generate(profile);
        Assert.Equal(components, m.Components.Select(c => c.Component));
        Assert.Equal(m.Objects.Count, m.Components.Sum(c => c.Objects.Count));
        // istioctl order: CRDs first, Services last.
        Assert.Equal("CustomResourceDefinition", m.Objects[0].Kind);
        int firstService = m.Objects.ToList().FindIndex(o => o.Kind == "Service");
        Assert.All(m.Objects.Skip(firstService), o => Assert.Equal("Service", o.Kind));
        Assert.Contains(m.Objects, o => o.Kind == "Deployment" && o.Name == "istiod" && o.Namespace == "istio-system");
        Assert.All(m.Objects, o => Assert.EndsWith("\n", o.Yaml));
        Assert.Equal(profile == "demo", m.Objects.Any(o => o.Kind == "Deployment" && o.Name == "istio-egressgateway"));
    }

    [SkippableFact]
    public void AnUpgradeRenderLeavesTheValidationFailurePolicyToIstiod()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        static IEnumerable<string> Validators(IstioManifest m) =>
            m.Objects.Where(o => o.Kind == "ValidatingWebhookConfiguration").Select(o => o.Yaml);
        var install = Generate("default");
        var upgrade = IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, Profile = "default", IsUpgrade = true });
        Assert.NotEmpty(Validators(install));
        // A first install fails open until istiod switches to Fail; an upgrade (.Release.IsUpgrade) does not render it.
        Assert.All(Validators(install), y => Assert.Contains("failurePolicy: Ignore", y));
        Assert.All(Validators(upgrade), y => Assert.DoesNotContain("failurePolicy", y));
        Assert.Equal(install.Objects.Count, upgrade.Objects.Count);
        // An explicit value is rendered either way.
        var pinned = IstioManifestGenerator.Generate(new IstioRenderRequest
        {
            ReleasePath = GoldenData.Release, Profile = "default", IsUpgrade = true, Set = ["values.base.validationFailurePolicy=Fail"],
        });
        Assert.All(Validators(pinned), y => Assert.Contains("failurePolicy: Fail", y));
    }

    [SkippableFact]
    public void ParallelRendersAgreeWithSequentialOnes()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        string demo = IstioManifestGenerator.Generate(GoldenData.Release, "demo").ToYaml();
        string def = IstioManifestGenerator.Generate(GoldenData.Release).ToYaml();
        var results = new string[8];
        Parallel.For(0, results.Length, i => results[i] = IstioManifestGenerator.Generate(GoldenData.Release, i % 2 == 0 ? "demo" : "default").ToYaml());
        for (int i = 0; i < results.Length; i++) Assert.Equal(i % 2 == 0 ? demo : def, results[i]);
    }

    [SkippableFact]
    public void ProfilesAreListedWithTheirComponents()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var profiles = IstioProfiles.List(GoldenData.Release);
        Assert.Contains(profiles, p => p.Name == "empty" && p.Components.Count == 0);
        Assert.Equal(new[] { "Base", "Pilot", "IngressGateways", "EgressGateways" }, profiles.Single(p => p.Name == "demo").Components);
        Assert.Equal(new[] { "Base", "Pilot", "IngressGateways" }, profiles.Single(p => p.Name == "default").Components);
    }

    [SkippableFact]
    public void SetPathsUseIstioctlSyntaxAndTyping()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var m = Generate("default", "values.global.hub=example.com/istio", "values.global.tag=1.30", "components.egressGateways[0].enabled=true",
            "components.egressGateways[0].name=istio-egressgateway", "meshConfig.accessLogFile=/dev/stdout", "values.pilot.autoscaleMin=3");
        var istiod = m.Objects.Single(o => o.Kind == "Deployment" && o.Name == "istiod");
        Assert.Contains("image: example.com/istio/pilot:1.30\n", istiod.Yaml);
        Assert.Contains(m.Objects, o => o.Kind == "Deployment" && o.Name == "istio-egressgateway");
        Assert.Contains("accessLogFile: /dev/stdout", m.Objects.Single(o => o.Kind == "ConfigMap" && o.Name == "istio").Yaml);
        Assert.Contains("minReplicas: 3", m.Objects.Single(o => o.Kind == "HorizontalPodAutoscaler" && o.Name == "istiod").Yaml);
        // profile=... through -Set, and a revision.
        var demo = Generate("default", "profile=demo");
        Assert.Contains(demo.Objects, o => o.Name == "istio-egressgateway");
        var rev = IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, Revision = "canary", Components = new[] { "Pilot" } });
        Assert.Contains(rev.Objects, o => o.Kind == "Deployment" && o.Name == "istiod-canary");
        Assert.All(rev.Objects, o => Assert.Equal("Pilot", o.Component));
    }

    [SkippableFact]
    public void ValuesFilesAreMergedInOrder()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        string a = Path.GetTempFileName(), b = Path.GetTempFileName();
        try
        {
            File.WriteAllText(a, "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  hub: first.io\n  components:\n    ingressGateways:\n    - name: istio-ingressgateway\n      enabled: false\n");
            File.WriteAllText(b, "spec:\n  hub: second.io\n");
            var m = IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, ValuesFiles = new[] { a, b } });
            Assert.Contains("image: second.io/pilot", m.Objects.Single(o => o.Kind == "Deployment" && o.Name == "istiod").Yaml);
            Assert.DoesNotContain(m.Components, c => c.Component == "IngressGateways");
        }
        finally { File.Delete(a); File.Delete(b); }
    }

    [SkippableTheory]
    [InlineData("nosuchprofile", null, "UnknownProfile")]
    [InlineData("default", "values..x=1", "InvalidSetPath")]
    [InlineData("default", "bogusField=1", "InvalidSetPath")]
    [InlineData("default", "components.pilot.enabled=maybe", "InvalidSetValue")]
    [InlineData("default", "components.nosuch.enabled=true", "InvalidSetPath")]
    public void BadInputsFailWithStableIds(string profile, string? set, string errorId)
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var e = Assert.Throws<RenderException>(() => Generate(profile, set == null ? Array.Empty<string>() : new[] { set }));
        Assert.Equal(errorId, e.ErrorId);
    }

    [SkippableFact]
    public void HelmStyleValuesFilesAreRejectedWithAHint()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        string f = Path.GetTempFileName();
        try
        {
            File.WriteAllText(f, "global:\n  hub: x\n");
            var e = Assert.Throws<RenderException>(() => IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, ValuesFiles = new[] { f } }));
            Assert.Equal(RenderErrorIds.ValuesFileInvalid, e.ErrorId);
            Assert.Contains("spec.values", e.Message);
            File.WriteAllText(f, "spec: [unclosed\n");
            Assert.Equal(RenderErrorIds.ValuesFileInvalid, Assert.Throws<RenderException>(() =>
                IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, ValuesFiles = new[] { f } })).ErrorId);
        }
        finally { File.Delete(f); }
    }

    [SkippableFact]
    public void ForceTurnsValidationErrorsIntoWarnings()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var m = IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, Set = new[] { "bogusField=1" }, Force = true });
        Assert.Contains(m.Warnings, w => w.Contains("bogusField", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void LayoutsAreDetected()
    {
        Skip.IfNot(HaveRelease, NoRelease);
        var modern = IstioReleaseLayout.Detect(GoldenData.Release);
        Assert.Equal(IstioLayoutKind.Modern, modern.Kind);
        Assert.EndsWith("manifests", modern.ManifestsDirectory);
        string legacyPath = Path.Combine(GoldenData.DataRoot, "legacy", "1.5.1");
        Skip.IfNot(Directory.Exists(legacyPath), "legacy 1.5.1 data absent");
        var legacy = IstioReleaseLayout.Detect(legacyPath);
        Assert.Equal(IstioLayoutKind.Legacy, legacy.Kind);
        Assert.NotEmpty(legacy.CrdFiles);
        Assert.Equal(new[] { "apiextensions.k8s.io/v1beta1" }, legacy.CrdApiVersions);
        var e = Assert.Throws<RenderException>(() => IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = legacyPath }));
        Assert.Equal(RenderErrorIds.ReleaseNotFound, e.ErrorId);
        Assert.Contains("v1beta1", e.Message);
        Assert.Equal(IstioLayoutKind.Unknown, IstioReleaseLayout.Detect(Path.GetTempPath()).Kind);
    }
}
