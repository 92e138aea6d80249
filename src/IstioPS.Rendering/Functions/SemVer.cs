using System.Globalization;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Semantic versions and constraints as Sprig's semverCompare uses them (Masterminds semver v3 rules:
/// "v" prefix and missing minor/patch allowed; a constraint without a pre-release never matches a pre-release version).</summary>
public readonly record struct SemVer(long Major, long Minor, long Patch, string Prerelease, string Original, string Metadata = "")
{
    /// <summary>Version.String(): the normalised form, without a "v".</summary>
    public override string ToString() =>
        $"{Major}.{Minor}.{Patch}" + (Prerelease.Length > 0 ? "-" + Prerelease : "") + (Metadata.Length > 0 ? "+" + Metadata : "");

    public static bool TryParse(string text, out SemVer version)
    {
        version = default;
        string s = text.Trim();
        if (s.StartsWith('v') || s.StartsWith('V')) s = s.Substring(1);
        int plus = s.IndexOf('+');
        string meta = "";
        if (plus >= 0) { meta = s.Substring(plus + 1); s = s.Substring(0, plus); }
        string pre = "";
        int dash = s.IndexOf('-');
        if (dash >= 0) { pre = s.Substring(dash + 1); s = s.Substring(0, dash); }
        var parts = s.Split('.');
        if (parts.Length is 0 or > 3) return false;
        var nums = new long[3];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out nums[i])) return false;
        version = new SemVer(nums[0], nums[1], nums[2], pre, text, meta);
        return true;
    }

    public int CompareTo(SemVer o)
    {
        int c = Major.CompareTo(o.Major);
        if (c == 0) c = Minor.CompareTo(o.Minor);
        if (c == 0) c = Patch.CompareTo(o.Patch);
        if (c != 0) return c;
        if (Prerelease == o.Prerelease) return 0;
        if (Prerelease.Length == 0) return 1;
        if (o.Prerelease.Length == 0) return -1;
        var a = Prerelease.Split('.');
        var b = o.Prerelease.Split('.');
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            bool an = long.TryParse(a[i], out long ai), bn = long.TryParse(b[i], out long bi);
            int r = an && bn ? ai.CompareTo(bi) : an ? -1 : bn ? 1 : string.CompareOrdinal(a[i], b[i]);
            if (r != 0) return r;
        }
        return a.Length.CompareTo(b.Length);
    }

    /// <summary>Does <paramref name="version"/> satisfy <paramref name="constraint"/> ("&gt;=1.21-0", "~1.2", "^2 || 1.x", "&gt;1, &lt;3")?</summary>
    public static bool Satisfies(string constraint, string version)
    {
        if (!TryParse(version, out var v)) throw new GoFunctionException("Invalid Semantic Version");
        foreach (var alternative in constraint.Split("||"))
        {
            bool all = true;
            foreach (var raw in alternative.Replace(",", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Check(raw, v)) { all = false; break; }
            }
            if (all) return true;
        }
        return false;
    }

    private static bool Check(string c, SemVer v)
    {
        string op = "";
        foreach (var candidate in new[] { ">=", "=>", "<=", "=<", "!=", ">", "<", "=", "~>", "~", "^" })
            if (c.StartsWith(candidate, StringComparison.Ordinal)) { op = candidate; break; }
        string rest = c.Substring(op.Length).Trim();
        bool wildMinor = false, wildPatch = false;
        var parts = rest.TrimStart('v').Split('-', 2)[0].Split('.');
        if (parts.Length < 2 || parts[1] is "x" or "X" or "*") wildMinor = true;
        if (parts.Length < 3 || parts[2] is "x" or "X" or "*") wildPatch = true;
        string normalized = rest.Replace(".x", ".0").Replace(".X", ".0").Replace(".*", ".0");
        if (normalized is "*" or "x" or "X") return v.Prerelease.Length == 0;
        if (!TryParse(normalized, out var cv)) throw new GoFunctionException($"improper constraint: {c}");
        if (v.Prerelease.Length > 0 && cv.Prerelease.Length == 0) return false;
        int cmp = v.CompareTo(cv);
        switch (op)
        {
            case "": case "=":
                if (wildMinor) return v.Major == cv.Major;
                if (wildPatch) return v.Major == cv.Major && v.Minor == cv.Minor;
                return cmp == 0;
            case "!=": return cmp != 0;
            case ">": return wildMinor ? v.Major > cv.Major : wildPatch ? (v.Major, v.Minor).CompareTo((cv.Major, cv.Minor)) > 0 : cmp > 0;
            case ">=": case "=>": return cmp >= 0;
            case "<": return cmp < 0;
            case "<=": case "=<":
                if (wildMinor) return v.Major <= cv.Major;
                if (wildPatch) return (v.Major, v.Minor).CompareTo((cv.Major, cv.Minor)) <= 0;
                return cmp <= 0;
            case "~": case "~>":
                if (cmp < 0) return false;
                return wildMinor ? v.Major == cv.Major : v.Major == cv.Major && v.Minor == cv.Minor;
            case "^":
                if (cmp < 0) return false;
                if (cv.Major > 0 || wildMinor) return v.Major == cv.Major;
                if (cv.Minor > 0 || wildPatch) return v.Major == 0 && v.Minor == cv.Minor;
                return v.Major == 0 && v.Minor == 0 && v.Patch == cv.Patch;
        }
        return false;
    }
}

/// <summary>Sprig's semver result, a *semver.Version: its methods (Major, LessThan, IncMinor, ...) work from templates.</summary>
internal sealed class SemVerObject : IGoObject
{
    public SemVerObject(SemVer version, bool pointer = true) { Version = version; GoTypeName = pointer ? "*semver.Version" : "semver.Version"; }

    public SemVer Version { get; }
    public string GoTypeName { get; }

    public bool TryGetField(string name, out object? value) { value = null; return false; }

    public bool TryCallMethod(string name, object?[] args, out object? result)
    {
        SemVer Other() => args.Length == 1 && args[0] is SemVerObject o ? o.Version
            : throw new GoFunctionException($"wrong number of args for {name}: want 1 got {args.Length}");
        var v = Version;
        result = name switch
        {
            "Major" => v.Major, "Minor" => v.Minor, "Patch" => v.Patch,
            "Prerelease" => v.Prerelease, "Metadata" => v.Metadata, "Original" => v.Original, "String" => v.ToString(),
            "LessThan" => v.CompareTo(Other()) < 0, "GreaterThan" => v.CompareTo(Other()) > 0,
            "Equal" => v.CompareTo(Other()) == 0, "Compare" => (long)Math.Sign(v.CompareTo(Other())),
            "IncMajor" => new SemVerObject(new SemVer(v.Major + 1, 0, 0, "", $"{v.Major + 1}.0.0"), pointer: false),
            "IncMinor" => new SemVerObject(new SemVer(v.Major, v.Minor + 1, 0, "", $"{v.Major}.{v.Minor + 1}.0"), pointer: false),
            "IncPatch" => new SemVerObject(v.Prerelease.Length > 0 || v.Metadata.Length > 0
                ? new SemVer(v.Major, v.Minor, v.Patch, "", $"{v.Major}.{v.Minor}.{v.Patch}")
                : new SemVer(v.Major, v.Minor, v.Patch + 1, "", $"{v.Major}.{v.Minor}.{v.Patch + 1}"), pointer: false),
            _ => null,
        };
        return result != null;
    }

    public override string ToString() => Version.ToString();
}
