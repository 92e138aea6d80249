using System.Globalization;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's date functions (date.go) over <see cref="GoTime"/>: Go layouts, Unix seconds for integers, the
/// process's local zone for "Local" (as Helm renders in the user's zone).</summary>
public static partial class SprigFunctions
{
    private static GoZone LocalZone() => GoZone.FromTimeZone(TimeZoneInfo.Local);

    private static void RegisterDates(FunctionTable t)
    {
        t.Add("now", (_, _) => GoTime.Now(LocalZone()));
        t.Add("date", (_, a) => DateInZone(Str(a, 0), a[1], "Local"));
        t.Add("htmlDate", (_, a) => DateInZone("2006-01-02", a[0], "Local"));
        t.Add("htmlDateInZone", (_, a) => DateInZone("2006-01-02", a[0], Str(a, 1)));
        GoFunction dateInZone = (_, a) => DateInZone(Str(a, 0), a[1], Str(a, 2));
        t.Add("dateInZone", dateInZone);
        t.Add("date_in_zone", dateInZone);
        t.Add("ago", (_, a) =>
        {
            var then = a[0] switch { GoTime g => g, long l => GoTime.Unix(l, LocalZone()), _ => GoTime.Now(LocalZone()) };
            return GoDuration.Format(RoundToSecond(GoTime.Now(LocalZone()).Sub(then)));
        });
        // dateModify keeps the date when the duration does not parse; mustDateModify returns the error.
        GoFunction dateModify = (_, a) =>
        {
            var date = (GoTime)a[1]!;
            try { return date.Add(GoDuration.Parse(Str(a, 0))); }
            catch (GoFunctionException) { return date; }
        };
        t.Add("dateModify", dateModify);
        t.Add("date_modify", dateModify);
        GoFunction mustDateModify = (_, a) => ((GoTime)a[1]!).Add(GoDuration.Parse(Str(a, 0)));
        t.Add("mustDateModify", mustDateModify);
        t.Add("must_date_modify", mustDateModify);
        t.Add("toDate", (_, a) =>
        {
            try { return GoTime.Parse(Str(a, 0), Str(a, 1), LocalZone()); }
            catch (GoFunctionException) { return GoTime.Zero; }
        });
        t.Add("mustToDate", (_, a) => GoTime.Parse(Str(a, 0), Str(a, 1), LocalZone()));
        t.Add("unixEpoch", (_, a) => ((GoTime)a[0]!).UnixSeconds.ToString(CultureInfo.InvariantCulture));
        t.Add("duration", (_, a) =>
        {
            long seconds = a[0] switch
            {
                string s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long n) ? n : 0,
                GoInt64 n => n.Value,
                _ => 0,
            };
            return GoDuration.Format(unchecked(seconds * GoDuration.Second));
        });
        t.Add("durationRound", (_, a) =>
        {
            long d = a[0] switch
            {
                string s => ParseDurationOrZero(s),
                GoInt64 n => n.Value,
                GoTime g => GoTime.Now(LocalZone()).Sub(g),
                _ => 0,
            };
            return DurationRound(d);
        });
    }

    private static long ParseDurationOrZero(string s)
    {
        try { return GoDuration.Parse(s); }
        catch (GoFunctionException) { return 0; }
    }

    /// <summary>Sprig's dateInZone: a time.Time as is, an int as Unix seconds, anything else as now; an unknown zone is UTC.</summary>
    private static string DateInZone(string layout, object? date, string zone)
    {
        var local = LocalZone();
        var t = date switch
        {
            GoTime g => g,
            long l => GoTime.Unix(l, local),
            GoInt64 n => GoTime.Unix(n.Value, local),
            _ => GoTime.Now(local),
        };
        return t.In(GoZone.Load(zone, local) ?? GoZone.Utc).Format(layout);
    }

    /// <summary>Duration.Round(time.Second): halves away from zero.</summary>
    private static long RoundToSecond(long d)
    {
        long r = d % GoDuration.Second;
        if (d < 0)
        {
            r = -r;
            return r + r < GoDuration.Second ? d + r : d - (GoDuration.Second - r);
        }
        return r + r < GoDuration.Second ? d - r : d + (GoDuration.Second - r);
    }

    /// <summary>Sprig's durationRound: the largest whole unit (y, mo, d, h, m, s) the duration exceeds.</summary>
    private static string DurationRound(long d)
    {
        ulong u = d < 0 ? unchecked(0UL - (ulong)d) : (ulong)d;
        const ulong Second = 1_000_000_000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour, Month = 30 * Day, Year = 365 * Day;
        foreach (var (unit, name) in new[] { (Year, "y"), (Month, "mo"), (Day, "d"), (Hour, "h"), (Minute, "m"), (Second, "s") })
            if (u > unit) return (u / unit).ToString(CultureInfo.InvariantCulture) + name;
        return "0s";
    }
}
