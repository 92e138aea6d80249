using System.Diagnostics;
using System.Management.Automation;
using System.Reflection;
using IstioPS.Engine;
using IstioPS.Engine.Manifests;

namespace IstioPS.Ci;

/// <summary>
/// What one cmdlet call tells a CI system, driven by what the cmdlet writes anyway: errors and warnings
/// become issues (with file and line), progress becomes percent complete and one group per phase (the
/// phase is the status's first word: Rendering, Applying, Waiting...), emitted objects become the Markdown
/// summary of cmdlets marked <see cref="CiSummaryAttribute"/>. Without an interactive host a status line is
/// written at least every 15 seconds while the work goes on. Everything here runs on the pipeline thread.
/// </summary>
public sealed class CiReporter : IDisposable
{
    /// <summary>The preference variable that turns CI logging (and status lines) off: $IstioPSCILogging = 'Off'.</summary>
    public const string PreferenceVariable = "IstioPSCILogging";
    private const int MaxSummaryRows = 200;

    private readonly AsyncPSCmdlet _cmdlet;
    private readonly bool _statusLines;
    private readonly TimeSpan _interval;
    private readonly CiSummaryAttribute? _summary;
    private readonly List<object> _outputs = new();
    private readonly List<string> _warnings = new();
    private readonly List<(string Id, string Message)> _errors = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private string? _phase;
    private int _lastPercent = -1;
    private string? _lastStatus;
    private TimeSpan _lastLine;
    private Timer? _timer;
    private bool _finished;

    internal CiReporter(AsyncPSCmdlet cmdlet)
    {
        _cmdlet = cmdlet;
        var preference = cmdlet.GetVariableValue(PreferenceVariable);
        Log = CiLog.Detect(Environment.GetEnvironmentVariable, preference, HostLine);
        _statusLines = !CiLog.IsOff(preference) && (Log is not null || Console.IsOutputRedirected);
        _interval = double.TryParse(Environment.GetEnvironmentVariable("ISTIOPS_STATUS_INTERVAL_SECONDS"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromSeconds(15);
        _summary = cmdlet.GetType().GetCustomAttribute<CiSummaryAttribute>();
    }

    /// <summary>The CI system's logging commands, or null outside CI.</summary>
    public CiLog? Log { get; }

    /// <summary>A line on the host, as Write-Host writes it (the CI agent reads it from standard output).</summary>
    private void HostLine(string text) => _cmdlet.WriteInformation(new HostInformationMessage { Message = text }, new[] { "PSHOST" });

    public void Progress(ProgressRecord record)
    {
        if (record.RecordType == ProgressRecordType.Completed)
        {
            EndPhase();
            StopTimer();
            return;
        }

        var status = record.StatusDescription ?? "";
        _lastStatus = string.IsNullOrEmpty(record.CurrentOperation) ? status : $"{status} ({record.CurrentOperation})";
        if (Log is not null)
        {
            var word = FirstWord(status);
            if (!string.Equals(word, _phase, StringComparison.OrdinalIgnoreCase))
            {
                EndPhase();
                if (!string.Equals(word, "Done", StringComparison.OrdinalIgnoreCase))
                {
                    Log.BeginGroup(GroupName(status));
                    _phase = word;
                }
            }

            var percent = record.PercentComplete;
            if (percent >= 0 && percent != _lastPercent && (_lastPercent < 0 || Math.Abs(percent - _lastPercent) >= 5 || percent == 100))
            {
                Log.Progress(percent, status);
                _lastPercent = percent;
            }
        }

        if (_statusLines && _timer is null)
        {
            _lastLine = _clock.Elapsed;
            var tick = TimeSpan.FromMilliseconds(Math.Min(1000, _interval.TotalMilliseconds / 2));
            _timer = new Timer(_ => _cmdlet.TryPost(Tick), null, tick, tick);
        }
    }

    private void Tick()
    {
        if (_timer is null || _lastStatus is null || _clock.Elapsed - _lastLine < _interval) return;
        _lastLine = _clock.Elapsed;
        HostLine($"IstioPS [{Elapsed(_clock.Elapsed)}] {_lastStatus}");
    }

    public void Warning(string message)
    {
        if (Log is null) return;
        var (file, line) = InvocationLocation();
        Log.Issue(false, message, file, line, null);
        if (_summary is not null) _warnings.Add(message);
    }

    public void Error(ErrorRecord record)
    {
        if (Log is null) return;
        var problems = record.Exception is IstioPSAggregateException aggregate && aggregate.Errors.Count > 0
            ? aggregate.Errors.Cast<Exception>().ToList()
            : new List<Exception> { record.Exception };
        foreach (var problem in problems)
        {
            var id = problem is IstioPSException known ? known.ErrorId : record.FullyQualifiedErrorId.Split(',')[0];
            var message = problem == record.Exception && record.ErrorDetails?.Message is { Length: > 0 } details ? details : problem.Message;
            var (file, line) = problem is ManifestException manifest ? (manifest.Location.File, manifest.Location.Line > 0 ? manifest.Location.Line : (int?)null) : InvocationLocation();
            Log.Issue(true, message, file, line, id);
            if (_summary is not null) _errors.Add((id, message));
        }
    }

    public void Output(object? value)
    {
        if (Log is null || _summary is null || value is null || _outputs.Count >= MaxSummaryRows) return;
        _outputs.Add(value is PSObject ps ? ps.BaseObject : value);
    }

    public void SetOutput(string name, string value) => Log?.SetOutput(name, value);

    /// <summary>Closes the open group and, for a cmdlet with a summary, attaches it (once).</summary>
    public void Finish(ErrorRecord? failure)
    {
        if (_finished) return;
        _finished = true;
        StopTimer();
        EndPhase();
        if (Log is null || _summary is null) return;
        var name = _cmdlet.MyInvocation.MyCommand?.Name ?? _cmdlet.GetType().Name;
        var markdown = CiSummaryMarkdown.Render(name, CommandLine(name), _summary, _outputs, _warnings, _errors, failure is not null, _clock.Elapsed);
        Log.Summary(markdown, name);
    }

    public void Dispose() => StopTimer();

    private void StopTimer()
    {
        _timer?.Dispose();
        _timer = null;
    }

    private void EndPhase()
    {
        if (_phase is null) return;
        Log?.EndGroup();
        _phase = null;
    }

    private (string? File, int? Line) InvocationLocation()
    {
        var invocation = _cmdlet.MyInvocation;
        return string.IsNullOrEmpty(invocation.ScriptName) ? (null, null) : (invocation.ScriptName, invocation.ScriptLineNumber);
    }

    private string CommandLine(string name)
    {
        var parts = new List<string> { name };
        foreach (var (key, value) in _cmdlet.MyInvocation.BoundParameters)
        {
            if (key == "InputObject") continue;
            var text = value switch
            {
                SwitchParameter s => s.IsPresent ? "" : ":$false",
                System.Collections.IEnumerable e and not string => string.Join(",", e.Cast<object>().Take(10)),
                _ => value?.ToString() ?? "",
            };
            if (text.Length > 80) text = text[..77] + "...";
            parts.Add(value is SwitchParameter ? $"-{key}{text}" : $"-{key} {(text.Contains(' ') ? $"'{text}'" : text)}");
        }

        return string.Join(" ", parts);
    }

    private static string FirstWord(string status)
    {
        var end = status.IndexOfAny(new[] { ' ', ':' });
        return end < 0 ? status : status[..end];
    }

    private static string GroupName(string status)
    {
        var colon = status.IndexOf(':');
        return (colon < 0 ? status : status[..colon]).Trim();
    }

    internal static string Elapsed(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds:00}s" : $"{(int)t.TotalSeconds}s";
}

/// <summary>Marks a cmdlet whose results are attached to the CI run as a Markdown summary (the columns are property names of what it emits).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class CiSummaryAttribute : Attribute
{
    public CiSummaryAttribute(string title, params string[] columns)
    {
        Title = title;
        Columns = columns;
    }

    public string Title { get; }
    public IReadOnlyList<string> Columns { get; }

    /// <summary>What the summary says when the cmdlet emitted nothing.</summary>
    public string Empty { get; init; } = "Nothing to report.";
}
