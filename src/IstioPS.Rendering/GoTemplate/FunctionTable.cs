namespace IstioPS.Rendering.GoTemplate;

/// <summary>Named functions callable from templates (Go's FuncMap plus builtins).</summary>
public sealed class FunctionTable
{
    private readonly Dictionary<string, GoFunction> _functions = new(StringComparer.Ordinal);

    /// <summary>A table with Go's builtins only (and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge, ...).</summary>
    public FunctionTable() => Builtins.Register(this);

    public void Add(string name, GoFunction function) => _functions[name] = function;

    public bool Contains(string name) => _functions.ContainsKey(name);

    public bool TryGet(string name, out GoFunction function) => _functions.TryGetValue(name, out function!);

    public IEnumerable<string> Names => _functions.Keys;
}
