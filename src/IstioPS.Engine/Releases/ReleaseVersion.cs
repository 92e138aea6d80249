using System.Globalization;
using System.Text.RegularExpressions;

namespace IstioPS.Engine.Releases;

/// <summary>An Istio version (1.30.3, 1.31.0-beta.1), comparable the semver way.</summary>
public sealed partial class ReleaseVersion : IComparable<ReleaseVersion>
{
    private ReleaseVersion(string text, int major, int minor, int patch, string? prerelease)
    {
        Text = text;
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
    }

    public string Text { get; }
    public int Major { get; }
    public int Minor { get; }
    public int Patch { get; }
    public string? Prerelease { get; }
    public bool IsStable => Prerelease is null;

    [GeneratedRegex(@"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([0-9A-Za-z][0-9A-Za-z.-]{0,63}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public static bool TryParse(string? text, out ReleaseVersion version)
    {
        version = null!;
        if (text is null)
        {
            return false;
        }

        var m = Shape().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        version = new ReleaseVersion(m.Value,
            int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture),
            m.Groups[4].Success ? m.Groups[4].Value : null);
        return true;
    }

    /// <summary>Parses a version or throws InvalidVersion.</summary>
    public static ReleaseVersion Parse(string? text) => TryParse(text, out var v)
        ? v
        : throw new IstioPSException("InvalidVersion", ErrorKind.InvalidArgument,
            $"'{text}' is not an Istio version. Use x.y.z (for example 1.30.3) or 'latest'.", text);

    public int CompareTo(ReleaseVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Major.CompareTo(other.Major);
        if (c == 0) c = Minor.CompareTo(other.Minor);
        if (c == 0) c = Patch.CompareTo(other.Patch);
        if (c != 0) return c;
        if (Prerelease is null || other.Prerelease is null)
        {
            return (Prerelease is null ? 1 : 0) - (other.Prerelease is null ? 1 : 0); // a release sorts after its pre-releases
        }

        return ComparePrerelease(Prerelease, other.Prerelease);
    }

    private static int ComparePrerelease(string a, string b)
    {
        var x = a.Split('.');
        var y = b.Split('.');
        for (var i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            var xn = int.TryParse(x[i], NumberStyles.None, CultureInfo.InvariantCulture, out var xi);
            var yn = int.TryParse(y[i], NumberStyles.None, CultureInfo.InvariantCulture, out var yi);
            var c = xn && yn ? xi.CompareTo(yi) : xn ? -1 : yn ? 1 : string.CompareOrdinal(x[i], y[i]);
            if (c != 0) return c;
        }

        return x.Length.CompareTo(y.Length);
    }

    public override string ToString() => Text;
}
