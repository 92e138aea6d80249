using System.Text.RegularExpressions;

namespace KubeSim.Faults;

public enum FaultKind { Status429, Status500, Status503, DropConnection }

/// <summary>Answers the next <see cref="Count"/> requests matching a method and path pattern with a fault.</summary>
public sealed class FaultRule
{
    /// <summary>HTTP method, or "*" for any.</summary>
    public string Method { get; init; } = "*";
    /// <summary>Regular expression matched against the request path.</summary>
    public string PathRegex { get; init; } = ".*";
    public int Count { get; init; } = 1;
    public FaultKind Kind { get; init; } = FaultKind.Status500;
    /// <summary>Retry-After seconds sent with 429.</summary>
    public int RetryAfterSeconds { get; init; } = 1;
}

/// <summary>The active fault rules; each matching request consumes one use of the first matching rule.</summary>
public sealed class FaultSet
{
    sealed class Active(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;
        public Regex Regex { get; } = new(rule.PathRegex, RegexOptions.CultureInvariant);
        public int Remaining = rule.Count;
    }

    readonly object _gate = new();
    readonly List<Active> _rules = [];

    /// <summary>Adds a rule; an invalid PathRegex throws <see cref="ArgumentException"/> here.</summary>
    public void Add(FaultRule rule)
    {
        var active = new Active(rule);
        lock (_gate) _rules.Add(active);
    }

    public void Clear()
    {
        lock (_gate) _rules.Clear();
    }

    public FaultRule? Take(string method, string path)
    {
        lock (_gate)
        {
            foreach (var a in _rules)
            {
                if (a.Remaining <= 0) continue;
                if (a.Rule.Method != "*" && !string.Equals(a.Rule.Method, method, StringComparison.OrdinalIgnoreCase)) continue;
                if (!a.Regex.IsMatch(path)) continue;
                a.Remaining--;
                return a.Rule;
            }
            _rules.RemoveAll(a => a.Remaining <= 0);
            return null;
        }
    }
}
