namespace IstioPS.Rendering.GoTemplate;

/// <summary>A node of a parsed Go template. Line is 1-based within the template source.</summary>
public abstract class Node
{
    protected Node(int line) => Line = line;
    public int Line { get; }

    /// <summary>0-based character offset in the template source (Go's Pos), -1 when unknown.</summary>
    public int Pos { get; init; } = -1;
}

public sealed class ListNode : Node
{
    public ListNode(int line) : base(line) { }
    public List<Node> Nodes { get; } = new();
}

public sealed class TextNode : Node
{
    public TextNode(int line, string text) : base(line) => Text = text;
    public string Text { get; }
}

public sealed class PipeNode : Node
{
    public PipeNode(int line) : base(line) { }
    public bool IsAssign { get; set; }
    public List<string> Decl { get; } = new();
    public List<CommandNode> Commands { get; } = new();
}

public sealed class CommandNode : Node
{
    public CommandNode(int line) : base(line) { }
    public List<Node> Args { get; } = new();
}

public sealed class ActionNode : Node
{
    public ActionNode(int line, PipeNode pipe) : base(line) => Pipe = pipe;
    public PipeNode Pipe { get; }
}

public enum BranchKind { If, With, Range }

public sealed class BranchNode : Node
{
    public BranchNode(int line, BranchKind kind, PipeNode pipe, ListNode list, ListNode? elseList) : base(line)
    {
        Kind = kind; Pipe = pipe; List = list; ElseList = elseList;
    }
    public BranchKind Kind { get; }
    public PipeNode Pipe { get; }
    public ListNode List { get; }
    public ListNode? ElseList { get; }
}

public sealed class TemplateNode : Node
{
    public TemplateNode(int line, string name, PipeNode? pipe) : base(line) { Name = name; Pipe = pipe; }
    public string Name { get; }
    public PipeNode? Pipe { get; }
}

public sealed class BreakNode : Node { public BreakNode(int line) : base(line) { } }
public sealed class ContinueNode : Node { public ContinueNode(int line) : base(line) { } }

public sealed class DotNode : Node { public DotNode(int line) : base(line) { } }
public sealed class NilNode : Node { public NilNode(int line) : base(line) { } }

public sealed class FieldNode : Node
{
    public FieldNode(int line, string[] idents) : base(line) => Idents = idents;
    public string[] Idents { get; }
    public override string ToString() => "." + string.Join(".", Idents);
}

public sealed class VariableNode : Node
{
    public VariableNode(int line, string[] idents) : base(line) => Idents = idents;
    /// <summary>First element is the variable name including '$'; the rest are field names.</summary>
    public string[] Idents { get; }
    public override string ToString() => string.Join(".", Idents);
}

public sealed class ChainNode : Node
{
    public ChainNode(int line, Node target, string[] fields) : base(line) { Target = target; Fields = fields; }
    public Node Target { get; }
    public string[] Fields { get; }
}

public sealed class IdentifierNode : Node
{
    public IdentifierNode(int line, string name) : base(line) => Name = name;
    public string Name { get; }
    public override string ToString() => Name;
}

public sealed class BoolNode : Node
{
    public BoolNode(int line, bool value) : base(line) => Value = value;
    public bool Value { get; }
}

public sealed class StringNode : Node
{
    public StringNode(int line, string quoted, string text) : base(line) { Quoted = quoted; Text = text; }
    public string Quoted { get; }
    public string Text { get; }
}

public sealed class NumberNode : Node
{
    public NumberNode(int line, string text) : base(line) => Text = text;
    public string Text { get; }
    public bool IsInt { get; set; }
    public bool IsFloat { get; set; }
    /// <summary>An integer constant beyond int64 that fits uint64: parses, but overflows int when evaluated.</summary>
    public bool IsUint { get; set; }
    public long IntValue { get; set; }
    public double FloatValue { get; set; }
}

public sealed class PipeExprNode : Node
{
    public PipeExprNode(int line, PipeNode pipe) : base(line) => Pipe = pipe;
    public PipeNode Pipe { get; }
}
