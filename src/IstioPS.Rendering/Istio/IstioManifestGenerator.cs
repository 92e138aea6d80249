using System.Collections.Immutable;
using System.Collections;
using IstioPS.Rendering.GoTemplate;
using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering.Istio;

/// <summary>istioctl's manifest generation: profile + IstioOperator files + --set, translated to Helm values per
/// component, each chart rendered into its namespace, k8s patches applied, objects ordered as istioctl prints them.</summary>
public static class IstioManifestGenerator
{
    private const string HelmReleaseName = "istio";

    /// <summary>Renders a release with a profile and nothing else (the bench harness entry point).</summary>
    public static IstioManifest Generate(string releasePath, string profile = "default") =>
        Generate(new IstioRenderRequest { ReleasePath = releasePath, Profile = profile });

    public static IstioManifest Generate(IstioRenderRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cache = request.Cache ?? new RenderCache();
        string manifestsDir = IstioReleaseLayout.ResolveManifestsDirectory(request.ReleasePath);
        var flags = new List<string>();
        if (!string.IsNullOrWhiteSpace(request.Profile) && request.Profile != "default") flags.Add("profile=" + request.Profile);
        flags.AddRange(request.Set ?? Array.Empty<string>());
        if (!string.IsNullOrEmpty(request.Revision) && request.Revision != "default") flags.Add("revision=" + request.Revision);

        var wanted = ResolveComponentFilter(request.Components);
        var warnings = new List<string>();
        var merged = MergeInputs(manifestsDir, request.ValuesFiles ?? Array.Empty<string>(), flags, out string chartsRoot,
            request.Force ? warnings : null, HubTagOverlay(request.CompiledHub, request.CompiledTag));
        if (IopValues.GetPathMap(merged, "spec.unvalidatedValues") is { } unvalidated)
            IopValues.MergeFrom(merged, MakeMap(unvalidated, "spec", "values"));

        var groups = new List<(IstioComponentInfo Info, string Namespace, List<RenderedObject> Objects)>();
        foreach (var comp in IstioComponents.All)
        {
            foreach (var spec in ComponentSpecs(comp, merged))
            {
                if (wanted != null && !wanted.Contains(comp.Name)) continue;
                var compVals = ApplyComponentValues(comp, spec, merged);
                var values = IopValues.GetPathMap(compVals, "spec.values");
                string chartDir = Path.Combine(chartsRoot, "charts", comp.HelmSubdir.Replace('/', Path.DirectorySeparatorChar));
                var chart = HelmChart.Load(chartDir, cache);
                var rendered = HelmRenderer.Render(chart, values, new HelmReleaseOptions
                {
                    ReleaseName = HelmReleaseName,
                    Namespace = spec.Namespace,
                    IsInstall = false,
                    IsUpgrade = request.IsUpgrade,
                    KubeVersion = request.KubeVersion,
                }, cache, request.CancellationToken);
                foreach (var t in rendered.Where(t => t.Path.EndsWith(".txt", StringComparison.Ordinal)))
                    foreach (var line in t.Text.Split('\n'))
                        if (line.StartsWith("WARNING: ", StringComparison.Ordinal)) warnings.Add(line.Substring(9));
                var objects = new List<(RenderedDocument Doc, string Text, IDictionary<string, object?> Obj)>();
                var knownYamls = new Dictionary<IDictionary<string, object?>, string>(ReferenceEqualityComparer.Instance);
                foreach (var doc in HelmRenderer.SplitDocuments(rendered))
                {
                    IDictionary<string, object?>? obj;
                    string? knownYaml = null;
                    try
                    {
                        if (cache.Yaml.TryGetMarshalled(doc.Yaml, out var known, out var text) && known is IDictionary<string, object?> km &&
                            ObjectIdentity.FromMap(km).Kind.Length > 0)
                        {
                            obj = km;
                            knownYaml = text;
                        }
                        else if (!ObjectIdentity.TryParseShared(doc.Yaml, cache.Yaml, out _, out obj)) continue;
                    }
                    catch (YamlDotNet.Core.YamlException e)
                    {
                        throw new RenderException(RenderErrorIds.TemplateExecutionError,
                            $"{doc.SourceTemplate}: rendered YAML is invalid: {e.Message}", doc.SourceTemplate, null, e);
                    }
                    objects.Add((doc, doc.Yaml, obj!));
                    if (knownYaml != null) knownYamls[obj!] = knownYaml;
                }
                // Objects may be shared with the parse cache; PostProcess copies any object before patching it.
                var objectList = objects.Select(o => o.Obj).ToList();
                var patched = PostProcess.Apply(comp, spec, objectList, compVals, warnings);
                var list = objects.Select((o, i) => new RenderedObject(comp.Name, ObjectIdentity.FromMap(objectList[i]), objectList[i],
                    patched.Contains(objectList[i]) ? GoYaml.Marshal(objectList[i])
                    : knownYamls.TryGetValue(objectList[i], out var ky) ? ky : cache.Yaml.MarshalParsed(o.Text, objectList[i]), o.Doc)).ToList();
                var existing = groups.FindIndex(g => g.Info.Name == comp.Name);
                if (existing >= 0) groups[existing].Objects.AddRange(list);
                else groups.Add((comp, spec.Namespace, list));
            }
        }

        var all = groups.SelectMany(g => g.Objects).ToList();
        var sorted = SortObjects(all);
        var components = IstioComponents.InstallOrder
            .Select(n => groups.FirstOrDefault(g => g.Info.Name == n))
            .Where(g => g.Info != null)
            .Select(g => new IstioComponentManifest(g.Info, g.Namespace, SortObjects(g.Objects)))
            .ToList();
        return new IstioManifest(sorted, components, merged, warnings);
    }

    private static HashSet<string>? ResolveComponentFilter(IList<string>? names)
    {
        if (names == null || names.Count == 0) return null;
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            var c = IstioComponents.Find(n) ?? throw new RenderException(RenderErrorIds.UnknownComponent,
                $"unknown component '{n}'; expected one of {string.Join(", ", IstioComponents.All.Select(x => x.Name))}");
            set.Add(c.Name);
        }
        return set;
    }

    /// <summary>istioctl's stable object order.</summary>
    public static List<RenderedObject> SortObjects(IEnumerable<RenderedObject> objects)
    {
        return objects
            .Select((o, i) => (o, i))
            .OrderBy(x => KindOrdering(x.o.Group, x.o.Kind))
            .ThenBy(x => x.o.Group, StringComparer.Ordinal)
            .ThenBy(x => x.o.Kind, StringComparer.Ordinal)
            .ThenBy(x => x.o.Name, StringComparer.Ordinal)
            .ThenBy(x => x.i)
            .Select(x => x.o)
            .ToList();
    }

    /// <summary>istioctl's objectKindOrdering.</summary>
    public static int KindOrdering(string group, string kind) => (group + "/" + kind) switch
    {
        "apiextensions.k8s.io/CustomResourceDefinition" => -1000,
        "/ServiceAccount" or "rbac.authorization.k8s.io/ClusterRole" => 1,
        "rbac.authorization.k8s.io/ClusterRoleBinding" => 2,
        "admissionregistration.k8s.io/ValidatingWebhookConfiguration" => 3,
        "/ConfigMap" or "/Secrets" => 100,
        "extensions/Deployment" or "apps/Deployment" => 1000,
        "autoscaling/HorizontalPodAutoscaler" => 1001,
        "/Service" => 10000,
        _ => 1000,
    };

    internal static Dictionary<string, object?> MakeMap(object? contents, params string[] path)
    {
        var ret = GoValues.NewMap();
        ret[path[^1]] = contents;
        for (int i = path.Length - 2; i >= 0; i--)
        {
            var outer = GoValues.NewMap();
            outer[path[i]] = ret;
            ret = outer;
        }
        return ret;
    }

    // ---- inputs -----------------------------------------------------------------------------

    /// <summary>istioctl's MergeInputs: profile &lt; files &lt; --set, then translation, then user values again.</summary>
    /// <param name="forcedWarnings">When given (--force), validation problems are added here instead of thrown.</param>
    internal static Dictionary<string, object?> MergeInputs(string manifestsDir, IEnumerable<string> files, IEnumerable<string> flags, out string chartsRoot,
        List<string>? forcedWarnings = null, IReadOnlyList<string>? hubTag = null)
    {
        var user = GoValues.NewMap();
        user["apiVersion"] = "install.istio.io/v1alpha1";
        user["kind"] = "IstioOperator";
        user["metadata"] = GoValues.NewMap();
        user["spec"] = GoValues.NewMap();
        foreach (var file in files)
        {
            string path = file.Trim();
            if (!File.Exists(path)) throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"values file not found: {path}", path);
            string text = File.ReadAllText(path);
            List<object?> docs;
            try { docs = GoYaml.ParseAll(text); }
            catch (YamlDotNet.Core.YamlException e)
            {
                throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{path}: unable to parse file: {e.Message}", path, (int)e.Start.Line, e);
            }
            var objects = docs.Where(d => d != null).ToList();
            if (objects.Count > 1)
                throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{path}: contains multiple IstioOperator CRs, only one per file is supported", path);
            if (objects.Count == 0) continue;
            if (objects[0] is not Dictionary<string, object?> m)
                throw new RenderException(RenderErrorIds.ValuesFileInvalid, $"{path}: not an IstioOperator (expected a mapping)", path);
            if (!m.TryGetValue("spec", out var spec) || spec == null) m.Remove("spec");
            IopValues.MergeFrom(user, m);
        }
        Check(IopValidation.Validate(user, RenderErrorIds.ValuesFileInvalid, RenderErrorIds.ValuesFileInvalid), forcedWarnings);
        IopValues.SetSpecPaths(user, flags);
        Check(IopValidation.Validate(user, RenderErrorIds.InvalidSetPath, RenderErrorIds.InvalidSetValue), forcedWarnings);

        string installPackagePath = IopValues.GetPathString(user, "spec.installPackagePath");
        chartsRoot = string.IsNullOrEmpty(installPackagePath) ? manifestsDir : IstioReleaseLayout.ResolveManifestsDirectory(installPackagePath);
        string profile = IopValues.GetPathString(user, "spec.profile");
        var userValues = IopValues.GetPathMap(user, "spec.values");

        var baseMap = ReadProfile(chartsRoot, profile);
        if (hubTag != null) IopValues.SetSpecPaths(baseMap, hubTag);
        IopValues.MergeFrom(baseMap, user);
        Translate(baseMap);
        if (userValues != null) IopValues.MergeFrom(baseMap, MakeMap(userValues, "spec", "values"));
        return baseMap;
    }

    /// <summary>istioctl's hubTagOverlay: both compiled-in values known, or nothing.</summary>
    private static IReadOnlyList<string>? HubTagOverlay(string? hub, string? tag) =>
        string.IsNullOrEmpty(hub) || string.IsNullOrEmpty(tag) ? null : new[] { "hub=" + hub, "tag=" + tag };

    private static void Check(List<(string Id, string Message)> problems, List<string>? forcedWarnings)
    {
        if (problems.Count == 0) return;
        if (forcedWarnings != null)
        {
            forcedWarnings.AddRange(problems.Select(p => "spec invalid; continuing because of --force: " + p.Message));
            return;
        }
        throw new RenderException(problems[0].Id, string.Join("; ", problems.Select(p => p.Message)));
    }

    private static Dictionary<string, object?> ReadProfile(string manifestsDir, string profile)
    {
        if (string.IsNullOrEmpty(profile)) profile = "default";
        var b = ReadProfileFile(manifestsDir, "default");
        if (profile == "default") return b;
        IopValues.MergeFrom(b, ReadProfileFile(manifestsDir, profile));
        return b;
    }

    private static Dictionary<string, object?> ReadProfileFile(string manifestsDir, string profile)
    {
        string path = Path.Combine(manifestsDir, "profiles", profile + ".yaml");
        if (profile.IndexOfAny(new[] { '/', '\\' }) >= 0 || !File.Exists(path))
        {
            var known = IstioProfiles.Names(manifestsDir);
            throw new RenderException(RenderErrorIds.UnknownProfile,
                $"profile \"{profile}\" not found in {Path.Combine(manifestsDir, "profiles")}; available profiles: {string.Join(", ", known)}", path);
        }
        return HelmValues.Parse(File.ReadAllText(path), path);
    }

    private static readonly ImmutableArray<(string In, string Out)> Translations = ImmutableArray.Create(new (string In, string Out)[]
    {
        ("spec.hub", "global.hub"), ("spec.tag", "global.tag"), ("spec.revision", "revision"),
        ("spec.meshConfig", "meshConfig"), ("spec.compatibilityVersion", "compatibilityVersion"),
    });

    private static void Translate(Dictionary<string, object?> b)
    {
        foreach (var (input, output) in Translations)
        {
            if (!IopValues.TryGetPath(b, input, out var v)) continue;
            if (v is IDictionary<string, object?>) IopValues.MergeFrom(b, MakeMap(v, "spec", "values", "meshConfig"));
            else IopValues.SetSpecPaths(b, new[] { $"values.{output}={GoFormat.ToString(v)}" });
        }
        IopValues.SetPath(b, "spec.values.pilot.enabled", IopValues.GetPathBool(b, "spec.components.pilot.enabled"));
        IopValues.SetPath(b, "spec.values.pilot.cni.enabled", IopValues.GetPathBool(b, "spec.components.cni.enabled"));
        string ns = IopValues.GetPathString(b, "spec.values.global.istioNamespace");
        if (ns.Length > 0) IopValues.SetPath(b, "metadata.namespace", ns);
    }

    // ---- components -------------------------------------------------------------------------

    internal sealed class ComponentSpec
    {
        public string Namespace = "";
        public string Name = "";
        public object? Label;
        public string Hub = "";
        public object? Tag;
        public bool HasTag;
        public IDictionary<string, object?>? K8s;
        public IDictionary<string, object?> Raw = GoValues.NewMap();
    }

    private static List<ComponentSpec> ComponentSpecs(IstioComponentInfo c, Dictionary<string, object?> merged)
    {
        string defaultNamespace = IopValues.GetPathString(merged, "metadata.namespace");
        bool def = c.Default;
        bool altEnabled = false;
        if (c.AltEnablementPath != null && IopValues.GetPathBool(merged, c.AltEnablementPath)) { def = true; altEnabled = true; }
        var defaultResponse = def ? new List<ComponentSpec> { new() { Namespace = defaultNamespace } } : new List<ComponentSpec>();

        ComponentSpec Build(IDictionary<string, object?> m)
        {
            var s = new ComponentSpec { Raw = m };
            s.Namespace = m.TryGetValue("namespace", out var ns) && ns is string nss ? nss : "";
            if (s.Namespace.Length == 0) s.Namespace = defaultNamespace;
            if (s.Namespace.Length == 0) s.Namespace = "istio-system";
            s.Name = m.TryGetValue("name", out var n) && n is string ns2 ? ns2 : "";
            s.Label = m.TryGetValue("label", out var l) && l is IDictionary<string, object?> lm ? lm : GoValues.NewMap();
            s.Hub = m.TryGetValue("hub", out var h) && h is string hs ? hs : "";
            s.HasTag = m.TryGetValue("tag", out s.Tag) && s.Tag != null;
            s.K8s = m.TryGetValue("k8s", out var k) ? k as IDictionary<string, object?> : null;
            return s;
        }

        static bool Enabled(IDictionary<string, object?> m) => !(m.TryGetValue("enabled", out var e) && e is bool b && !b);

        if (c.Multi)
        {
            if (!IopValues.TryGetPath(merged, "spec.components." + c.SpecName, out var s) || s == null) return defaultResponse;
            var specs = new List<ComponentSpec>();
            if (s is IList list)
                foreach (var cur in list)
                {
                    var m = cur as IDictionary<string, object?> ?? GoValues.NewMap();
                    if (Enabled(m) || altEnabled) specs.Add(Build(m));
                }
            return specs;
        }
        var sm = IopValues.GetPathMap(merged, "spec.components." + c.SpecName);
        if (sm == null) return defaultResponse;
        if (!(Enabled(sm) || altEnabled)) return new List<ComponentSpec>();
        return new List<ComponentSpec> { Build(sm) };
    }

    private static Dictionary<string, object?> ApplyComponentValues(IstioComponentInfo comp, ComponentSpec spec, Dictionary<string, object?> merged)
    {
        string root = comp.ValuesRoot;
        if (comp.IsGateway)
        {
            merged = IopValues.JsonCloneMap(merged);
            IopValues.SetPath(merged, $"spec.values.{root}.name", spec.Name);
            IopValues.SetPath(merged, $"spec.values.{root}.labels", IopValues.JsonClone(spec.Label));
            if (spec.K8s != null && spec.K8s.TryGetValue("service", out var svc) && svc is IDictionary<string, object?> svcm &&
                svcm.TryGetValue("ports", out var ports) && ports is IList pl && pl.Count > 0)
                IopValues.SetPath(merged, $"spec.values.{root}.ports", IopValues.JsonClone(ports));
        }
        if (!comp.FlattenValues && spec.Hub.Length == 0 && !spec.HasTag && spec.Label == null) return merged;
        merged = IopValues.JsonCloneMap(merged);
        if (spec.Hub.Length > 0) IopValues.SetSpecPaths(merged, new[] { $"values.{root}.hub={spec.Hub}" });
        if (spec.HasTag) IopValues.SetSpecPaths(merged, new[] { $"values.{root}.tag={GoFormat.ToString(spec.Tag)}" });
        if (comp.FlattenValues)
        {
            var cv = IopValues.GetPathMap(merged, "spec.values." + root);
            if (cv != null)
            {
                var vals = IopValues.GetPathMap(merged, "spec.values")!;
                var nv = GoValues.NewMap();
                nv["global"] = vals.TryGetValue("global", out var g) ? g : null;
                foreach (var kv in vals) if (kv.Value is not IDictionary<string, object?>) nv[kv.Key] = kv.Value;
                foreach (var kv in cv) nv[kv.Key] = kv.Value;
                ((IDictionary<string, object?>)merged["spec"]!)["values"] = nv;
            }
        }
        return merged;
    }
}
