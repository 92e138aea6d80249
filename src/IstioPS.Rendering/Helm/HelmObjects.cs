using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Helm;

/// <summary>A Go struct exposed to templates: fixed fields, error on unknown ones.</summary>
internal sealed class GoStruct : IGoObject
{
    private readonly Dictionary<string, object?> _fields;
    private readonly Dictionary<string, Func<object?[], object?>> _methods;

    public GoStruct(string typeName, Dictionary<string, object?> fields, Dictionary<string, Func<object?[], object?>>? methods = null)
    {
        GoTypeName = typeName;
        _fields = fields;
        _methods = methods ?? new();
    }

    public string GoTypeName { get; }

    public bool TryGetField(string name, out object? value) => _fields.TryGetValue(name, out value);

    public bool TryCallMethod(string name, object?[] args, out object? result)
    {
        if (_methods.TryGetValue(name, out var m)) { result = m(args); return true; }
        result = null;
        return false;
    }

    public override string ToString() => "{" + string.Join(" ", _fields.Values.Select(GoFormat.ToString)) + "}";
}

/// <summary>Helm's .Files: non-template files of the chart.</summary>
internal sealed class HelmFiles : IGoObject, IGoMapLike
{
    private readonly IReadOnlyDictionary<string, string> _files;

    public HelmFiles(IReadOnlyDictionary<string, string> files) => _files = files;

    public string GoTypeName => "engine.files";

    /// <summary>Path to content (Go has []byte values; strings here).</summary>
    public IReadOnlyDictionary<string, object?> Entries => _files.ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);

    private static string ToYaml(Dictionary<string, object?> m) => Yaml.GoYaml.Marshal(m).TrimEnd('\n');

    public bool TryGetField(string name, out object? value) { value = null; return false; }

    public bool TryCallMethod(string name, object?[] args, out object? result)
    {
        switch (name)
        {
            case "Get":
                result = args.Length == 1 && args[0] is string n && _files.TryGetValue(n, out var c) ? c : "";
                return true;
            case "GetBytes":
                result = args.Length == 1 && args[0] is string n2 && _files.TryGetValue(n2, out var c2) ? Encoding.UTF8.GetBytes(c2) : Array.Empty<byte>();
                return true;
            case "Lines":
                {
                    // Helm: the file without one trailing newline, split on newlines; no file, no lines.
                    if (!(args.Length == 1 && args[0] is string n3 && _files.TryGetValue(n3, out var s)) || s.Length == 0)
                    {
                        result = new GoTypedList("[]string", Array.Empty<object?>());
                        return true;
                    }
                    if (s.EndsWith('\n')) s = s.Substring(0, s.Length - 1);
                    result = new GoTypedList("[]string", s.Split('\n'));
                    return true;
                }
            case "Glob":
                {
                    var rx = HelmGlob.Compile(args.Length == 1 && args[0] is string p ? p : "");
                    result = new HelmFiles(_files.Where(kv => rx.IsMatch(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value));
                    return true;
                }
            case "AsConfig":
                {
                    var m = GoValues.NewMap();
                    foreach (var kv in _files) m[Path.GetFileName(kv.Key)] = kv.Value;
                    result = ToYaml(m);
                    return true;
                }
            case "AsSecrets":
                {
                    var m = GoValues.NewMap();
                    foreach (var kv in _files) m[Path.GetFileName(kv.Key)] = Convert.ToBase64String(Encoding.UTF8.GetBytes(kv.Value));
                    result = ToYaml(m);
                    return true;
                }
        }
        result = null;
        return false;
    }
}
