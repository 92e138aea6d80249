using System.Runtime.InteropServices;

namespace IstioPS.Engine.Releases;

/// <summary>The platform suffixes Istio's download script uses in archive names.</summary>
public static class ReleasePlatform
{
    public const string LinuxAmd64 = "linux-amd64";
    public const string LinuxArm64 = "linux-arm64";
    public const string Osx = "osx";
    public const string OsxArm64 = "osx-arm64";
    public const string Windows = "win";

    public static IReadOnlyList<string> All { get; } = new[] { LinuxAmd64, LinuxArm64, Osx, OsxArm64, Windows };

    /// <summary>The platform of this process.</summary>
    public static string Current => Detect(RuntimeInformation.OSArchitecture);

    internal static string Detect(Architecture arch)
    {
        if (OperatingSystem.IsWindows())
        {
            return Windows;
        }

        if (OperatingSystem.IsMacOS())
        {
            return arch == Architecture.Arm64 ? OsxArm64 : Osx;
        }

        if (OperatingSystem.IsLinux())
        {
            return arch switch
            {
                Architecture.X64 => LinuxAmd64,
                Architecture.Arm64 => LinuxArm64,
                _ => throw Unknown($"linux-{arch.ToString().ToLowerInvariant()}"),
            };
        }

        throw Unknown(RuntimeInformation.OSDescription);
    }

    /// <summary>The canonical name of a platform, or UnknownPlatform.</summary>
    public static string Normalize(string? platform)
    {
        if (string.IsNullOrWhiteSpace(platform))
        {
            return Current;
        }

        var match = All.FirstOrDefault(p => string.Equals(p, platform.Trim(), StringComparison.OrdinalIgnoreCase));
        return match ?? throw Unknown(platform);
    }

    /// <summary>istio-1.30.3-linux-amd64.tar.gz, istio-1.30.3-win.zip.</summary>
    public static string ArchiveName(string version, string platform) =>
        platform == Windows ? $"istio-{version}-{platform}.zip" : $"istio-{version}-{platform}.tar.gz";

    private static IstioPSException Unknown(string platform) => new("UnknownPlatform", ErrorKind.InvalidArgument,
        $"Istio publishes no release archive for the platform '{platform}'. Use one of: {string.Join(", ", All)}.", platform);
}
