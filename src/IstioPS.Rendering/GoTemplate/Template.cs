using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>What a missing map key yields (Go's missingkey option).</summary>
public enum MissingKeyOption { Default, Zero, Error }

/// <summary>A set of named templates sharing functions and defines (Go's *template.Template family).</summary>
public sealed class TemplateSet
{
    private readonly Dictionary<string, TemplateDefinition> _templates = new(StringComparer.Ordinal);
    private readonly TemplateSet? _parent;

    public TemplateSet(FunctionTable functions, MissingKeyOption missingKey = MissingKeyOption.Default)
    {
        Functions = functions;
        MissingKey = missingKey;
    }

    private TemplateSet(TemplateSet parent)
    {
        _parent = parent;
        Functions = parent.Functions;
        MissingKey = parent.MissingKey;
    }

    public FunctionTable Functions { get; }
    public MissingKeyOption MissingKey { get; set; }

    /// <summary>A child set whose lookups fall back to this one (used by tpl, like Go's Clone).</summary>
    public TemplateSet CreateChild() => new(this);

    /// <summary>Parses source as template <paramref name="name"/>; defines join the set (last non-empty one wins).</summary>
    public void Parse(string name, string source)
    {
        var root = Parser.Parse(name, source, Functions.Contains, Add);
        Add(new TemplateDefinition(name, name, root, source));
    }

    private void Add(TemplateDefinition def)
    {
        if (_templates.TryGetValue(def.Name, out _) && IsEmptyTree(def.Root)) return;
        _templates[def.Name] = def;
    }

    private static bool IsEmptyTree(ListNode list)
    {
        foreach (var n in list.Nodes)
        {
            if (n is TextNode t) { if (!string.IsNullOrWhiteSpace(t.Text)) return false; }
            else return false;
        }
        return true;
    }

    public bool TryGet(string name, out TemplateDefinition def)
    {
        if (_templates.TryGetValue(name, out def!)) return true;
        return _parent != null && _parent.TryGet(name, out def);
    }

    public IEnumerable<string> Names => _templates.Keys;

    /// <summary>Executes the named template with <paramref name="data"/> as dot.</summary>
    public string Execute(string name, object? data, CancellationToken cancellationToken = default)
    {
        var sb = new StringBuilder();
        ExecuteTo(sb, name, data, null, cancellationToken: cancellationToken);
        return sb.ToString();
    }

    /// <summary>Go's Template.ExecuteTemplate: a new execution state (template depth 0) sharing the render's
    /// per-render state with <paramref name="parentContext"/> when given.</summary>
    internal void ExecuteTo(StringBuilder sb, string name, object? data, TemplateContext? parentContext, IExecutionCache? cache = null,
        OutputLineMap? lines = null, CancellationToken cancellationToken = default)
    {
        if (!TryGet(name, out var def))
        {
            string text = $"template: no template {GoFormat.Quote(name)} associated with template {GoFormat.Quote(RootName)}";
            throw new RenderException(RenderErrorIds.TemplateExecutionError, text, name) { GoChain = new[] { text } };
        }
        var ctx = parentContext == null ? new TemplateContext(this, cache, cancellationToken) : new TemplateContext(this, parentContext, 0);
        StackGuard.Run(ctx.NestingDepth, () => new Executor(ctx, sb, def, data, lines).Run());
    }

    /// <summary>The name Go's root template has (Helm's is "gotpl"): used in "no template" errors and by tpl.</summary>
    public string RootName { get; init; } = "gotpl";
}

/// <summary>Memory a caller lends to an execution (such as Yaml.YamlCache): the engine only hands it on to functions,
/// so the template layer depends on no cache's kind.</summary>
public interface IExecutionCache
{
}

/// <summary>Execution context handed to functions (for include, tpl and friends).</summary>
public sealed class TemplateContext
{
    internal TemplateContext(TemplateSet set, IExecutionCache? cache, CancellationToken cancellationToken)
    {
        Set = set;
        CancellationToken = cancellationToken;
        Cache = cache;
        Items = new Dictionary<string, object?>();
    }

    internal TemplateContext(TemplateSet set, TemplateContext parent, int templateDepth)
    {
        Set = set;
        TemplateDepth = templateDepth;
        NestingDepth = parent.NestingDepth + 1;
        CancellationToken = parent.CancellationToken;
        Cache = parent.Cache;
        Items = parent.Items;
    }

    public TemplateSet Set { get; }

    /// <summary>Go's state.depth: nested {{template}} calls in this execution (include starts a new one).</summary>
    public int TemplateDepth { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>The caller's cache for this render, if any (functions look for the kind they use, e.g. a YAML cache).</summary>
    public IExecutionCache? Cache { get; }

    /// <summary>Nested executions (template and include calls) below the render's first one.</summary>
    internal int NestingDepth { get; }

    /// <summary>Per-render state shared by nested executions (e.g. Helm's include counts).</summary>
    public Dictionary<string, object?> Items { get; }

    /// <summary>Executes a named template of the current set (Go's ExecuteTemplate) and returns its text.</summary>
    public string ExecuteTemplate(string name, object? data)
    {
        var sb = new StringBuilder();
        Set.ExecuteTo(sb, name, data, this);
        return sb.ToString();
    }
}

/// <summary>Deep recursion (templates calling templates, include chains, deep values) continues on a fresh thread
/// with a large stack instead of overflowing the caller's, which would end the process.</summary>
internal static class StackGuard
{
    private const int StackSize = 16 * 1024 * 1024;

    /// <summary>Levels of nesting run on one thread before the next level moves to a new one: a level (one
    /// template or include call) takes a few kilobytes of stack, and a thread-pool thread has about 1.5 MB.</summary>
    private const int LevelsPerThread = 64;

    /// <summary>Runs <paramref name="action"/> at nesting level <paramref name="depth"/>.</summary>
    public static void Run(int depth, Action action)
    {
        if (depth % LevelsPerThread == LevelsPerThread - 1) { RunOnNewThread(action); return; }
        Run(action);
    }

    public static void Run(Action action)
    {
        if (System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack()) { action(); return; }
        RunOnNewThread(action);
    }

    private static void RunOnNewThread(Action action)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { action(); }
            catch (Exception e) { error = e; }
        }, StackSize);
        thread.Start();
        thread.Join();
        // Rethrown as is: its trace restarts here, which keeps a failure 100,000 levels deep cheap to pass up.
        if (error != null) throw error;
    }

    public static T Run<T>(Func<T> func)
    {
        T result = default!;
        Run(() => { result = func(); });
        return result;
    }
}
