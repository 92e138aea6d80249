using System.Globalization;
using System.Management.Automation;

namespace IstioPS;

/// <summary>Lets -Timeout take seconds (300), a TimeSpan, or text such as "00:05:00" or "5m".</summary>
public sealed class TimeoutTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        switch (value)
        {
            case TimeSpan t:
                return t;
            case int or long or short or byte or double or float or decimal:
                return TimeSpan.FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
            case string s:
                s = s.Trim();
                if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
                if (s.Length > 1 && double.TryParse(s[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
                {
                    switch (s[^1])
                    {
                        case 's': return TimeSpan.FromSeconds(n);
                        case 'm': return TimeSpan.FromMinutes(n);
                        case 'h': return TimeSpan.FromHours(n);
                    }
                }

                if (TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out var span)) return span;
                throw new ArgumentTransformationMetadataException($"'{s}' is not a timeout: give seconds (300), a time span (00:05:00) or 5m.");
            default:
                return inputData;
        }
    }
}
