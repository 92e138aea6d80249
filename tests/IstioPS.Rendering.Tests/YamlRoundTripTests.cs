using IstioPS.Rendering.Yaml;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>Whatever the writer emits must read back as the same value. (YamlDotNet alone misreads "|+" blocks
/// that end in empty lines, one reason the fast reader is the first choice.)</summary>
public class YamlRoundTripTests
{
    public static IEnumerable<object[]> TrickyStrings() => new[]
    {
        "", " ", "  ", "\n", "\n\n", " \n", "a\n", "a\n\n\n", "\na", " a\nb", "a \nb", "a\n b", "a\n\nb", "---", "--- x", "...", "- a", "-a", "-",
        "? x", "?x", ": x", "a:", "a: b", "a:b", "#", "a #b", "a# b", "'", "\"", "''", "a'b", "a\"b", "\\", "\\n", "\t", "a\tb", "a\r\nb",
        "\u00e9\u00fc", "\u2028", "\u0085", "\u00a0x", "\U0001F600", "@x", "`x", "%x", "!x", "&x", "*x", "|", ">", "{", "}", "[", "]", ",", "a,b",
        "yes", "No", "ON", "off", "y", "n", "~", "null", "NULL", "true", "False", "1", "-1", "+1", "1.0", ".5", "-.5", "1e3", "1E-3", "0x1F", "0o17",
        "0b101", "017", "1_000", "1:20", "12:30:45", "2001-12-14", "2001-12-14t21:59:43.10-05:00", ".inf", "-.Inf", ".nan", "1.2.3", "v1.0", "0.",
        new string('x', 200), string.Join(" ", Enumerable.Repeat("word", 40)), string.Join(" ", Enumerable.Repeat("it's", 40)),
        string.Join(" ", Enumerable.Repeat("tab\there", 20)), "line1\nline2 with a trailing space \nline3", "  leading\n  both  ",
    }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(TrickyStrings))]
    public void StringsRoundTripAsValuesKeysAndListItems(string s)
    {
        var doc = T.Map(("k", s), ("list", new List<object?> { s, T.Map(("in", s)) }), (s, "as-key"));
        string yaml = GoYaml.Marshal(doc);
        var parsed = GoYaml.Parse(yaml);
        {
            var m = Assert.IsType<Dictionary<string, object?>>(parsed);
            Assert.Equal(s, m["k"]);
            var list = Assert.IsType<List<object?>>(m["list"]);
            Assert.Equal(s, list[0]);
            Assert.Equal(s, ((Dictionary<string, object?>)list[1]!)["in"]);
            Assert.Equal("as-key", m[s]);
        }
    }

    [Fact]
    public void RandomTreesRoundTrip()
    {
        var strings = TrickyStrings().Select(r => (string)r[0]).ToArray();
        var rng = new Random(12345);
        object? Gen(int depth)
        {
            int kind = depth > 3 ? rng.Next(6) : rng.Next(8);
            switch (kind)
            {
                case 0: return strings[rng.Next(strings.Length)];
                case 1: return (double)rng.Next(-1000, 1000) / (rng.Next(2) == 0 ? 1 : 8);
                case 2: return rng.Next(2) == 0;
                case 3: return null;
                case 4: return (long)rng.Next();
                case 5: return strings[rng.Next(strings.Length)] + " " + strings[rng.Next(strings.Length)];
                case 6:
                    {
                        var m = new Dictionary<string, object?>(StringComparer.Ordinal);
                        int n = rng.Next(4);
                        for (int i = 0; i < n; i++) m[strings[rng.Next(strings.Length)] + i] = Gen(depth + 1);
                        return m;
                    }
                default:
                    {
                        var l = new List<object?>();
                        int n = rng.Next(4);
                        for (int i = 0; i < n; i++) l.Add(Gen(depth + 1));
                        return l;
                    }
            }
        }
        for (int i = 0; i < 300; i++)
        {
            var tree = T.Map(("root", Gen(0)), ("next", Gen(0)));
            string yaml = GoYaml.Marshal(tree);
            Assert.True(Functions.GoJson.Marshal(tree) == Functions.GoJson.Marshal(GoYaml.Parse(yaml)), "round trip failed for:\n" + yaml);
        }
    }
}
