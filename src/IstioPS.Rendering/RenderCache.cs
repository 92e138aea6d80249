using IstioPS.Rendering.Helm;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Rendering;

/// <summary>What the renderer may remember between renders: loaded charts (with their parsed templates, reloaded when
/// a file changes) and large YAML documents parsed or written before. The renderer keeps no state of its own: callers
/// that render repeatedly create one cache and pass it in; without one, nothing is kept. Thread-safe.</summary>
public sealed class RenderCache
{
    private readonly Dictionary<string, (string Fingerprint, HelmChart Chart)> _charts = new(StringComparer.Ordinal);

    public YamlCache Yaml { get; } = new();

    /// <summary>The chart in <paramref name="fullPath"/> as loaded before, if its files are unchanged.</summary>
    internal HelmChart GetOrLoadChart(string fullPath, Func<string> fingerprint, Func<HelmChart> load)
    {
        string print = fingerprint();
        lock (_charts)
        {
            if (_charts.TryGetValue(fullPath, out var cached) && cached.Fingerprint == print) return cached.Chart;
        }
        var chart = load();
        lock (_charts) _charts[fullPath] = (print, chart);
        return chart;
    }
}
