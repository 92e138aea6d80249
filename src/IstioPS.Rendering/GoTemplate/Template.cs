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
        Add(new TemplateDefinition(name, name, root));
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
    public string Execute(string name, object? data)
    {
        var sb = new StringBuilder();
        ExecuteTo(sb, name, data, null);
        return sb.ToString();
    }

    internal void ExecuteTo(StringBuilder sb, string name, object? data, TemplateContext? parentContext)
    {
        if (!TryGet(name, out var def))
        {
            throw new RenderException(RenderErrorIds.TemplateExecutionError,
                $"template: no template {GoFormat.Quote(name)} associated with template {GoFormat.Quote(name)}", name);
        }
        var ctx = new TemplateContext(this, parentContext);
        new Executor(ctx, sb, def, data).Run();
    }
}

/// <summary>Execution context handed to functions (for include, tpl and friends).</summary>
public sealed class TemplateContext
{
    internal TemplateContext(TemplateSet set, TemplateContext? parent)
    {
        Set = set;
        Depth = parent == null ? 0 : parent.Depth + 1;
        Items = parent?.Items ?? new Dictionary<string, object?>();
    }

    public TemplateSet Set { get; }
    public int Depth { get; }

    /// <summary>Per-render state shared by nested executions (e.g. the current template name).</summary>
    public Dictionary<string, object?> Items { get; }

    /// <summary>Executes a named template of the current set (like Helm's include) and returns its text.</summary>
    public string ExecuteTemplate(string name, object? data)
    {
        if (Depth > 1000) throw new GoFunctionException($"rendering template has a nested reference name: {name}: unable to execute template");
        if (!Set.TryGet(name, out _)) throw new GoFunctionException($"template: no template {GoFormat.Quote(name)} associated with template \"gotpl\"");
        var sb = new StringBuilder();
        Set.ExecuteTo(sb, name, data, this);
        return sb.ToString();
    }
}
