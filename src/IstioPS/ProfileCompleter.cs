using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IstioPS;

/// <summary>Tab completion for -Profile: the profiles of the -ReleasePath given, else Istio's usual ones.</summary>
public sealed class ProfileCompleter : IArgumentCompleter
{
    private static readonly string[] Usual = { "default", "demo", "minimal", "empty", "ambient", "preview", "remote", "stable", "openshift", "openshift-ambient" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IEnumerable<string> names = Usual;
        if (fakeBoundParameters["ReleasePath"] is string release)
        {
            var folder = Path.Combine(release, "manifests", "profiles");
            if (Directory.Exists(folder))
            {
                names = Directory.EnumerateFiles(folder, "*.yaml").Select(f => Path.GetFileNameWithoutExtension(f)!).OrderBy(n => n, StringComparer.Ordinal);
            }
        }

        return names.Where(n => n.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
    }
}
