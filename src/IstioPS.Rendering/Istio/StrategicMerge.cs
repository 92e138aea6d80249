using System.Collections;
using IstioPS.Rendering.Functions;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Istio;

/// <summary>Kubernetes strategic merge patch for the workload fields istioctl patches: maps merge, null deletes,
/// lists with a merge key (containers/env/volumes by name, ports, ...) merge by key in apimachinery's order,
/// other lists are replaced.</summary>
public static class StrategicMerge
{
    /// <summary>Applies <paramref name="patch"/> to <paramref name="original"/> (modified in place and returned).</summary>
    public static IDictionary<string, object?> Apply(IDictionary<string, object?> original, IDictionary<string, object?> patch, string kind)
    {
        MergeMap(original, patch, kind == "Service" ? "service" : "");
        return original;
    }

    private static void MergeMap(IDictionary<string, object?> original, IDictionary<string, object?> patch, string path)
    {
        foreach (var kv in patch)
        {
            string childPath = path.Length == 0 ? kv.Key : path + "." + kv.Key;
            if (kv.Value == null) { original.Remove(kv.Key); continue; }
            original.TryGetValue(kv.Key, out var cur);
            if (kv.Value is IDictionary<string, object?> pm)
            {
                if (cur is IDictionary<string, object?> om) MergeMap(om, pm, childPath);
                else original[kv.Key] = StripNulls(GoValues.DeepCopy(pm));
                continue;
            }
            if (kv.Value is IList pl)
            {
                string? key = MergeKey(kv.Key, path);
                if (key != null && cur is IList ol) original[kv.Key] = MergeList(ol, pl, key, childPath);
                else original[kv.Key] = GoValues.DeepCopy(kv.Value);
                continue;
            }
            original[kv.Key] = kv.Value;
        }
    }

    private static object? StripNulls(object? v)
    {
        if (v is IDictionary<string, object?> m)
        {
            foreach (var k in m.Where(kv => kv.Value == null).Select(kv => kv.Key).ToList()) m.Remove(k);
            foreach (var k in m.Keys.ToList()) m[k] = StripNulls(m[k]);
        }
        return v;
    }

    private static string? MergeKey(string field, string parentPath) => field switch
    {
        "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "ports" => parentPath.StartsWith("service", StringComparison.Ordinal) ? "port" : "containerPort",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        _ => null,
    };

    private static object? KeyOf(object? item, string key) =>
        item is IDictionary<string, object?> m && m.TryGetValue(key, out var v) ? v : null;

    private static int IndexOf(IList list, object? item, string key)
    {
        var kv = KeyOf(item, key);
        for (int i = 0; i < list.Count; i++)
            if (GoValues.DeepEqual(Num(KeyOf(list[i], key)), Num(kv))) return i;
        return -1;
    }

    private static object? Num(object? v) => GoValues.Integer(v) is long l ? (double)l : v;

    private static List<object?> MergeList(IList original, IList patch, string key, string path)
    {
        // Merge each patch element into its original counterpart, or append it.
        var merged = original.Cast<object?>().Select(GoValues.DeepCopy).ToList();
        foreach (var p in patch)
        {
            int idx = IndexOf(merged, p, key);
            if (idx >= 0 && merged[idx] is IDictionary<string, object?> om && p is IDictionary<string, object?> pm)
                MergeMap(om, pm, path);
            else if (idx < 0) merged.Add(StripNulls(GoValues.DeepCopy(p)));
        }
        // apimachinery's normalizeElementOrder: patch items in patch order, server-only items in server order, interleaved.
        var patchItems = merged.Where(m => IndexOf(patch, m, key) >= 0).ToList();
        var serverOnly = merged.Where(m => IndexOf(patch, m, key) < 0).ToList();
        patchItems.Sort((a, b) => IndexOf(patch, a, key).CompareTo(IndexOf(patch, b, key)));
        serverOnly.Sort((a, b) => IndexOf(original, a, key).CompareTo(IndexOf(original, b, key)));
        var result = new List<object?>(merged.Count);
        int i = 0, j = 0;
        while (i < serverOnly.Count || j < patchItems.Count)
        {
            if (i >= serverOnly.Count) { result.Add(patchItems[j++]); continue; }
            if (j >= patchItems.Count) { result.Add(serverOnly[i++]); continue; }
            int li = IndexOf(original, serverOnly[i], key), ri = IndexOf(original, patchItems[j], key);
            if (li >= 0 && ri >= 0 && li < ri) result.Add(serverOnly[i++]);
            else result.Add(patchItems[j++]);
        }
        return result;
    }
}
