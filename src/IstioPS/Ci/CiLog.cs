using System.Text;

namespace IstioPS.Ci;

/// <summary>
/// The logging commands of a CI system (Azure Pipelines when TF_BUILD=True, GitHub Actions when
/// GITHUB_ACTIONS=true): issues with file and line, progress, groups, output variables and a Markdown
/// summary. Every line goes to <see cref="_write"/> (the host, like Write-Host); files are appended to directly.
/// </summary>
public abstract class CiLog
{
    private readonly Action<string> _write;

    protected CiLog(Action<string> write, Func<string, string?> env)
    {
        _write = write;
        Env = env;
    }

    protected Func<string, string?> Env { get; }

    /// <summary>The CI system the environment names, or null (also null when <paramref name="preference"/> turns it off).</summary>
    public static CiLog? Detect(Func<string, string?> env, object? preference, Action<string> write)
    {
        if (IsOff(preference)) return null;
        if (string.Equals(env("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase)) return new AzurePipelinesLog(write, env);
        if (string.Equals(env("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase)) return new GitHubActionsLog(write, env);
        return null;
    }

    /// <summary>$IstioPSCILogging: $false, 'Off', 'None', 'Disabled' or 0 turns the logging commands off.</summary>
    public static bool IsOff(object? preference)
    {
        var value = preference is System.Management.Automation.PSObject ps ? ps.BaseObject : preference;
        return value switch
        {
            bool b => !b,
            int i => i == 0,
            string s => s.Trim().ToLowerInvariant() is "off" or "none" or "disabled" or "false" or "0",
            _ => false,
        };
    }

    public abstract string Name { get; }

    protected void Line(string text) => _write(text);

    /// <summary>An error or warning in the run's issue list, with its file and line when known.</summary>
    public abstract void Issue(bool error, string message, string? file, int? line, string? code);

    public abstract void BeginGroup(string name);

    public abstract void EndGroup();

    /// <summary>Percent complete of the step, where the CI system shows one.</summary>
    public abstract void Progress(int percent, string status);

    /// <summary>An output variable later steps and jobs can read.</summary>
    public abstract void SetOutput(string name, string value);

    /// <summary>Attaches Markdown to the run's summary page.</summary>
    public abstract void Summary(string markdown, string title);
}

/// <summary>Azure Pipelines' ##vso[...] commands, escaped as azure-pipelines-task-lib does.</summary>
public sealed class AzurePipelinesLog : CiLog
{
    public AzurePipelinesLog(Action<string> write, Func<string, string?> env) : base(write, env)
    {
    }

    public override string Name => "Azure Pipelines";

    /// <summary>A command's message: '%' as %AZP25, CR and LF as %0D and %0A.</summary>
    public static string EscapeData(string s) => s.Replace("%", "%AZP25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>A property value: the message's escapes plus ']' as %5D and ';' as %3B.</summary>
    public static string EscapeProperty(string s) => EscapeData(s).Replace("]", "%5D").Replace(";", "%3B");

    /// <summary>One command line: ##vso[area.action k=v;k=v;]message (properties without a value are left out).</summary>
    public static string Command(string command, IEnumerable<(string Key, string? Value)> properties, string message)
    {
        var sb = new StringBuilder("##vso[").Append(command);
        var first = true;
        foreach (var (key, value) in properties)
        {
            if (string.IsNullOrEmpty(value)) continue;
            sb.Append(first ? ' ' : ';').Append(key).Append('=').Append(EscapeProperty(value));
            first = false;
        }

        if (!first && command == "task.setprogress") sb.Append(';');
        return sb.Append(']').Append(EscapeData(message)).ToString();
    }

    public override void Issue(bool error, string message, string? file, int? line, string? code) =>
        Line(Command("task.logissue", new[] { ("type", error ? "error" : "warning"), ("sourcepath", file), ("linenumber", line?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("code", code) }, message));

    public override void BeginGroup(string name) => Line("##[group]" + name.Replace("\r", " ").Replace("\n", " "));

    public override void EndGroup() => Line("##[endgroup]");

    public override void Progress(int percent, string status) =>
        Line(Command("task.setprogress", new[] { ("value", (string?)percent.ToString(System.Globalization.CultureInfo.InvariantCulture)) }, status));

    public override void SetOutput(string name, string value) =>
        Line(Command("task.setvariable", new[] { ("variable", (string?)name), ("isOutput", "true") }, value));

    public override void Summary(string markdown, string title)
    {
        var folder = Env("AGENT_TEMPDIRECTORY") is { Length: > 0 } temp ? temp : Path.GetTempPath();
        var file = Path.Combine(folder, $"istiops-{title.ToLowerInvariant().Replace(' ', '-')}-{Guid.NewGuid():n}.md");
        File.WriteAllText(file, markdown);
        Line(Command("task.uploadsummary", Array.Empty<(string, string?)>(), file));
    }
}

/// <summary>GitHub Actions' workflow commands and its step summary and output files.</summary>
public sealed class GitHubActionsLog : CiLog
{
    public GitHubActionsLog(Action<string> write, Func<string, string?> env) : base(write, env)
    {
    }

    public override string Name => "GitHub Actions";

    /// <summary>A command's message: '%', CR and LF as %25, %0D and %0A (as @actions/core does).</summary>
    public static string EscapeData(string s) => s.Replace("%", "%25").Replace("\r", "%0D").Replace("\n", "%0A");

    /// <summary>A property value: the message's escapes plus ':' as %3A and ',' as %2C.</summary>
    public static string EscapeProperty(string s) => EscapeData(s).Replace(":", "%3A").Replace(",", "%2C");

    public override void Issue(bool error, string message, string? file, int? line, string? code)
    {
        var props = new List<string>();
        if (!string.IsNullOrEmpty(file)) props.Add("file=" + EscapeProperty(file));
        if (line is not null) props.Add("line=" + line.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(code)) props.Add("title=" + EscapeProperty(code));
        Line($"::{(error ? "error" : "warning")}{(props.Count == 0 ? "" : " " + string.Join(",", props))}::{EscapeData(message)}");
    }

    public override void BeginGroup(string name) => Line("::group::" + EscapeData(name));

    public override void EndGroup() => Line("::endgroup::");

    public override void Progress(int percent, string status)
    {
        // GitHub Actions has no progress command; the groups and status lines tell the story.
    }

    public override void SetOutput(string name, string value)
    {
        if (Env("GITHUB_OUTPUT") is not { Length: > 0 } file) return;
        string text;
        if (value.Contains('\n') || value.Contains('\r'))
        {
            var delimiter = $"ISTIOPS_EOF_{Guid.NewGuid():n}";
            text = $"{name}<<{delimiter}\n{value}\n{delimiter}\n";
        }
        else
        {
            text = $"{name}={value}\n";
        }

        File.AppendAllText(file, text);
    }

    public override void Summary(string markdown, string title)
    {
        if (Env("GITHUB_STEP_SUMMARY") is not { Length: > 0 } file) return;
        File.AppendAllText(file, markdown.EndsWith('\n') ? markdown : markdown + "\n");
    }
}
