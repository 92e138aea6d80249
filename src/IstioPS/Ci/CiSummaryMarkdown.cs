using System.Collections;
using System.Globalization;
using System.Text;

namespace IstioPS.Ci;

/// <summary>The Markdown a CI run shows for one cmdlet call: outcome, command, a table of what it emitted, warnings and errors.</summary>
public static class CiSummaryMarkdown
{
    public static string Render(string command, string commandLine, CiSummaryAttribute summary, IReadOnlyList<object> outputs,
        IReadOnlyList<string> warnings, IReadOnlyList<(string Id, string Message)> errors, bool failed, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        var outcome = failed ? "failed" : errors.Count > 0 ? $"finished with {errors.Count} error{(errors.Count == 1 ? "" : "s")}" : "succeeded";
        sb.Append("### ").Append(summary.Title).Append(": ").Append(outcome).Append('\n').Append('\n');
        sb.Append('`').Append(commandLine.Replace("`", "'")).Append("` took ").Append(CiReporter.Elapsed(elapsed)).Append(".\n\n");
        var rows = outputs.Where(o => o is not bool).ToList();
        if (rows.Count == 0)
        {
            var verdict = outputs.OfType<bool>().Select(b => (bool?)b).FirstOrDefault();
            sb.Append(verdict switch { true => "Result: **True**. ", false => "Result: **False**. ", _ => "" });
            if (!failed) sb.Append(summary.Empty);
            sb.Append("\n\n");
        }
        else
        {
            var columns = summary.Columns.Count > 0 ? summary.Columns : SimpleProperties(rows[0].GetType());
            sb.Append("| ").Append(string.Join(" | ", columns)).Append(" |\n");
            sb.Append('|').Append(string.Concat(columns.Select(_ => " --- |"))).Append('\n');
            foreach (var row in rows)
            {
                sb.Append("| ").Append(string.Join(" | ", columns.Select(c => Cell(Value(row, c))))).Append(" |\n");
            }

            sb.Append('\n');
        }

        AppendList(sb, "Errors", errors.Select(e => $"`{e.Id}`: {OneLine(e.Message)}"));
        AppendList(sb, "Warnings", warnings.Select(OneLine));
        return sb.ToString();
    }

    private static void AppendList(StringBuilder sb, string heading, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0) return;
        sb.Append("**").Append(heading).Append("**\n\n");
        foreach (var item in list) sb.Append("- ").Append(item).Append('\n');
        sb.Append('\n');
    }

    private static IReadOnlyList<string> SimpleProperties(Type type) => type.GetProperties()
        .Where(p => p.GetIndexParameters().Length == 0 && IsSimple(Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType))
        .Select(p => p.Name).ToList();

    private static bool IsSimple(Type t) => t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(TimeSpan);

    private static object? Value(object row, string property) => row.GetType().GetProperty(property)?.GetValue(row);

    private static string Cell(object? value)
    {
        var text = value switch
        {
            null => "",
            string s => s,
            IEnumerable e => string.Join(", ", e.Cast<object>().Take(10)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        return text.Replace("|", "\\|").Replace("\r", "").Replace("\n", "<br>");
    }

    private static string OneLine(string text) => text.Replace("\r", "").Replace("\n", " ").Replace("  ", " ");
}
