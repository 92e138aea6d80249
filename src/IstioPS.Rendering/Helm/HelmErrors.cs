using System.Text;
using System.Text.RegularExpressions;
using IstioPS.Rendering.Functions;

namespace IstioPS.Rendering.Helm;

/// <summary>Helm's rewriting of template errors (pkg/engine: cleanupParseError, reformatExecErrorMsg).</summary>
internal static class HelmErrors
{
    private static readonly Regex Warning = new(Regex.Escape(SprigFunctions.WarnStart) + "(.*)" + Regex.Escape(SprigFunctions.WarnEnd),
        RegexOptions.Singleline | RegexOptions.CultureInvariant);

    /// <summary>"parse error at (name:line): message".</summary>
    public static RenderException Parse(string templateName, RenderException e)
    {
        var tokens = e.Message.Split(": ");
        string message = tokens.Length == 1
            ? $"parse error in ({templateName}): {e.Message}"
            : $"parse error at ({tokens[1]}): {tokens[^1]}";
        return new RenderException(e.ErrorId, message, e.File, e.Line, e);
    }

    /// <summary>"execution error at (name:line:col): message" for required/fail, else Helm's location trace.</summary>
    public static RenderException Execution(string templateName, RenderException e)
    {
        if (e.GoChain == null) return e;
        var tokens = e.Message.Split(": ", 3);
        if (tokens.Length != 3)
            return new RenderException(e.ErrorId, $"execution error in ({templateName}): {e.Message}", e.File, e.Line, e);
        var warn = Warning.Match(tokens[2]);
        if (warn.Success) return new RenderException(e.ErrorId, $"execution error at ({tokens[1]}): {warn.Groups[1].Value}", e.File, e.Line, e);
        var traces = new List<(string Location, string Message, string Function)>();
        foreach (var text in e.GoChain)
        {
            if (!TryTrace(text, out var trace)) return new RenderException(e.ErrorId, e.Message, e.File, e.Line, e);
            if (traces.Count == 0 || traces[^1] != trace) traces.Add(trace);
        }
        var sb = new StringBuilder();
        foreach (var (location, message, function) in traces)
        {
            if (location.Length > 0) sb.Append(location).Append("\n  ");
            if (function.Length > 0) sb.Append(function).Append("\n    ");
            if (message.Length > 0) sb.Append(message).Append('\n');
        }
        return new RenderException(e.ErrorId, sb.ToString().Trim(), e.File, e.Line, e);
    }

    private static bool TryTrace(string s, out (string Location, string Message, string Function) trace)
    {
        trace = ("", "", "");
        const string prefix = "template: ";
        if (!s.StartsWith(prefix, StringComparison.Ordinal)) return false;
        string rest = s.Substring(prefix.Length);
        if (rest.StartsWith("no template ", StringComparison.Ordinal)) { trace = ("", s, ""); return true; }
        int exec = rest.IndexOf(": executing ", StringComparison.Ordinal);
        if (exec >= 0)
        {
            string name = rest.Substring(0, exec), after = rest.Substring(exec + ": executing ".Length);
            if (after.Length > 0 && after[0] == '"')
            {
                int q = after.IndexOf('"', 1);
                if (q >= 0)
                {
                    string function = after.Substring(1, q - 1), afterFunction = after.Substring(q + 1);
                    if (afterFunction.StartsWith(" at <", StringComparison.Ordinal))
                    {
                        string afterAt = afterFunction.Substring(5);
                        int end = afterAt.IndexOf(">: ", StringComparison.Ordinal);
                        if (end >= 0)
                        {
                            string message = CutNested(afterAt.Substring(end + 3));
                            trace = (name, message, $"executing \"{function}\" at <{afterAt.Substring(0, end)}>:");
                            return true;
                        }
                    }
                }
            }
        }
        int sep = rest.LastIndexOf(": ", StringComparison.Ordinal);
        if (sep >= 0) { trace = (rest.Substring(0, sep), CutNested(rest.Substring(sep + 2)), ""); return true; }
        return false;
    }

    private static string CutNested(string message)
    {
        int cut = message.IndexOf(" template:", StringComparison.Ordinal);
        return cut >= 0 ? message.Substring(0, cut) : message;
    }
}
