namespace KubeSim.Api;

/// <summary>Every resource served right now: the built-ins plus whatever Established CRDs add.</summary>
public sealed class ResourceRegistry
{
    readonly object _gate = new();
    readonly List<ResourceType> _builtins;
    Dictionary<string, List<ResourceType>> _custom = new(); // CRD name -> served versions
    IReadOnlyList<ResourceType> _all;

    public ResourceRegistry()
    {
        _builtins = [.. BuiltinResources.Create()];
        _all = _builtins;
    }

    /// <summary>Bumped whenever the set of served resources changes (discovery and OpenAPI caches key on it).</summary>
    public int Generation { get; private set; }

    public IReadOnlyList<ResourceType> All => Volatile.Read(ref _all);

    public ResourceType? Find(string group, string version, string plural)
    {
        foreach (var rt in All)
            if (rt.Plural == plural && rt.Version == version && rt.Group == group) return rt;
        return null;
    }

    /// <summary>The resource for a kind at an apiVersion ("v1", "apps/v1").</summary>
    public ResourceType? FindKind(string apiVersion, string kind)
    {
        foreach (var rt in All)
            if (rt.Kind == kind && rt.ApiVersion == apiVersion) return rt;
        return null;
    }

    public ResourceType Get(string group, string plural) =>
        All.First(rt => rt.Group == group && rt.Plural == plural);

    /// <summary>Every version served for one storage key (group/plural).</summary>
    public IEnumerable<ResourceType> Versions(string storageKey) => All.Where(rt => rt.StorageKey == storageKey);

    public bool IsGroupVersionServed(string group, string version) =>
        All.Any(rt => rt.Group == group && rt.Version == version);

    /// <summary>Groups in the order /apis lists them, each with its versions (preferred first).</summary>
    public IReadOnlyList<(string Group, IReadOnlyList<string> Versions)> Groups()
    {
        var all = All;
        var names = all.Select(r => r.Group).Distinct().ToList();
        int Rank(string g)
        {
            var i = Array.IndexOf(BuiltinResources.GroupOrder, g);
            return i >= 0 ? i : BuiltinResources.GroupOrder.Length;
        }
        return names.OrderBy(Rank).ThenBy(g => g, StringComparer.Ordinal)
            .Select(g => (g, (IReadOnlyList<string>)all.Where(r => r.Group == g).Select(r => r.Version).Distinct()
                .OrderByDescending(VersionPriority).ToList()))
            .ToList();
    }

    /// <summary>Kubernetes version priority: GA over beta over alpha, higher numbers first.</summary>
    public static int VersionPriority(string v)
    {
        var m = System.Text.RegularExpressions.Regex.Match(v, @"^v(\d+)(?:(alpha|beta)(\d+))?$");
        if (!m.Success) return -1;
        var major = int.Parse(m.Groups[1].Value);
        var tier = m.Groups[2].Value switch { "" => 3, "beta" => 2, _ => 1 };
        var minor = m.Groups[3].Success && m.Groups[3].Value.Length > 0 ? int.Parse(m.Groups[3].Value) : 0;
        return tier * 1_000_000 + major * 1000 + minor;
    }

    public void SetCustom(string crdName, IReadOnlyList<ResourceType> versions)
    {
        lock (_gate)
        {
            var next = new Dictionary<string, List<ResourceType>>(_custom) { [crdName] = [.. versions] };
            Publish(next);
        }
    }

    public void RemoveCustom(string crdName)
    {
        lock (_gate)
        {
            if (!_custom.ContainsKey(crdName)) return;
            var next = new Dictionary<string, List<ResourceType>>(_custom);
            next.Remove(crdName);
            Publish(next);
        }
    }

    void Publish(Dictionary<string, List<ResourceType>> custom)
    {
        _custom = custom;
        Volatile.Write(ref _all, [.. _builtins, .. custom.Values.SelectMany(v => v)]);
        Generation++;
    }
}
