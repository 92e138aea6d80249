namespace IstioPS.Rendering.GoTemplate;

/// <summary>
/// Which line of a template wrote each line of its output, so an object rendered from a chart can be reported at
/// its template's line (as a manifest file's object is at its file's). The executor records where each piece of
/// text and each action's value begins; <see cref="Finish"/> turns offsets into output lines once.
/// </summary>
public sealed class OutputLineMap
{
    private readonly List<(int Offset, int TemplateLine, bool Text)> _marks = new();
    /// <summary>Each mark's output line, and whether it begins that line (else it covers the lines after it).</summary>
    private (int OutputLine, bool LineStart, int TemplateLine, bool Text)[] _lines = Array.Empty<(int, bool, int, bool)>();

    /// <summary>Output from <paramref name="offset"/> on was written by the template's line <paramref name="templateLine"/>:
    /// literal text (its lines follow the template's) or an action's value (every line of it is the action's).</summary>
    internal void Record(int offset, int templateLine, bool text)
    {
        if (_marks.Count > 0 && _marks[^1].Offset == offset) _marks[^1] = (offset, templateLine, text);
        else _marks.Add((offset, templateLine, text));
    }

    /// <summary>Converts the recorded offsets into output lines of <paramref name="output"/> (the executed text).</summary>
    public void Finish(string output)
    {
        var lines = new (int, bool, int, bool)[_marks.Count];
        int line = 1, at = 0;
        for (var i = 0; i < _marks.Count; i++)
        {
            var offset = Math.Min(_marks[i].Offset, output.Length);
            for (; at < offset; at++) if (output[at] == '\n') line++;
            lines[i] = (line, offset == 0 || output[offset - 1] == '\n', _marks[i].TemplateLine, _marks[i].Text);
        }

        _lines = lines;
        _marks.Clear();
    }

    /// <summary>The template line that wrote output line <paramref name="outputLine"/> (1-based); 0 when unknown.</summary>
    public int TemplateLine(int outputLine)
    {
        // The mark that wrote the line's first character: the last one before the line, or at its very start.
        int lo = 0, hi = _lines.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (_lines[mid].OutputLine < outputLine || (_lines[mid].OutputLine == outputLine && _lines[mid].LineStart)) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }

        if (found < 0) return 0;
        var (startLine, _, templateLine, text) = _lines[found];
        return text ? templateLine + (outputLine - startLine) : templateLine;
    }
}
