using System.Collections.Frozen;
using System.Collections;

namespace IstioPS.Rendering.Istio;

/// <summary>Structural validation of an IstioOperator (the fields and types istioctl's IstioOperatorSpec accepts).</summary>
internal static class IopValidation
{
    private static readonly FrozenSet<string> SpecFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "profile", "installPackagePath", "hub", "tag", "namespace", "revision", "compatibilityVersion",
        "meshConfig", "components", "values", "unvalidatedValues",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> StringSpecFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "profile", "installPackagePath", "hub", "namespace", "revision", "compatibilityVersion",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SingleComponents = new HashSet<string>(StringComparer.Ordinal) { "base", "pilot", "cni", "ztunnel", "istiodRemote" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> GatewayComponents = new HashSet<string>(StringComparer.Ordinal) { "ingressGateways", "egressGateways" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> K8sFields = new HashSet<string>(StringComparer.Ordinal)
    {
        "affinity", "env", "hpaSpec", "imagePullPolicy", "nodeSelector", "podDisruptionBudget", "podAnnotations",
        "priorityClassName", "readinessProbe", "replicaCount", "resources", "service", "strategy", "tolerations",
        "serviceAnnotations", "securityContext", "volumes", "volumeMounts", "overlays",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Problems found, as (error id, message). <paramref name="pathId"/> is used for unknown fields,
    /// <paramref name="valueId"/> for values of the wrong type.</summary>
    public static List<(string Id, string Message)> Validate(IDictionary<string, object?> iop, string pathId, string valueId)
    {
        var errors = new List<(string, string)>();
        foreach (var key in iop.Keys)
            if (key is not ("apiVersion" or "kind" or "metadata" or "spec" or "status"))
                errors.Add((pathId, $"unknown field \"{key}\" in IstioOperator; settings go under spec (Helm values under spec.values)"));
        if (!iop.TryGetValue("spec", out var specObj) || specObj == null) return errors;
        if (specObj is not IDictionary<string, object?> spec) { errors.Add((valueId, "spec: expected a mapping")); return errors; }
        foreach (var kv in spec)
        {
            string path = "spec." + kv.Key;
            if (!SpecFields.Contains(kv.Key)) { errors.Add((pathId, $"unknown field \"{path}\" in IstioOperator")); continue; }
            if (kv.Value == null) continue;
            if (StringSpecFields.Contains(kv.Key) && kv.Value is not string) errors.Add((valueId, $"{path}: expected a string, got {Describe(kv.Value)}"));
            if (kv.Key is "meshConfig" or "values" && kv.Value is not IDictionary<string, object?>) errors.Add((valueId, $"{path}: expected a mapping, got {Describe(kv.Value)}"));
            if (kv.Key == "components") ValidateComponents(kv.Value, errors, pathId, valueId);
        }
        return errors;
    }

    private static void ValidateComponents(object value, List<(string, string)> errors, string pathId, string valueId)
    {
        if (value is not IDictionary<string, object?> comps) { errors.Add((valueId, $"spec.components: expected a mapping, got {Describe(value)}")); return; }
        foreach (var kv in comps)
        {
            string path = "spec.components." + kv.Key;
            if (kv.Value == null) continue;
            if (SingleComponents.Contains(kv.Key)) ValidateComponent(path, kv.Value, false, errors, pathId, valueId);
            else if (GatewayComponents.Contains(kv.Key))
            {
                if (kv.Value is not IList list) { errors.Add((valueId, $"{path}: expected a list, got {Describe(kv.Value)}")); continue; }
                for (int i = 0; i < list.Count; i++) ValidateComponent($"{path}[{i}]", list[i], true, errors, pathId, valueId);
            }
            else errors.Add((pathId, $"unknown component \"{path}\""));
        }
    }

    private static void ValidateComponent(string path, object? value, bool gateway, List<(string, string)> errors, string pathId, string valueId)
    {
        if (value is not IDictionary<string, object?> m) { errors.Add((valueId, $"{path}: expected a mapping, got {Describe(value)}")); return; }
        foreach (var kv in m)
        {
            string p = path + "." + kv.Key;
            switch (kv.Key)
            {
                case "enabled":
                    if (kv.Value is not (bool or null)) errors.Add((valueId, $"{p}: expected true or false, got {Describe(kv.Value)}"));
                    break;
                case "namespace":
                case "hub":
                    if (kv.Value is not (string or null)) errors.Add((valueId, $"{p}: expected a string, got {Describe(kv.Value)}"));
                    break;
                case "tag":
                    break;
                case "k8s":
                    if (kv.Value is IDictionary<string, object?> k8s)
                    {
                        foreach (var f in k8s.Keys)
                            if (!K8sFields.Contains(f)) errors.Add((pathId, $"unknown field \"{p}.{f}\""));
                    }
                    else if (kv.Value != null) errors.Add((valueId, $"{p}: expected a mapping, got {Describe(kv.Value)}"));
                    break;
                case "name" when gateway:
                    if (kv.Value is not (string or null)) errors.Add((valueId, $"{p}: expected a string, got {Describe(kv.Value)}"));
                    break;
                case "label" when gateway:
                    if (kv.Value is not (IDictionary<string, object?> or null)) errors.Add((valueId, $"{p}: expected a mapping, got {Describe(kv.Value)}"));
                    break;
                default:
                    errors.Add((pathId, $"unknown field \"{p}\""));
                    break;
            }
        }
    }

    private static string Describe(object? v) => v switch
    {
        string s => $"string \"{s}\"",
        null => "null",
        IDictionary<string, object?> => "a mapping",
        IList => "a list",
        _ => $"{GoTemplate.GoValues.TypeName(v)} {GoTemplate.GoFormat.ToString(v)}",
    };
}
