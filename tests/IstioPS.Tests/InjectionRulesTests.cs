using System.Text.Json.Nodes;
using IstioPS.Engine.Injection;
using Xunit;

namespace IstioPS.Tests;

public class InjectionRulesTests
{
    private static NamespaceInjection Ns(string? injection, string? revision)
    {
        var labels = new JsonObject();
        if (injection is not null) labels["istio-injection"] = injection;
        if (revision is not null) labels["istio.io/rev"] = revision;
        return InjectionService.Describe(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "n", ["labels"] = labels } }, DateTimeOffset.UtcNow);
    }

    private static JsonObject Pod(string? inject = null, string? revision = null, bool sidecar = false)
    {
        var labels = new JsonObject();
        if (inject is not null) labels["sidecar.istio.io/inject"] = inject;
        if (revision is not null) labels["istio.io/rev"] = revision;
        var containers = new JsonArray(new JsonObject { ["name"] = "app" });
        if (sidecar) containers.Add(new JsonObject { ["name"] = "istio-proxy" });
        return new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "p", ["labels"] = labels },
            ["spec"] = new JsonObject { ["containers"] = containers },
            ["status"] = new JsonObject { ["phase"] = "Running" },
        };
    }

    [Theory]
    // namespace disabled beats a pod's opt-in
    [InlineData("disabled", null, "true", null, false, null)]
    // a pod's sidecar.istio.io/inject=false beats namespace enabled and a namespace revision
    [InlineData("enabled", null, "false", null, false, null)]
    [InlineData(null, "canary", "false", null, false, null)]
    // namespace enabled or revision beats a pod's own revision opt-in
    [InlineData("enabled", null, null, "canary", true, "default")]
    [InlineData(null, "canary", null, null, true, "canary")]
    // istio-injection wins over istio.io/rev on the namespace
    [InlineData("enabled", "canary", null, null, true, "default")]
    // a pod's opt-in works only when the namespace says nothing
    [InlineData(null, null, "true", null, true, "default")]
    [InlineData(null, null, null, "canary", true, "canary")]
    [InlineData(null, null, null, null, false, null)]
    public void FollowsIstiosPrecedence(string? nsInjection, string? nsRevision, string? podInject, string? podRevision, bool inject, string? revision)
        => Assert.Equal((inject, revision), InjectionRules.Expected(Ns(nsInjection, nsRevision), Pod(podInject, podRevision)));

    [Fact]
    public void PodsNeedRestartWhenSidecarOrRevisionDiffers()
    {
        Assert.True(InjectionRules.NeedsRestart(Ns("enabled", null), Pod()));
        Assert.False(InjectionRules.NeedsRestart(Ns("enabled", null), Pod(revision: "default", sidecar: true)));
        Assert.True(InjectionRules.NeedsRestart(Ns(null, "canary"), Pod(revision: "default", sidecar: true)));
        Assert.True(InjectionRules.NeedsRestart(Ns("disabled", null), Pod(revision: "default", sidecar: true)));
        Assert.False(InjectionRules.NeedsRestart(Ns(null, null), Pod()));
        var gateway = Pod(inject: "false");
        ((JsonArray)gateway["spec"]!["containers"]!)[0]!["name"] = "istio-proxy";
        Assert.False(InjectionRules.HasSidecar(gateway));
        Assert.False(InjectionRules.NeedsRestart(Ns(null, null), gateway));
        var finished = Pod();
        finished["status"]!["phase"] = "Succeeded";
        Assert.False(InjectionRules.NeedsRestart(Ns("enabled", null), finished));
    }
}
