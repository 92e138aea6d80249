using System.Globalization;
using System.Text.RegularExpressions;
using IstioPS.Rendering.GoTemplate;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IstioPS.Rendering.Yaml;

/// <summary>YAML reading with sigs.k8s.io/yaml semantics (goyaml v2 resolution, numbers become float64)
/// and writing like sigs.k8s.io/yaml.Marshal (sorted keys, goyaml v2 quoting).</summary>
public static partial class GoYaml
{
    /// <summary>Parses one YAML document into maps, lists, strings, bools, doubles and nulls (sigs.k8s.io/yaml.Unmarshal).</summary>
    public static object? Parse(string text)
    {
        var docs = ParseAll(text);
        return docs.Count == 0 ? null : docs[0];
    }

    /// <summary>Parses one YAML document, requiring a mapping (or empty), as Helm's values reader does.</summary>
    public static Dictionary<string, object?> ParseMap(string text) => AsMap(Parse(text));

    internal static Dictionary<string, object?> AsMap(object? v)
    {
        return v switch
        {
            null => GoValues.NewMap(),
            Dictionary<string, object?> m => m,
            _ => throw new FormatException($"error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {JsonKind(v)} into Go value of type map[string]interface {{}}"),
        };
    }

    /// <summary>encoding/json's name for the kind of a decoded value ("cannot unmarshal array into ...").</summary>
    internal static string JsonKind(object? v) => v switch
    {
        string => "string",
        double or long => "number",
        bool => "bool",
        List<object?> => "array",
        _ => "object",
    };

    /// <summary>Parses every document of a multi-document YAML stream (within <see cref="YamlBudget"/>'s limits).</summary>
    public static List<object?> ParseAll(string text, CancellationToken ct = default)
    {
        if (FastYamlReader.TryParseAll(text, out var fast)) return fast;
        return ParseAllFull(text, ct);
    }

    /// <summary>The full (YamlDotNet-based) reader, used when the fast reader declines.</summary>
    internal static List<object?> ParseAllFull(string text, CancellationToken ct = default)
    {
        var result = new List<object?>();
        var parser = new YamlDotNet.Core.Parser(new StringReader(text));
        var budget = new YamlBudget(ct);
        parser.Consume<StreamStart>();
        while (!parser.Accept<StreamEnd>(out _))
        {
            parser.Consume<DocumentStart>();
            budget.NewDocument();
            var anchors = new Dictionary<string, object?>(StringComparer.Ordinal);
            object? v = null;
            if (!parser.Accept<DocumentEnd>(out _)) v = ReadNode(parser, anchors, budget, 1);
            parser.Consume<DocumentEnd>();
            result.Add(v);
        }
        return result;
    }

    private static object? ReadNode(IParser parser, Dictionary<string, object?> anchors, YamlBudget budget, int depth)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!anchors.TryGetValue(alias.Value.Value, out var av)) throw new YamlException(alias.Start, alias.End, $"unknown anchor '{alias.Value}' referenced");
            budget.Alias(CountNodes(av), alias.Start);
            return GoValues.DeepCopy(av);
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            budget.Node(scalar.Start);
            var v = ResolveScalar(scalar);
            if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = v;
            return v;
        }
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            budget.Node(seqStart.Start);
            YamlBudget.Enter(depth, seqStart.Start);
            var list = new List<object?>();
            if (!seqStart.Anchor.IsEmpty) anchors[seqStart.Anchor.Value] = list;
            while (!parser.TryConsume<SequenceEnd>(out _)) list.Add(ReadNode(parser, anchors, budget, depth + 1));
            return list;
        }
        if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            budget.Node(mapStart.Start);
            YamlBudget.Enter(depth, mapStart.Start);
            var map = GoValues.NewMap();
            if (!mapStart.Anchor.IsEmpty) anchors[mapStart.Anchor.Value] = map;
            List<Dictionary<string, object?>>? merges = null;
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                bool isMerge = parser.Accept<Scalar>(out var ks) && ks.Value == "<<" && ks.Style == ScalarStyle.Plain;
                var key = ReadNode(parser, anchors, budget, depth + 1);
                var value = ReadNode(parser, anchors, budget, depth + 1);
                if (isMerge)
                {
                    merges ??= new();
                    if (value is Dictionary<string, object?> mm) merges.Add(mm);
                    else if (value is List<object?> ml) merges.AddRange(ml.OfType<Dictionary<string, object?>>());
                    continue;
                }
                map[KeyString(key)] = value;
            }
            if (merges != null)
                foreach (var m in merges)
                    foreach (var kv in m)
                        if (!map.ContainsKey(kv.Key)) map[kv.Key] = GoValues.DeepCopy(kv.Value);
            return map;
        }
        throw new YamlException(parser.Current?.Start ?? Mark.Empty, parser.Current?.End ?? Mark.Empty, "unexpected YAML event");
    }

    /// <summary>How many nodes a value holds (what expanding an alias of it decodes).</summary>
    private static long CountNodes(object? v) => v switch
    {
        IDictionary<string, object?> m => 1 + m.Values.Sum(CountNodes),
        List<object?> l => 1 + l.Sum(CountNodes),
        _ => 1,
    };

    /// <summary>The map key a scalar becomes when read as Kubernetes reads manifests (a plain `n` is the key "false").</summary>
    public static string MapKey(string scalar, bool plain) => plain ? KeyString(ResolvePlain(scalar)) : scalar;

    private static string KeyString(object? key) => key switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        double d => JsonFloat(d),
        long l => l.ToString(CultureInfo.InvariantCulture),
        _ => GoFormat.ToString(key),
    };

    /// <summary>A plain scalar as sigs.k8s.io/yaml reads it (integers become float64).</summary>
    internal static object? ResolvePlain(string v)
    {
        var r = Resolve(v, out _);
        return r is long l ? (double)l : RequireJsonValue(r, Mark.Empty, Mark.Empty);
    }

    /// <summary>sigs.k8s.io/yaml converts YAML to JSON, which has no infinities and no NaN: such a value fails the read.</summary>
    private static object? RequireJsonValue(object? v, Mark start, Mark end) =>
        v is double d && !double.IsFinite(d)
            ? throw new YamlException(start, end, $"{JsonConversionError}json: unsupported value: {GoFormat.FormatFloat(d, 'g', -1)}")
            : v;

    private const string JsonConversionError = "error converting YAML to JSON: ";

    /// <summary>A read failure as sigs.k8s.io/yaml words it ("error converting YAML to JSON: yaml: line N: problem"):
    /// YamlDotNet and go-yaml both descend from libyaml and share its problem texts, not their framing or line numbers.</summary>
    public static string GoErrorText(Exception e)
    {
        string message = e.Message;
        if (message.StartsWith(JsonConversionError, StringComparison.Ordinal) || message.StartsWith("error unmarshaling JSON", StringComparison.Ordinal))
            return message;
        if (e is not (SemanticErrorException or SyntaxErrorException)) return JsonConversionError + "yaml: " + message;
        var ye = (YamlException)e;
        string problem = message;
        if (problem.StartsWith("While ", StringComparison.Ordinal) && problem.IndexOf(", ", StringComparison.Ordinal) is var comma and > 0)
            problem = problem.Substring(comma + 2);
        problem = problem.TrimEnd('.');
        if (problem.Length > 0) problem = char.ToLowerInvariant(problem[0]) + problem.Substring(1);
        if (problem == "found invalid mapping") problem = "mapping values are not allowed in this context";
        // go-yaml names the problem's 0-based line, one further for a scanner problem, and no line on the first one.
        long line0 = ye.Start.Line - 1;
        long line = line0 == 0 ? 0 : e is SyntaxErrorException ? line0 + 1 : line0;
        return JsonConversionError + "yaml: " + (line > 0 ? $"line {line}: " : "") + problem;
    }

    private static object? ResolveScalar(Scalar s)
    {
        string tag = s.Tag.IsEmpty ? "" : s.Tag.Value;
        if (tag is "tag:yaml.org,2002:str" or "!!str") return s.Value;
        if (s.Style != ScalarStyle.Plain && tag.Length == 0) return s.Value;
        var r = Resolve(s.Value, out _);
        if (tag is "tag:yaml.org,2002:float" or "!!float" && r is long lf) return (double)lf;
        return r is long l ? (double)l : RequireJsonValue(r, s.Start, s.End);
    }

    private static readonly Regex YamlStyleFloat = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.CultureInvariant);
    private static readonly Regex Base60Float = new(@"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$", RegexOptions.CultureInvariant);
    private static readonly Regex Timestamp = new(@"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$", RegexOptions.CultureInvariant);

    /// <summary>goyaml v2's resolve() for a plain scalar: null, bool, long, double or string.
    /// <paramref name="isTimestamp"/> is set for timestamps (kept as strings).</summary>
    public static object? Resolve(string v, out bool isTimestamp)
    {
        isTimestamp = false;
        if (v.Length == 0) return null;
        char c = v[0];
        switch (v)
        {
            case "~": case "null": case "Null": case "NULL": return null;
            case "y": case "Y": case "yes": case "Yes": case "YES": case "on": case "On": case "ON":
            case "true": case "True": case "TRUE": return true;
            case "n": case "N": case "no": case "No": case "NO": case "off": case "Off": case "OFF":
            case "false": case "False": case "FALSE": return false;
            case ".nan": case ".NaN": case ".NAN": return double.NaN;
            case ".inf": case ".Inf": case ".INF": case "+.inf": case "+.Inf": case "+.INF": return double.PositiveInfinity;
            case "-.inf": case "-.Inf": case "-.INF": return double.NegativeInfinity;
        }
        if (c == '.')
        {
            if (TryParseGoFloat(v, out var f)) return f;
            return v;
        }
        if (c == '+' || c == '-' || (c >= '0' && c <= '9'))
        {
            if (c >= '0' && c <= '9' && Timestamp.IsMatch(v)) { isTimestamp = true; return v; }
            string plain = v.Replace("_", "");
            if (GoTemplate.Parser.TryParseGoInt(plain, out long iv)) return iv;
            if (YamlStyleFloat.IsMatch(plain) && TryParseGoFloat(plain, out var fv)) return fv;
            if (plain.StartsWith("0b", StringComparison.Ordinal) || plain.StartsWith("-0b", StringComparison.Ordinal)) return v;
        }
        return v;
    }

    private static bool TryParseGoFloat(string s, out double d)
    {
        d = 0;
        if (s.Length == 0) return false;
        foreach (char ch in s) if (!(char.IsDigit(ch) || ch is '.' or 'e' or 'E' or '+' or '-')) return false;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d);
    }

    /// <summary>Would goyaml v2 emit this string unquoted without changing its type?</summary>
    internal static bool ResolvesToString(string s)
    {
        var r = Resolve(s, out bool ts);
        return r is string && !ts && !Base60Float.IsMatch(s);
    }

    /// <summary>Go's encoding/json float formatting.</summary>
    public static string JsonFloat(double f)
    {
        if (double.IsNaN(f) || double.IsInfinity(f)) throw new FormatException($"json: unsupported value: {GoFormat.FormatFloat(f, 'g', -1)}");
        double abs = Math.Abs(f);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21))
        {
            string s = GoFormat.FormatFloat(f, 'e', -1);
            int n = s.Length;
            if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s = s.Substring(0, n - 2) + s[n - 1];
            return s;
        }
        return GoFormat.FormatFloat(f, 'f', -1);
    }
}
