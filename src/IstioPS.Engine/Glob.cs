using System.Text;
using System.Text.RegularExpressions;

namespace IstioPS.Engine;

/// <summary>Wildcard patterns as PowerShell users write them (*, ?, [abc]), case-insensitive; no PowerShell dependency.</summary>
public sealed class Glob
{
    private readonly Regex? _regex;
    private readonly string _literal;

    public Glob(string pattern)
    {
        _literal = pattern;
        if (HasWildcards(pattern))
        {
            var sb = new StringBuilder("^");
            foreach (var c in pattern)
            {
                sb.Append(c switch
                {
                    '*' => ".*",
                    '?' => ".",
                    '[' => "[",
                    ']' => "]",
                    _ => Regex.Escape(c.ToString()),
                });
            }

            sb.Append('$');
            _regex = new Regex(sb.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        }
    }

    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(new[] { '*', '?', '[' }) >= 0;

    public bool IsMatch(string text) => _regex?.IsMatch(text) ?? string.Equals(text, _literal, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether any of the patterns matches; no patterns match everything.</summary>
    public static bool AnyMatch(IReadOnlyList<Glob>? patterns, string text) => patterns is null || patterns.Count == 0 || patterns.Any(p => p.IsMatch(text));
}
