using System.Reflection;
using System.Runtime.Loader;

namespace IstioPS.Loader;

/// <summary>
/// Keeps IstioPS and its dependencies (KubernetesClient, YamlDotNet, Fractions) in a private load
/// context, so another module's copy of YamlDotNet cannot collide with ours. This assembly is the
/// only one of the module in the default context; PowerShell's own assemblies are shared from it.
/// </summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static readonly object Sync = new();
    private static LoadContext? _instance;
    private readonly string _directory;

    private LoadContext(string directory)
        : base("IstioPS", isCollectible: false)
    {
        _directory = directory;
    }

    /// <summary>Loads (once) and returns the module's cmdlet assembly from the bin folder beside this one.</summary>
    public static Assembly Initialize()
    {
        lock (Sync)
        {
            if (_instance is null)
            {
                var here = Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)!;
                _instance = new LoadContext(Path.Combine(here, "bin"));
            }
        }

        return _instance.LoadFromAssemblyName(new AssemblyName("IstioPS"));
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || assemblyName.Name.StartsWith("System.Management.Automation", StringComparison.Ordinal))
        {
            return null; // shared with PowerShell
        }

        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
