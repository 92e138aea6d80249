using IstioPS.Rendering.Functions;
using IstioPS.Rendering.Istio;
using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>components.*.k8s.overlays as istioctl 1.30 applies them (operator/pkg/tpath); expectations learned from
/// istioctl's own manifest-generate test (pilot_override_kubernetes) and its path rules.</summary>
public class OverlayPatchTests
{
    private static Dictionary<string, object?> Obj(string yaml) => GoYaml.ParseMap(yaml);

    private const string Deployment = """
        kind: Deployment
        metadata: {name: istiod}
        spec:
          template:
            spec:
              containers:
              - name: discovery
                args: [discovery, --keepaliveMaxServerConnectionAge, 30m, --x=30m]
                ports: [{containerPort: 8080, protocol: TCP}, {containerPort: 15010}]
                env:
                - {name: POD_NAMESPACE, valueFrom: {fieldRef: {apiVersion: v1, fieldPath: metadata.namespace}}}
                - {name: REVISION, value: default}
                securityContext: {runAsUser: 1337}
        """;

    [Theory]
    // a scalar list item selected by value (an unanchored regexp: the first item containing 30m) is replaced
    [InlineData("spec.template.spec.containers.[name:discovery].args.[30m]", "60m", """["discovery","--keepaliveMaxServerConnectionAge","60m","--x=30m"]""", "spec.template.spec.containers.[name:discovery].args")]
    [InlineData("spec.template.spec.containers.[name:discovery].args.[:--x=]", "--y", """["discovery","--keepaliveMaxServerConnectionAge","30m","--y"]""", "spec.template.spec.containers.[name:discovery].args")]
    // a map item selected by key:value (compared as printed: 8080 matches the number)
    [InlineData("spec.template.spec.containers.[name:discovery].ports.[containerPort:8080].containerPort", 1234L, """[{"containerPort":1234,"protocol":"TCP"},{"containerPort":15010}]""", "spec.template.spec.containers.[name:discovery].ports")]
    // a value written as a YAML block is applied as that structure
    [InlineData("spec.template.spec.containers.[name:discovery].env.[name:POD_NAMESPACE].valueFrom", "fieldRef:\n  apiVersion: v2\n  fieldPath: metadata.myPath\n",
        """{"fieldRef":{"apiVersion":"v2","fieldPath":"metadata.myPath"}}""", "spec.template.spec.containers.[name:discovery].env.[name:POD_NAMESPACE].valueFrom")]
    // no value deletes: a list item, a map entry
    [InlineData("spec.template.spec.containers.[name:discovery].env.[name:REVISION]", null, """["POD_NAMESPACE"]""", "env-names")]
    [InlineData("spec.template.spec.containers.[name:discovery].securityContext", null, "null", "spec.template.spec.containers.[name:discovery].securityContext")]
    // [N] by index; past the end appends; missing map keys are created
    [InlineData("spec.template.spec.containers.[name:discovery].args.[1]", "--z", """["discovery","--z","30m","--x=30m"]""", "spec.template.spec.containers.[name:discovery].args")]
    [InlineData("spec.template.spec.containers.[name:discovery].args.[9]", "--last", """["discovery","--keepaliveMaxServerConnectionAge","30m","--x=30m","--last"]""", "spec.template.spec.containers.[name:discovery].args")]
    [InlineData("spec.template.metadata.annotations.sidecar\\.istio\\.io/inject", "false", """{"sidecar.istio.io/inject":"false"}""", "spec.template.metadata.annotations")]
    // a JSON object given as a string stays a string
    [InlineData("metadata.labels.x", "{\"a\": 1}", """{"x":"{\"a\": 1}"}""", "metadata.labels")]
    public void PatchesFollowIstioctl(string path, object? value, string expectedJson, string where)
    {
        var obj = Obj(Deployment);
        Assert.Null(OverlayPatch.Apply(obj, path, value));
        var container = (IDictionary<string, object?>)((List<object?>)Get(obj, "spec.template.spec.containers")!)[0]!;
        object? actual = where switch
        {
            "env-names" => ((List<object?>)container["env"]!).Select(e => ((IDictionary<string, object?>)e!)["name"]).ToList(),
            _ when where.StartsWith("spec.template.spec.containers.[name:discovery].env.[name:POD_NAMESPACE].", StringComparison.Ordinal) =>
                ((IDictionary<string, object?>)((List<object?>)container["env"]!)[0]!)["valueFrom"],
            _ when where.StartsWith("spec.template.spec.containers.[name:discovery].", StringComparison.Ordinal) =>
                container.TryGetValue(where.Substring("spec.template.spec.containers.[name:discovery].".Length), out var v) ? v : null,
            _ => Get(obj, where),
        };
        Assert.Equal(expectedJson, GoJson.Marshal(actual));
    }

    [Theory]
    [InlineData("spec.template.spec.containers.[name:nothere].image", "path spec.template.spec.containers.[name:nothere].image: element [name:nothere] not found")]
    [InlineData("spec.template.spec.containers.[name:discovery].args.[nomatch]", "path spec.template.spec.containers.[name:discovery].args.[nomatch]: element [nomatch] not found")]
    [InlineData("spec.template.spec.containers.[discovery]", "path spec.template.spec.containers.[discovery]: [discovery] is not a valid key:value path element")]
    [InlineData("metadata.name.x", "leaf type string in non-leaf Node x")]
    public void PathsThatMatchNothingFailWithIstioctlsText(string path, string error)
    {
        var obj = Obj(Deployment);
        string before = GoJson.Marshal(obj);
        Assert.Equal(error, OverlayPatch.Apply(obj, path, "v"));
        Assert.Equal(before, GoJson.Marshal(obj));
    }

    [SkippableFact]
    public void IstioctlsOwnOverlayExampleRendersAsItsGolden()
    {
        Skip.IfNot(Directory.Exists(GoldenData.Release), "Istio release data not found (set ISTIOPS_ISTIO_DATA)");
        string file = Path.Combine(Path.GetTempPath(), $"render-overlay-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, """
            apiVersion: install.istio.io/v1alpha1
            kind: IstioOperator
            spec:
              components:
                base:
                  k8s:
                    overlays:
                    - kind: ServiceAccount
                      name: istio-reader-service-account
                      patches:
                      - path: spec.automountServiceAccountToken
                        value: false
                pilot:
                  k8s:
                    overlays:
                    - kind: Deployment
                      name: istiod
                      patches:
                      - path: spec.template.spec.containers.[name:discovery].args.[30m]
                        value: "60m"
                      - path: spec.template.spec.containers.[name:discovery].ports.[containerPort:8080].containerPort
                        value: 1234
                      - path: spec.template.spec.containers.[name:discovery].env.[name:POD_NAMESPACE].valueFrom
                        value: |
                          fieldRef:
                            apiVersion: v2
                            fieldPath: metadata.myPath
                      - path: spec.template.spec.containers.[name:discovery].env.[name:REVISION]
                      - path: spec.template.spec.containers.[name:discovery].securityContext
                      - path: spec.template.spec.containers.[name:nothere].image
                        value: x
            """);
        try
        {
            var m = IstioManifestGenerator.Generate(new IstioRenderRequest { ReleasePath = GoldenData.Release, ValuesFiles = new[] { file } });
            var sa = m.Objects.Single(o => o.Kind == "ServiceAccount" && o.Name == "istio-reader-service-account");
            Assert.Contains("spec:\n  automountServiceAccountToken: false\n", sa.Yaml);
            var istiod = m.Objects.Single(o => o.Kind == "Deployment" && o.Name == "istiod").Yaml;
            Assert.Contains("- --keepaliveMaxServerConnectionAge\n        - 60m\n", istiod);
            Assert.Contains("- containerPort: 1234\n", istiod);
            Assert.Contains("fieldRef:\n              apiVersion: v2\n              fieldPath: metadata.myPath\n", istiod);
            Assert.DoesNotContain("name: REVISION", istiod);
            Assert.DoesNotContain("securityContext:\n          allowPrivilegeEscalation", istiod);
            Assert.Contains(m.Warnings, w => w.Contains("element [name:nothere] not found", StringComparison.Ordinal));
        }
        finally { File.Delete(file); }
    }

    private static object? Get(object? node, string path)
    {
        foreach (var key in OverlayPatch.PathFromString(path))
            node = node is IDictionary<string, object?> m && m.TryGetValue(key, out var v) ? v : null;
        return node;
    }
}
