using System.Collections;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>Go's invalid reflect.Value: what a missing map key yields by default; prints as "&lt;no value&gt;".</summary>
public sealed class GoMissing
{
    public static readonly GoMissing Value = new();
    private GoMissing() { }
    public override string ToString() => "<no value>";
}

/// <summary>An object with Go struct fields and methods (e.g. .Files, .Chart, .Capabilities).</summary>
public interface IGoObject
{
    string GoTypeName { get; }
    bool TryGetField(string name, out object? value);
    bool TryCallMethod(string name, object?[] args, out object? result);
}

/// <summary>A map whose Go type is not map[string]interface {} (e.g. Helm's map[string]string annotations).</summary>
public sealed class GoTypedMap : Dictionary<string, object?>
{
    public GoTypedMap(string goTypeName) : base(StringComparer.Ordinal) => GoTypeName = goTypeName;
    public string GoTypeName { get; }
}

/// <summary>A slice whose Go type is not []interface {} (e.g. Sprig's []string and []int results): a list of the model
/// everywhere, but named by its own type (typeOf) and not assignable to a []interface {} parameter.</summary>
public sealed class GoTypedList : List<object?>
{
    public GoTypedList(string goTypeName, IEnumerable<object?> items) : base(items) => GoTypeName = goTypeName;
    public string GoTypeName { get; }
}

/// <summary>A Go object that is a map underneath (e.g. Helm's .Files): range and len see these entries.</summary>
public interface IGoMapLike
{
    IReadOnlyDictionary<string, object?> Entries { get; }
}

/// <summary>Go's int64 (what Sprig's arithmetic returns), kept apart from int (a plain long) because Go keeps them
/// apart: typeOf says "int64" and a parameter of type int does not take one.</summary>
public readonly record struct GoInt64(long Value)
{
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>A Go value with its own JSON form (a json.Marshaler such as time.Time): toJson and toYaml write <see cref="JsonValue"/>.</summary>
public interface IGoJsonValue
{
    object? JsonValue { get; }
}

/// <summary>A function callable from templates. Throw <see cref="GoFunctionException"/> for Go-style errors.</summary>
public delegate object? GoFunction(TemplateContext context, object?[] args);

/// <summary>An error returned by a template function (Go's (T, error) second result).</summary>
public sealed class GoFunctionException : Exception
{
    public GoFunctionException(string message, string? errorId = null) : base(message) => ErrorId = errorId;

    /// <summary>An error that wraps another (Go's fmt.Errorf with %w): <paramref name="wrapped"/> is the chain below it.</summary>
    public GoFunctionException(string message, IReadOnlyList<string> wrapped, string? errorId = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        GoChain = new[] { message }.Concat(wrapped).ToList();
    }

    public string? ErrorId { get; }

    /// <summary>The texts of the Go error chain (this error first); null for a plain error.</summary>
    public IReadOnlyList<string>? GoChain { get; }
}

/// <summary>Go value model helpers. Maps are Dictionary&lt;string, object?&gt;, slices List&lt;object?&gt;,
/// integers long, floats double, strings, bools and null (nil).</summary>
public static class GoValues
{
    public static Dictionary<string, object?> NewMap() => new(StringComparer.Ordinal);

    public static string TypeName(object? v) => v switch
    {
        null => "<nil>",
        GoMissing => "<nil>",
        string => "string",
        long => "int",
        int => "int",
        GoInt64 => "int64",
        double => "float64",
        bool => "bool",
        GoTypedMap t => t.GoTypeName,
        GoTypedList t => t.GoTypeName,
        IDictionary<string, object?> => "map[string]interface {}",
        byte[] => "[]uint8",
        IList<object?> => "[]interface {}",
        IList<string> => "[]string",
        IGoObject o => o.GoTypeName,
        _ => v.GetType().Name,
    };

    /// <summary>Go's template truth (isTrue).</summary>
    public static bool IsTrue(object? v) => v switch
    {
        null or GoMissing => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        int i => i != 0,
        GoInt64 n => n.Value != 0,
        double d => d != 0,
        ICollection c => c.Count > 0,
        IDictionary<string, object?> m => m.Count > 0,
        _ => true,
    };

    /// <summary>Sprig's empty(): nil, zero, empty string/collection, false.</summary>
    public static bool IsEmpty(object? v) => v switch
    {
        null or GoMissing => true,
        bool b => !b,
        string s => s.Length == 0,
        long l => l == 0,
        int i => i == 0,
        GoInt64 n => n.Value == 0,
        double d => d == 0,
        ICollection c => c.Count == 0,
        IDictionary<string, object?> m => m.Count == 0,
        _ => false,
    };

    public static object? Normalize(object? v) => v is GoMissing ? null : v;

    /// <summary>The value of a Go integer of the model (int, int64), or null for anything else.</summary>
    public static long? Integer(object? v) => v switch
    {
        long l => l,
        int i => i,
        GoInt64 n => n.Value,
        _ => null,
    };

    /// <summary>Deep copy of maps and lists (copystructure semantics for plain values).</summary>
    public static object? DeepCopy(object? v)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (v)
        {
            case IDictionary<string, object?> m:
                var nm = new Dictionary<string, object?>(m.Count, StringComparer.Ordinal);
                foreach (var kv in m) nm[kv.Key] = DeepCopy(kv.Value);
                return nm;
            case GoTypedList tl:
                return new GoTypedList(tl.GoTypeName, tl.Select(DeepCopy));
            case List<object?> l:
                var nl = new List<object?>(l.Count);
                foreach (var e in l) nl.Add(DeepCopy(e));
                return nl;
            case IList<string> ls:
                return new List<string>(ls);
            default:
                return v;
        }
    }

    /// <summary>reflect.DeepEqual for the value model.</summary>
    public static bool DeepEqual(object? a, object? b)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (ReferenceEquals(a, b) && a is not null) return true; // as reflect.DeepEqual: the same map or slice is equal to itself
        a = Normalize(a); b = Normalize(b);
        if (a == null || b == null) return a == null && b == null;
        if (a.GetType() != b.GetType()) return false;
        switch (a)
        {
            case IDictionary<string, object?> ma:
                var mb = (IDictionary<string, object?>)b;
                if (ma.Count != mb.Count) return false;
                foreach (var kv in ma) if (!mb.TryGetValue(kv.Key, out var bv) || !DeepEqual(kv.Value, bv)) return false;
                return true;
            case IList la:
                var lb = (IList)b;
                if (la.Count != lb.Count) return false;
                for (int i = 0; i < la.Count; i++) if (!DeepEqual(la[i], lb[i])) return false;
                return true;
            default:
                return a.Equals(b);
        }
    }

    /// <summary>Sorted keys in Go's order (byte-wise).</summary>
    public static string[] SortedKeys(IDictionary<string, object?> m)
    {
        var keys = new string[m.Count];
        m.Keys.CopyTo(keys, 0);
        if (keys.Length > 1) Array.Sort(keys, OrdinalComparison);
        return keys;
    }

    private static readonly Comparison<string> OrdinalComparison = string.CompareOrdinal;
}
