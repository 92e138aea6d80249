using System.Collections;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>dario.cat/mergo map semantics as used by Sprig's merge/mergeOverwrite: nested maps merge in place,
/// other values (and maps missing in dst) are assigned by reference.</summary>
public static class Mergo
{
    public static void Merge(IDictionary<string, object?> dst, IDictionary<string, object?> src, bool overwrite)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        foreach (var kv in src.ToList())
        {
            string key = kv.Key;
            object? srcElement = kv.Value;
            bool dstValid = dst.TryGetValue(key, out var dstElement);
            if (srcElement == null)
            {
                if (overwrite) dst[key] = null;
                continue;
            }
            if (srcElement is IDictionary<string, object?> srcMap)
            {
                if (dstValid && dstElement is IDictionary<string, object?> dstMap && !ReferenceEquals(dstMap, srcMap))
                    Merge(dstMap, srcMap, overwrite);
            }
            else if (srcElement is IList)
            {
                object? dstSlice = dstValid && dstElement != null ? dstElement : new List<object?>();
                if (overwrite || dst.Count == 0) dstSlice = srcElement;
                dst[key] = dstSlice;
            }
            if (dstValid && !IsEmptyValue(dstElement))
            {
                if (srcElement is IList) continue;
                if (srcElement is IDictionary<string, object?> && dstElement is IDictionary<string, object?>) continue;
            }
            if (overwrite || !dstValid || IsEmptyValue(dstElement)) dst[key] = srcElement;
        }
    }

    private static bool IsEmptyValue(object? v) => GoValues.IsEmpty(v);
}
