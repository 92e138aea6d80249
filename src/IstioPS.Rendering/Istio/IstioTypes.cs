namespace IstioPS.Rendering.Istio;

/// <summary>Input of <see cref="IstioManifestGenerator.Generate"/>: what `istioctl manifest generate` takes.</summary>
public sealed class IstioRenderRequest
{
    /// <summary>An extracted Istio release (holding manifests/) or a manifests folder (holding charts/ and profiles/).</summary>
    public string ReleasePath { get; set; } = "";

    /// <summary>IstioOperator profile. "default" leaves the choice to the files and -Set (spec.profile), as istioctl does.</summary>
    public string Profile { get; set; } = "default";

    /// <summary>IstioOperator YAML files, merged in order.</summary>
    public IList<string> ValuesFiles { get; set; } = new List<string>();

    /// <summary>istioctl --set flags ("values.global.hub=x", "components.egressGateways[0].enabled=true", "profile=demo").</summary>
    public IList<string> Set { get; set; } = new List<string>();

    /// <summary>Revision (istioctl --revision); null or "default" for none.</summary>
    public string? Revision { get; set; }

    /// <summary>Render as `helm upgrade` does (.Release.IsUpgrade): the revision is installed already.</summary>
    public bool IsUpgrade { get; set; }

    /// <summary>Only these components (Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel); null for all enabled.</summary>
    public IList<string>? Components { get; set; }

    /// <summary>Kubernetes version seen by the charts (.Capabilities.KubeVersion).</summary>
    public string KubeVersion { get; set; } = "1.32.0";

    /// <summary>istioctl --force: validation problems do not stop the render.</summary>
    public bool Force { get; set; }

    /// <summary>Charts and large YAML remembered between renders (null: nothing is kept beyond this render).</summary>
    public RenderCache? Cache { get; set; }

    /// <summary>Stops rendering (an <see cref="OperationCanceledException"/>) when cancelled.</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>The hub and tag compiled into istioctl (pkg/version DockerInfo, e.g. "docker.io/istio" and "1.30.3"):
    /// set as spec.hub/spec.tag over the profile and under the user's files and --set, as istioctl's hubTagOverlay does.
    /// Null (istioctl's "unknown", as in Istio's own golden tests) leaves the profile's hub and tag.</summary>
    public string? CompiledHub { get; set; }

    /// <inheritdoc cref="CompiledHub"/>
    public string? CompiledTag { get; set; }
}

/// <summary>One Kubernetes object of a generated manifest.</summary>
public sealed class RenderedObject
{
    internal RenderedObject(string component, ObjectIdentity id, IDictionary<string, object?> obj, string yaml, Helm.RenderedDocument? document)
    {
        Document = document;
        var sourceTemplate = document?.SourceTemplate;
        Component = component;
        ApiVersion = id.ApiVersion;
        Kind = id.Kind;
        Namespace = id.Namespace;
        Name = id.Name;
        Object = obj as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>(obj, StringComparer.Ordinal);
        Yaml = yaml;
        SourceTemplate = sourceTemplate;
    }

    /// <summary>Base, Pilot, IngressGateways, EgressGateways, Cni or Ztunnel.</summary>
    public string Component { get; }
    public string ApiVersion { get; }
    public string Kind { get; }
    public string? Namespace { get; }
    public string Name { get; }

    /// <summary>The object's YAML as istioctl prints it (sigs.k8s.io/yaml: sorted keys), ending in a newline.</summary>
    public string Yaml { get; }

    /// <summary>The Helm template it came from ("istiod/templates/deployment.yaml"), when known.</summary>
    public string? SourceTemplate { get; }

    /// <summary>The rendered document it was read from (its text as the template wrote it, and the template line of
    /// each of its lines), when known.</summary>
    public Helm.RenderedDocument? Document { get; }

    /// <summary>The template line of the object's first line that is not a comment (usually apiVersion); 0 when unknown.</summary>
    public int SourceLine => Document is { } doc ? doc.TemplateLine(FirstContentLine(doc.Yaml)) : 0;

    private static int FirstContentLine(string yaml)
    {
        var line = 1;
        foreach (var text in yaml.AsSpan().EnumerateLines())
        {
            var trimmed = text.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] != '#') return line;
            line++;
        }

        return 1;
    }

    /// <summary>The parsed object (maps, lists, strings, doubles, bools). It may be shared with the renderer's
    /// caches: read it, do not modify it (deep-copy first if you need to).</summary>
    public IReadOnlyDictionary<string, object?> Object { get; }

    public string Group => ApiVersion.Contains('/') ? ApiVersion.Substring(0, ApiVersion.IndexOf('/')) : "";

    public override string ToString() => $"{Kind}/{(Namespace == null ? "" : Namespace + "/")}{Name}";
}

/// <summary>The objects of one component, for installing component by component.</summary>
public sealed class IstioComponentManifest
{
    internal IstioComponentManifest(IstioComponentInfo info, string @namespace, IReadOnlyList<RenderedObject> objects)
    {
        Info = info;
        Namespace = @namespace;
        Objects = objects;
    }

    public string Component => Info.Name;
    public IstioComponentInfo Info { get; }
    /// <summary>The namespace the component's chart was rendered into.</summary>
    public string Namespace { get; }
    public IReadOnlyList<RenderedObject> Objects { get; }
    public IReadOnlyList<string> DependsOn => Info.DependsOn;
}

/// <summary>Result of <see cref="IstioManifestGenerator.Generate"/>.</summary>
public sealed class IstioManifest
{
    internal IstioManifest(IReadOnlyList<RenderedObject> objects, IReadOnlyList<IstioComponentManifest> components,
        IReadOnlyDictionary<string, object?> mergedOperator, IReadOnlyList<string> warnings)
    {
        Objects = objects;
        Components = components;
        MergedOperator = mergedOperator;
        Warnings = warnings;
    }

    /// <summary>Every object in istioctl's order (CRDs, service accounts/cluster roles, bindings, webhooks, config maps,
    /// deployments and others, HPAs, services; then group, kind, name).</summary>
    public IReadOnlyList<RenderedObject> Objects { get; }

    /// <summary>Objects grouped by component, in install order (base, pilot, gateways, cni, ztunnel).</summary>
    public IReadOnlyList<IstioComponentManifest> Components { get; }

    /// <summary>The merged IstioOperator (profile + files + --set, translated).</summary>
    public IReadOnlyDictionary<string, object?> MergedOperator { get; }

    /// <summary>Chart warnings (NOTES.txt "WARNING:" lines).</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>What `istioctl manifest generate` prints: every object followed by "---".</summary>
    public string ToYaml()
    {
        var sb = new System.Text.StringBuilder();
        foreach (var o in Objects) sb.Append(o.Yaml).Append("\n---\n");
        return sb.ToString();
    }
}
