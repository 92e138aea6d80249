using System.Text.RegularExpressions;

namespace IstioPS.Rendering.Istio;

/// <summary>istioctl's object hash ("Kind:namespace:name"; ClusterRole/ClusterRoleBinding "Kind:name") and
/// diffSelect matching (comma-separated regexes, "*" or "" parts match anything).</summary>
public static class ObjectSelector
{
    public static string Hash(string kind, string? ns, string name) =>
        kind is "ClusterRole" or "ClusterRoleBinding" ? kind + ":" + name : kind + ":" + (ns ?? "") + ":" + name;

    /// <summary>True when <paramref name="diffSelect"/> is null/empty/"*" or any of its selectors matches the hash.</summary>
    public static bool Matches(string? diffSelect, string hash)
    {
        if (string.IsNullOrWhiteSpace(diffSelect) || diffSelect.Trim() == "*") return true;
        foreach (var sel in diffSelect.Split(','))
        {
            var parts = sel.Trim().Split(':');
            if (parts.Length >= 4) parts = parts.Take(3).ToArray();
            for (int i = 0; i < parts.Length; i++) if (parts[i] == "" || parts[i] == "*") parts[i] = ".*";
            if (Regex.IsMatch(hash, string.Join(":", parts), RegexOptions.CultureInvariant)) return true;
        }
        return false;
    }
}
