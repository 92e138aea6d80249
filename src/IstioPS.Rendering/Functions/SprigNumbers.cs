using System.Globalization;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's numeric functions (numeric.go): int64 arithmetic that wraps like Go's, and float arithmetic
/// done in decimal as Sprig does with shopspring/decimal.</summary>
public static partial class SprigFunctions
{
    private static void RegisterNumbers(FunctionTable t)
    {
        t.Add("int", (_, a) => ToInt64(a[0]));
        t.Add("int64", (_, a) => ToInt64(a[0]));
        t.Add("float64", (_, a) => ToFloat64(a[0]));
        t.Add("atoi", (_, a) => Atoi(Str(a, 0)));
        t.Add("toDecimal", (_, a) =>
        {
            string s = StrVal(a[0]);
            try { return s.Length == 0 ? 0L : Convert.ToInt64(s.TrimStart('+'), 8); }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException) { return 0L; }
        });
        t.Add("add1", (_, a) => unchecked(ToInt64(a[0]) + 1));
        t.Add("add", (_, a) => a.Aggregate(0L, (s, x) => unchecked(s + ToInt64(x))));
        t.Add("sub", (_, a) => unchecked(ToInt64(a[0]) - ToInt64(a[1])));
        t.Add("mul", (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => unchecked(s * ToInt64(x))));
        t.Add("div", (_, a) => IntDivide(ToInt64(a[0]), ToInt64(a[1]), remainder: false));
        t.Add("mod", (_, a) => IntDivide(ToInt64(a[0]), ToInt64(a[1]), remainder: true));
        GoFunction max = (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => Math.Max(s, ToInt64(x)));
        t.Add("max", max);
        t.Add("biggest", max);
        t.Add("min", (_, a) => a.Skip(1).Aggregate(ToInt64(a[0]), (s, x) => Math.Min(s, ToInt64(x))));
        t.Add("maxf", (_, a) => a.Skip(1).Aggregate(ToFloat64(a[0]), (s, x) => Math.Max(s, ToFloat64(x))));
        t.Add("minf", (_, a) => a.Skip(1).Aggregate(ToFloat64(a[0]), (s, x) => Math.Min(s, ToFloat64(x))));
        t.Add("add1f", (_, a) => DecimalOp(a[0], new object?[] { 1L }, (x, y) => x + y, (x, y) => x + y));
        t.Add("addf", (_, a) => DecimalOp(0.0, a, (x, y) => x + y, (x, y) => x + y));
        t.Add("subf", (_, a) => DecimalOp(a[0], a.Skip(1), (x, y) => x - y, (x, y) => x - y));
        t.Add("mulf", (_, a) => DecimalOp(a[0], a.Skip(1), (x, y) => x * y, (x, y) => x * y));
        // shopspring/decimal's Div rounds the quotient half away from zero to DivisionPrecision (16) places.
        t.Add("divf", (_, a) => DecimalOp(a[0], a.Skip(1), (x, y) => y == 0 ? throw new GoFunctionException("decimal division by 0") : Math.Round(x / y, 16, MidpointRounding.AwayFromZero),
            (x, y) => y == 0 ? throw new GoFunctionException("decimal division by 0") : x / y));
        t.Add("ceil", (_, a) => Math.Ceiling(ToFloat64(a[0])));
        t.Add("floor", (_, a) => Math.Floor(ToFloat64(a[0])));
        t.Add("round", (_, a) =>
        {
            double roundOn = a.Length > 2 ? ToFloat64(a[2]) : .5;
            double pow = Math.Pow(10, ToFloat64(a[1]));
            double digit = pow * ToFloat64(a[0]);
            double frac = digit - Math.Truncate(digit);
            return (frac >= roundOn ? Math.Ceiling(digit) : Math.Floor(digit)) / pow;
        });
    }

    /// <summary>Go's integer / and %: division by zero panics; the most negative value / -1 wraps to itself.</summary>
    private static long IntDivide(long x, long y, bool remainder)
    {
        if (y == 0) throw new GoFunctionException("runtime error: integer divide by zero");
        if (y == -1) return remainder ? 0 : unchecked(-x);
        return remainder ? x % y : x / y;
    }

    /// <summary>strconv.Atoi: an optional sign and decimal digits, else 0.</summary>
    private static long Atoi(string s)
    {
        int i = s.Length > 0 && (s[0] == '+' || s[0] == '-') ? 1 : 0;
        if (i == s.Length || !s.Skip(i).All(char.IsAsciiDigit)) return 0;
        return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) ? v : 0;
    }

    /// <summary>Sprig's execDecimalOp: each operand through toFloat64 and decimal.NewFromFloat, the result back to
    /// float64. Beyond decimal's range the arithmetic falls back to float64.</summary>
    private static double DecimalOp(object? first, IEnumerable<object?> rest, Func<decimal, decimal, decimal> op, Func<double, double, double> wide)
    {
        var operands = rest.Select(ToFloat64).ToList();
        try
        {
            decimal acc = ToDecimal(ToFloat64(first));
            foreach (var x in operands) acc = op(acc, ToDecimal(x));
            // decimal.Float64 is the nearest double to the exact value; .NET's (double) cast of a decimal is not.
            return double.Parse(acc.ToString(CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        catch (OverflowException)
        {
            double acc = ToFloat64(first);
            foreach (var x in operands) acc = wide(acc, x);
            return acc;
        }
    }

    private static decimal ToDecimal(double d) =>
        double.IsFinite(d) && Math.Abs(d) < 7.9e28
            ? decimal.Parse(d.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture)
            : throw new OverflowException();
}
