using System.Text.Json.Nodes;
using IstioPS.Engine.Manifests;
using Xunit;

namespace IstioPS.Tests;

public class ManifestReaderTests
{
    private static (List<ManifestObject> Objects, List<ManifestException> Errors) Read(string yaml)
    {
        var objects = new List<ManifestObject>();
        var errors = new List<ManifestException>();
        ManifestReader.Read(yaml, "input.yaml", null, objects, errors);
        return (objects, errors);
    }

    [Fact]
    public void ReadsMultipleDocumentsWithTheirLines()
    {
        var (objects, errors) = Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a
            ---
            ---
            # comment only
            apiVersion: v1
            kind: Service
            metadata:
              name: b
              namespace: x
            """);
        Assert.Empty(errors);
        Assert.Equal(new[] { "a", "b" }, objects.Select(o => o.Name));
        Assert.Equal(1, objects[0].Source.Line);
        Assert.Equal(8, objects[1].Source.Line);
        Assert.Equal("x", objects[1].Namespace);
        Assert.Null(objects[0].Namespace);
    }

    [Fact]
    public void InvalidYamlNamesFileAndLine()
    {
        var (_, errors) = Read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: [x\n");
        var error = Assert.Single(errors);
        Assert.Equal("InvalidYaml", error.ErrorId);
        Assert.StartsWith("input.yaml:", error.Message);
        Assert.True(error.Location.Line >= 5, error.Message);
    }

    [Theory]
    [InlineData("kind: ConfigMap\nmetadata:\n  name: a\n", "no apiVersion")]
    [InlineData("apiVersion: v1\nmetadata:\n  name: a\n", "no kind")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  labels: {}\n", "no metadata.name")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\n", "no metadata")]
    [InlineData("- a\n- b\n", "not a mapping")]
    public void MissingFieldsAreNamed(string yaml, string expected)
    {
        var (objects, errors) = Read("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n---\n" + yaml);
        Assert.Single(objects);
        var error = Assert.Single(errors);
        Assert.Contains(expected, error.Message);
        Assert.Equal(6, error.Location.Line);
    }

    [Fact]
    public void ScalarsAreTypedLikeKubernetes()
    {
        var (objects, _) = Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: a
            spec:
              int: 8080
              float: 1.5
              bool: true
              quoted: "true"
              single: '42'
              nothing: null
              text: hello
              version: 1.30.3
            """);
        var spec = objects[0].Body["spec"]!.AsObject();
        Assert.Equal(8080L, spec["int"]!.GetValue<long>());
        Assert.Equal(1.5, spec["float"]!.GetValue<double>());
        Assert.True(spec["bool"]!.GetValue<bool>());
        Assert.Equal("true", spec["quoted"]!.GetValue<string>());
        Assert.Equal("42", spec["single"]!.GetValue<string>());
        Assert.Null(spec["nothing"]);
        Assert.Equal("1.30.3", spec["version"]!.GetValue<string>());
    }

    [Fact]
    public void ListKindIsExpanded()
    {
        var (objects, errors) = Read("""
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: a}
            - apiVersion: v1
              kind: ConfigMap
              metadata: {name: b}
            """);
        Assert.Empty(errors);
        Assert.Equal(new[] { "a", "b" }, objects.Select(o => o.Name));
        Assert.Equal(7, objects[1].Source.Line);
    }

    [SkippableFact]
    public void ReadsTheIstioCrdsAndAddons()
    {
        var files = ManifestReader.ExpandPaths(new[] { TestData.CrdFile, TestData.Addons });
        var (objects, errors) = ManifestReader.ReadFiles(files);
        Assert.Empty(errors);
        Assert.Equal(15, objects.Count(o => o.Kind == "CustomResourceDefinition" && o.Name.EndsWith("istio.io")));
        Assert.Contains(objects, o => o.Kind == "Deployment" && o.Name == "kiali");
    }

    [Fact]
    public void MissingPathIsAnError()
    {
        var ex = Assert.Throws<IstioPS.Engine.IstioPSException>(() => ManifestReader.ExpandPaths(new[] { "/nonexistent/x.yaml" }));
        Assert.Equal("ManifestPathNotFound", ex.ErrorId);
        Assert.Equal("/nonexistent/x.yaml", ex.Target);
    }
}

public class ObjectValidatorTests
{
    [Theory]
    [InlineData("ConfigMap", "istio-ca-root-cert", true)]
    [InlineData("ConfigMap", "Bad_Name", false)]
    [InlineData("ConfigMap", "a.b.c", true)]
    [InlineData("Namespace", "a.b", false)]
    [InlineData("Service", "1abc", false)]
    [InlineData("Service", "abc-1", true)]
    [InlineData("ClusterRole", "system:istio:reader", true)]
    [InlineData("ClusterRole", "a/b", false)]
    public void NamesFollowTheApiServerRules(string kind, string name, bool valid)
        => Assert.Equal(valid, ObjectValidator.CheckName(kind, name) is null);
}
