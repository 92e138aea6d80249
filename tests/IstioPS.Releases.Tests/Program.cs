using IstioPS.Engine;
using IstioPS.Engine.Releases;

namespace IstioPS.Releases.Tests;

/// <summary>
/// The test assembly as a program (xunit does not use this entry point):
///   serve                        runs the fixture release server until standard input closes (for Pester)
///   fetch --version V --cache D [--platform P] [--base-uri U] [--api U] [--force]
///                                gets one release in this process, printing "OK &lt;Source&gt; &lt;Version&gt; &lt;Path&gt;" or "ERROR &lt;Id&gt; &lt;Message&gt;"
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "serve")
        {
            await using var server = await ReleaseServer.StartAsync(new ReleaseCatalog(ReleaseCatalog.FindRealRelease()));
            Console.WriteLine($"ReleaseServer listening on {server.Address}");
            await Console.In.ReadToEndAsync();
            return 0;
        }

        if (args.Length > 0 && args[0] == "fetch")
        {
            string? Arg(string name)
            {
                var i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
            }

            try
            {
                var source = new ReleaseSource(new ReleaseCache(Arg("--cache")));
                var release = await source.GetOrDownloadAsync(new ReleaseRequest
                {
                    Version = Arg("--version") ?? "latest",
                    Platform = Arg("--platform"),
                    BaseUri = Arg("--base-uri") is { } b ? new Uri(b) : null,
                    ReleasesApiUri = Arg("--api") is { } a ? new Uri(a) : null,
                    Force = args.Contains("--force"),
                });
                Console.WriteLine($"OK {release!.Source} {release.Version} {release.Path}");
                return 0;
            }
            catch (IstioPSException ex)
            {
                Console.WriteLine($"ERROR {ex.ErrorId} {ex.Message}");
                return 1;
            }
        }

        Console.Error.WriteLine("usage: serve | fetch --version V --cache DIR [--platform P] [--base-uri U] [--api U] [--force]");
        return 2;
    }
}
