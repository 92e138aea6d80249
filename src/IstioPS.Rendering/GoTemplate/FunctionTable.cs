namespace IstioPS.Rendering.GoTemplate;

/// <summary>A Go function's signature: parameter types as reflect names ("..." before the last one when variadic)
/// and result types. Go's text/template checks arguments against these before calling.</summary>
public sealed record GoSignature(string[] Params, string[] Results)
{
    public bool Variadic => Params.Length > 0 && Params[^1].StartsWith("...", StringComparison.Ordinal);
}

/// <summary>Named functions callable from templates (Go's FuncMap plus builtins). Built once, then frozen: a table
/// shared between renders never changes.</summary>
public sealed class FunctionTable
{
    private readonly Dictionary<string, GoFunction> _functions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GoSignature> _signatures = new(StringComparer.Ordinal);
    private bool _frozen;

    /// <summary>A table with Go's builtins only (and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge, ...).</summary>
    public FunctionTable() => Builtins.Register(this);

    public void Add(string name, GoFunction function)
    {
        if (_frozen) throw new InvalidOperationException("The function table is frozen.");
        _functions[name] = function;
    }

    /// <summary>Declares <paramref name="name"/>'s Go signature: the executor then checks argument counts and types as Go does.</summary>
    public void SetSignature(string name, GoSignature signature)
    {
        if (_frozen) throw new InvalidOperationException("The function table is frozen.");
        _signatures[name] = signature;
    }

    /// <summary>No more changes.</summary>
    public FunctionTable Freeze()
    {
        _frozen = true;
        return this;
    }

    public bool Contains(string name) => _functions.ContainsKey(name);

    public bool TryGet(string name, out GoFunction function) => _functions.TryGetValue(name, out function!);

    public bool TryGetSignature(string name, out GoSignature signature) => _signatures.TryGetValue(name, out signature!);

    public IEnumerable<string> Names => _functions.Keys;
}
