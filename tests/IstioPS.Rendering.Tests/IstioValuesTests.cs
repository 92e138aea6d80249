using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Istio;
using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>istioctl's path syntax, value typing and strategic merge behaviour.</summary>
public class IstioValuesTests
{
    [Theory]
    [InlineData("5", 5L)]
    [InlineData("-3", -3L)]
    [InlineData("1.5", 1.5)]
    [InlineData("true", true)]
    [InlineData("False", false)]
    [InlineData("t", true)]
    [InlineData("abc", "abc")]
    [InlineData("a\\,b", "a,b")]
    [InlineData("", "")]
    public void SetValuesAreTypedLikeIstioctl(string text, object expected) => Assert.Equal(expected, IopValues.ParseValue(text));

    [Fact]
    public void SetSpecPathsHandleIndexesSelectorsEscapesAndAlwaysStringPaths()
    {
        var m = GoValues.NewMap();
        IopValues.SetSpecPaths(m, new[]
        {
            "components.ingressGateways[0].name=gw", "components.ingressGateways[0].enabled=true",
            "components.ingressGateways[name:gw].k8s.replicaCount=2",
            "values.sidecarInjectorWebhook.injectedAnnotations.container\\.apparmor\\.security\\.beta\\.kubernetes\\.io/istio-proxy=runtime/default",
            "tag=1.20", "values.global.tag=1.20", "values.global.hub=1.20",
        });
        Assert.Equal("{\"spec\":{\"components\":{\"ingressGateways\":[{\"enabled\":true,\"k8s\":{\"replicaCount\":2},\"name\":\"gw\"}]}," +
                     "\"tag\":\"1.20\",\"values\":{\"global\":{\"hub\":1.2,\"tag\":\"1.20\"},\"sidecarInjectorWebhook\":{\"injectedAnnotations\":" +
                     "{\"container.apparmor.security.beta.kubernetes.io/istio-proxy\":\"runtime/default\"}}}}}", GoJson.Marshal(m));
        Assert.Equal(RenderErrorIds.InvalidSetPath, Assert.Throws<RenderException>(() =>
            IopValues.SetSpecPaths(m, new[] { "components.ingressGateways[name:nope].enabled=true" })).ErrorId);
    }

    [Fact]
    public void MergeFromReplacesListsAndMergesMaps()
    {
        var a = GoYaml.ParseMap("m: {x: 1, z: 2}\nl: [1, 2]\ns: a");
        IopValues.MergeFrom(a, GoYaml.ParseMap("m: {z: 3}\nl: [9]\ns: null"));
        Assert.Equal("{\"l\":[9],\"m\":{\"x\":1,\"z\":3},\"s\":null}", GoJson.Marshal(a));
    }

    [Fact]
    public void StrategicMergeKeepsApimachineryOrder()
    {
        var deployment = GoYaml.ParseMap(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: discovery\n        env:\n        - {name: A, value: a}\n        - {name: B, value: b}\n        - {name: C, value: c}\n" +
            "        resources: {requests: {cpu: 1, memory: 1Gi}}\n      tolerations: [{key: old}]\n");
        var patch = GoYaml.ParseMap(
            "spec:\n  template:\n    spec:\n      containers:\n      - name: discovery\n        env:\n        - {name: B, value: new}\n        - {name: NEW, value: nv}\n" +
            "        resources: {requests: {memory: 2Gi}}\n      tolerations: [{key: replaced}]\n");
        StrategicMerge.Apply(deployment, patch, "Deployment");
        Assert.Equal("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"env\":[{\"name\":\"A\",\"value\":\"a\"},{\"name\":\"B\",\"value\":\"new\"}," +
                     "{\"name\":\"NEW\",\"value\":\"nv\"},{\"name\":\"C\",\"value\":\"c\"}],\"name\":\"discovery\",\"resources\":{\"requests\":{\"cpu\":1,\"memory\":\"2Gi\"}}}]," +
                     "\"tolerations\":[{\"key\":\"replaced\"}]}}}}", GoJson.Marshal(deployment));
    }

    [Theory]
    [InlineData("Deployment:*:istiod", "Deployment:istio-system:istiod", true)]
    [InlineData("Deployment:*:istio$", "Deployment:istio-system:istiod", false)]
    [InlineData("ConfigMap:*:istio$", "ConfigMap:istio-system:istio", true)]
    [InlineData("Service:*:a, Deployment:*:b", "Deployment:ns:b", true)]
    [InlineData("*", "Anything:x:y", true)]
    [InlineData("no:resources:selected", "Deployment:ns:b", false)]
    public void DiffSelectMatching(string select, string hash, bool expected) => Assert.Equal(expected, ObjectSelector.Matches(select, hash));

    [Fact]
    public void ClusterRolesHashWithoutNamespace()
    {
        Assert.Equal("ClusterRole:x", ObjectSelector.Hash("ClusterRole", null, "x"));
        Assert.Equal("ValidatingWebhookConfiguration::x", ObjectSelector.Hash("ValidatingWebhookConfiguration", null, "x"));
    }
}
