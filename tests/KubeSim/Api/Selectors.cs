using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>Label selectors (equality- and set-based) as kube-apiserver parses them.</summary>
public sealed class LabelSelector
{
    enum Op { Eq, NotEq, In, NotIn, Exists, NotExists }
    sealed record Req(string Key, Op Op, string[] Values);

    readonly List<Req> _reqs = [];

    public static readonly LabelSelector Everything = new();

    public bool IsEmpty => _reqs.Count == 0;

    public static LabelSelector Parse(string? text)
    {
        var sel = new LabelSelector();
        if (string.IsNullOrWhiteSpace(text)) return sel;
        foreach (var part in SplitTopLevel(text))
        {
            var p = part.Trim();
            if (p.Length == 0) throw Bad(text, "empty requirement");
            if (p.StartsWith('!'))
            {
                sel._reqs.Add(new(CheckKey(p[1..].Trim(), text), Op.NotExists, []));
                continue;
            }
            var lower = p;
            int idx;
            if ((idx = IndexOfWord(lower, " notin ")) > 0 || (idx = IndexOfWord(lower, " notin(")) > 0)
                sel._reqs.Add(new(CheckKey(p[..idx].Trim(), text), Op.NotIn, SetValues(p[(idx + 6)..], text)));
            else if ((idx = IndexOfWord(lower, " in ")) > 0 || (idx = IndexOfWord(lower, " in(")) > 0)
                sel._reqs.Add(new(CheckKey(p[..idx].Trim(), text), Op.In, SetValues(p[(idx + 3)..], text)));
            else if ((idx = p.IndexOf("!=", StringComparison.Ordinal)) > 0)
                sel._reqs.Add(new(CheckKey(p[..idx].Trim(), text), Op.NotEq, [CheckValue(p[(idx + 2)..].Trim(), text)]));
            else if ((idx = p.IndexOf("==", StringComparison.Ordinal)) > 0)
                sel._reqs.Add(new(CheckKey(p[..idx].Trim(), text), Op.Eq, [CheckValue(p[(idx + 2)..].Trim(), text)]));
            else if ((idx = p.IndexOf('=')) > 0)
                sel._reqs.Add(new(CheckKey(p[..idx].Trim(), text), Op.Eq, [CheckValue(p[(idx + 1)..].Trim(), text)]));
            else
                sel._reqs.Add(new(CheckKey(p, text), Op.Exists, []));
        }
        return sel;
    }

    /// <summary>A selector from a LabelSelector object (matchLabels and matchExpressions).</summary>
    public static LabelSelector FromObject(JsonNode? node)
    {
        var sel = new LabelSelector();
        if (node is not JsonObject o) return sel;
        foreach (var (k, v) in Json.StringMap(o["matchLabels"])) sel._reqs.Add(new(k, Op.Eq, [v]));
        if (o["matchExpressions"] is JsonArray exprs)
            foreach (var e in exprs.OfType<JsonObject>())
            {
                var values = e["values"] is JsonArray a ? a.Select(x => x.AsString() ?? "").ToArray() : [];
                var op = e.Str("operator") switch
                {
                    "In" => Op.In, "NotIn" => Op.NotIn, "Exists" => Op.Exists, _ => Op.NotExists,
                };
                sel._reqs.Add(new(e.Str("key") ?? "", op, values));
            }
        return sel;
    }

    /// <summary>A selector matching exactly these labels (Service and ReplicationController selectors).</summary>
    public static LabelSelector FromMap(IReadOnlyDictionary<string, string> labels)
    {
        var sel = new LabelSelector();
        foreach (var (k, v) in labels) sel._reqs.Add(new(k, Op.Eq, [v]));
        return sel;
    }

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var r in _reqs)
        {
            var has = labels.TryGetValue(r.Key, out var v);
            var ok = r.Op switch
            {
                Op.Eq => has && v == r.Values[0],
                Op.NotEq => !has || v != r.Values[0],
                Op.In => has && r.Values.Contains(v),
                Op.NotIn => !has || !r.Values.Contains(v),
                Op.Exists => has,
                _ => !has,
            };
            if (!ok) return false;
        }
        return true;
    }

    static int IndexOfWord(string s, string word) => s.IndexOf(word, StringComparison.Ordinal);

    static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        if (depth != 0) throw Bad(text, "unbalanced parentheses");
        yield return text[start..];
    }

    static string[] SetValues(string rest, string text)
    {
        rest = rest.Trim();
        if (!rest.StartsWith('(') || !rest.EndsWith(')')) throw Bad(text, "expected '(' ... ')' after set operator");
        return rest[1..^1].Split(',').Select(v => CheckValue(v.Trim(), text)).ToArray();
    }

    static readonly System.Text.RegularExpressions.Regex KeyRx =
        new(@"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$");
    static readonly System.Text.RegularExpressions.Regex ValueRx = new(@"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$");

    static string CheckKey(string key, string text) =>
        KeyRx.IsMatch(key) ? key : throw Bad(text, $"invalid label key \"{key}\"");

    static string CheckValue(string value, string text) =>
        ValueRx.IsMatch(value) ? value : throw Bad(text, $"invalid label value: \"{value}\"");

    static ApiException Bad(string text, string why) =>
        ApiException.BadRequest($"unable to parse requirement: {why} (selector \"{text}\")");
}

/// <summary>Field selectors: '=', '==' and '!=' on dotted paths (metadata.name, status.phase, spec.nodeName, ...).</summary>
public sealed class FieldSelector
{
    readonly List<(string[] Path, bool Equal, string Value)> _reqs = [];

    public static readonly FieldSelector Everything = new();

    public bool IsEmpty => _reqs.Count == 0;

    /// <summary>The value required for metadata.name, when the selector pins one (watch of a single object).</summary>
    public string? PinnedName => _reqs.FirstOrDefault(r => r.Equal && r.Path is ["metadata", "name"]).Value;

    public static FieldSelector Parse(string? text)
    {
        var sel = new FieldSelector();
        if (string.IsNullOrWhiteSpace(text)) return sel;
        foreach (var raw in text.Split(','))
        {
            var p = raw.Trim();
            int idx;
            string field, value;
            bool eq;
            if ((idx = p.IndexOf("!=", StringComparison.Ordinal)) > 0) { field = p[..idx]; value = p[(idx + 2)..]; eq = false; }
            else if ((idx = p.IndexOf("==", StringComparison.Ordinal)) > 0) { field = p[..idx]; value = p[(idx + 2)..]; eq = true; }
            else if ((idx = p.IndexOf('=')) > 0) { field = p[..idx]; value = p[(idx + 1)..]; eq = true; }
            else throw ApiException.BadRequest($"invalid selector: '{text}'; can't understand '{p}'");
            field = field.Trim();
            if (field.Length == 0 || field.Split('.').Any(s => s.Length == 0))
                throw ApiException.BadRequest($"\"{field}\" is not a known field selector");
            sel._reqs.Add((field.Split('.'), eq, value.Trim()));
        }
        return sel;
    }

    /// <summary>Matches a stored object, reading its indexed fields without parsing it where it can.</summary>
    public bool Matches(Storage.StoredObject stored)
    {
        foreach (var (path, equal, value) in _reqs)
        {
            if (!stored.TryGetField(path, out var known)) return Matches(stored.Object);
            if (((known ?? "") == value) != equal) return false;
        }
        return true;
    }

    public bool Matches(JsonObject obj)
    {
        foreach (var (path, equal, value) in _reqs)
        {
            var node = obj.At(path);
            var actual = node switch
            {
                null => "",
                JsonValue v when v.TryGetValue<string>(out var s) => s,
                _ => node.ToJsonString(),
            };
            if ((actual == value) != equal) return false;
        }
        return true;
    }
}
