using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IstioPS.Rendering.Yaml;

/// <summary>
/// What one YAML stream may cost to read: nesting depth, alias expansion and Ctrl+C. Every reader
/// (the fast reader, goyaml-style values, the manifest reader) keeps to it, so hostile input is refused
/// with a line instead of exhausting memory or the stack.
/// <para>Aliases follow go-yaml's decoder (what kubectl and the API server use): every node decoded counts,
/// nodes decoded through an alias count twice, and when more than 100 come from aliases in a document of
/// more than 1,000 the share from aliases may be at most 99% (up to 400,000 nodes), falling to 10% at 4,000,000.
/// Depth is bounded more tightly than go-yaml's 10,000 (and within System.Text.Json's writer limit of 1,000) so
/// that no recursive reader or writer can overflow the stack.</para>
/// </summary>
public sealed class YamlBudget
{
    /// <summary>The deepest nesting of mappings and sequences any reader accepts.</summary>
    public const int MaxDepth = 1000;

    private const long AliasRatioRangeLow = 400_000;
    private const long AliasRatioRangeHigh = 4_000_000;

    private readonly CancellationToken _ct;
    private long _aliasCount;

    public YamlBudget(CancellationToken ct = default) => _ct = ct;

    /// <summary>Nodes decoded so far, aliases expanded included.</summary>
    public long DecodeCount { get; private set; }

    /// <summary>The share of decoded nodes that may come from alias expansion once <paramref name="decodeCount"/> nodes are decoded.</summary>
    public static double AllowedAliasRatio(long decodeCount) => decodeCount switch
    {
        <= AliasRatioRangeLow => 0.99,
        >= AliasRatioRangeHigh => 0.10,
        _ => 0.99 - (0.89 * (decodeCount - AliasRatioRangeLow) / (AliasRatioRangeHigh - AliasRatioRangeLow)),
    };

    /// <summary>One node (scalar, mapping or sequence) decoded at <paramref name="at"/>.</summary>
    public void Node(Mark at)
    {
        DecodeCount++;
        if ((DecodeCount & 0x3FF) == 0) _ct.ThrowIfCancellationRequested();
    }

    /// <summary>An alias at <paramref name="at"/> that expands to <paramref name="nodes"/> nodes.</summary>
    public void Alias(long nodes, Mark at)
    {
        DecodeCount += nodes;
        _aliasCount += nodes;
        if (_aliasCount > 100 && DecodeCount > 1000 && (double)_aliasCount / DecodeCount > AllowedAliasRatio(DecodeCount))
        {
            throw new YamlLimitException("YamlExcessiveAliasing", at, "the document contains excessive aliasing (more alias expansion than go-yaml, which kubectl uses, allows)");
        }

        _ct.ThrowIfCancellationRequested();
    }

    /// <summary>Entering a mapping or sequence at nesting <paramref name="depth"/> (the root is 1).</summary>
    public static void Enter(int depth, Mark at)
    {
        if (depth > MaxDepth)
        {
            throw new YamlLimitException("YamlTooDeep", at, $"the document nests mappings and sequences deeper than {MaxDepth} levels");
        }
    }

    /// <summary>A new document: anchors and counts start again, as go-yaml decodes each document on its own.</summary>
    public void NewDocument()
    {
        DecodeCount = 0;
        _aliasCount = 0;
        _ct.ThrowIfCancellationRequested();
    }

    /// <summary>
    /// Reads every event of <paramref name="text"/> without building anything and throws a <see cref="YamlException"/>
    /// (with its line) when it is too deep or aliases too much; readers that build a node tree first
    /// (YamlDotNet's representation model) call this before, so that building it is safe.
    /// </summary>
    public static void Check(string text, CancellationToken ct = default)
    {
        var budget = new YamlBudget(ct);
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        var open = new Stack<(string? Anchor, long Start)>();
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case DocumentStart:
                    anchors.Clear();
                    budget.NewDocument();
                    break;
                case AnchorAlias alias:
                    budget.Alias(anchors.TryGetValue(alias.Value.Value, out var size) ? size : 0, alias.Start);
                    break;
                case Scalar scalar:
                    budget.Node(scalar.Start);
                    if (!scalar.Anchor.IsEmpty) anchors[scalar.Anchor.Value] = 1;
                    break;
                case NodeEvent start and (SequenceStart or MappingStart):
                    budget.Node(start.Start);
                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, budget.DecodeCount - 1));
                    Enter(open.Count, start.Start);
                    break;
                case SequenceEnd or MappingEnd:
                    var (anchor, first) = open.Pop();
                    if (anchor is not null) anchors[anchor] = budget.DecodeCount - first;
                    break;
            }
        }
    }
}

/// <summary>A YAML stream beyond one of <see cref="YamlBudget"/>'s limits; <see cref="ErrorId"/> names which.</summary>
public sealed class YamlLimitException : YamlException
{
    public YamlLimitException(string errorId, Mark at, string message)
        : base(at, at, message) => ErrorId = errorId;

    /// <summary>YamlTooDeep or YamlExcessiveAliasing.</summary>
    public string ErrorId { get; }
}
