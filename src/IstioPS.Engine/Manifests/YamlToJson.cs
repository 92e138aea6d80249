using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IstioPS.Engine.Manifests;

/// <summary>
/// Turns YAML nodes into JSON the way Kubernetes' YAML decoder does: plain scalars become numbers,
/// booleans (YAML 1.1 words included) and null; quoted scalars stay strings; keys are strings.
/// </summary>
internal static class YamlToJson
{
    public static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => ConvertMap(map),
        YamlSequenceNode seq => new JsonArray(seq.Children.Select(Convert).ToArray()),
        YamlScalarNode scalar => ConvertScalar(scalar),
        _ => null,
    };

    private static JsonObject ConvertMap(YamlMappingNode map)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in map.Children)
        {
            if (key is YamlScalarNode k && k.Value == "<<" && k.Style == ScalarStyle.Plain)
            {
                // YAML merge key: copy what is not already set
                foreach (var source in value is YamlSequenceNode s ? s.Children : new[] { value })
                {
                    if (Convert(source) is JsonObject merged)
                    {
                        foreach (var (mk, mv) in merged)
                        {
                            if (!obj.ContainsKey(mk)) obj[mk] = mv?.DeepClone();
                        }
                    }
                }

                continue;
            }

            var name = key is YamlScalarNode ks ? ks.Value ?? "" : key.ToString();
            obj[name] = Convert(value);
        }

        return obj;
    }

    private static JsonNode? ConvertScalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (!scalar.Tag.IsEmpty)
        {
            var tag = scalar.Tag.Value;
            if (tag.EndsWith(":str", StringComparison.Ordinal)) return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
        }

        if (LooksNumeric(text))
        {
            var clean = text.Replace("_", "", StringComparison.Ordinal);
            if (long.TryParse(clean, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
            if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && long.TryParse(clean[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var hex)) return JsonValue.Create(hex);
            if (clean.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
            {
                try { return JsonValue.Create(System.Convert.ToInt64(clean[2..], 8)); } catch (FormatException) { }
            }

            if (double.TryParse(clean, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && !double.IsInfinity(d)) return JsonValue.Create(d);
        }

        return JsonValue.Create(text);
    }

    private static bool LooksNumeric(string text)
    {
        if (text.Length == 0) return false;
        var c = text[0];
        return char.IsAsciiDigit(c) || ((c == '-' || c == '+' || c == '.') && text.Length > 1 && (char.IsAsciiDigit(text[1]) || text[1] == '.'));
    }
}
