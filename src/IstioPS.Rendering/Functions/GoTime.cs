using System.Collections.Immutable;
using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Go's time.Time as Sprig's date functions hand it to templates: an instant (Unix seconds and nanoseconds)
/// in a location. Formats and parses with Go's reference-time layouts ("2006-01-02 15:04:05").</summary>
public sealed class GoTime : IGoObject, IGoJsonValue
{
    /// <summary>The Unix second of Go's zero Time (January 1, year 1, 00:00:00 UTC).</summary>
    private const long ZeroUnix = -62135596800;

    private GoTime(long unixSeconds, int nanos, GoZone zone)
    {
        UnixSeconds = unixSeconds;
        Nanos = nanos;
        Zone = zone;
    }

    public long UnixSeconds { get; }
    public int Nanos { get; }
    internal GoZone Zone { get; }

    /// <summary>time.Time{}: what a failed toDate returns.</summary>
    public static GoTime Zero { get; } = new(ZeroUnix, 0, GoZone.Utc);

    public static GoTime Unix(long seconds, GoZone zone) => new(seconds, 0, zone);

    public static GoTime Now(GoZone zone)
    {
        long ticks = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks;
        return new GoTime(Math.DivRem(ticks, TimeSpan.TicksPerSecond, out long rest), (int)(rest * 100), zone);
    }

    public GoTime In(GoZone zone) => new(UnixSeconds, Nanos, zone);

    /// <summary>Time.Add: the instant moved by a duration in nanoseconds.</summary>
    public GoTime Add(long nanoseconds)
    {
        long sec = UnixSeconds + nanoseconds / 1_000_000_000;
        long nsec = Nanos + nanoseconds % 1_000_000_000;
        if (nsec >= 1_000_000_000) { sec++; nsec -= 1_000_000_000; }
        else if (nsec < 0) { sec--; nsec += 1_000_000_000; }
        return new GoTime(sec, (int)nsec, Zone);
    }

    /// <summary>Nanoseconds from <paramref name="other"/> to this time (Time.Sub, saturating like Go's).</summary>
    public long Sub(GoTime other)
    {
        var d = (System.Numerics.BigInteger)(UnixSeconds - other.UnixSeconds) * 1_000_000_000 + (Nanos - other.Nanos);
        return d > long.MaxValue ? long.MaxValue : d < long.MinValue ? long.MinValue : (long)d;
    }

    public string GoTypeName => "time.Time";

    public object? JsonValue => Format("2006-01-02T15:04:05.999999999Z07:00");

    public bool TryGetField(string name, out object? value) { value = null; return false; }

    public bool TryCallMethod(string name, object?[] args, out object? result)
    {
        var c = Civil();
        result = name switch
        {
            "String" => ToString(),
            "Format" when args is [string layout] => Format(layout),
            "Unix" => UnixSeconds,
            "UnixNano" => UnixSeconds * 1_000_000_000 + Nanos,
            "UTC" => In(GoZone.Utc),
            "Year" => (long)c.Year,
            "YearDay" => (long)c.DayOfYear,
            "Day" => (long)c.Day,
            "Hour" => (long)c.Hour,
            "Minute" => (long)c.Minute,
            "Second" => (long)c.Second,
            "Nanosecond" => (long)Nanos,
            "IsZero" => UnixSeconds == ZeroUnix && Nanos == 0,
            _ => null,
        };
        return result != null;
    }

    /// <summary>Time.String: "2006-01-02 15:04:05.999999999 -0700 MST".</summary>
    public override string ToString() => Format("2006-01-02 15:04:05.999999999 -0700 MST");

    private int Offset => Zone.OffsetAt(UnixSeconds);

    /// <summary>The wall clock in this time's location.</summary>
    private DateTime Civil() => DateTime.UnixEpoch.AddSeconds(UnixSeconds + Offset);

    // ---- layouts ----------------------------------------------------------------------------------

    private enum Std
    {
        None, LongMonth, Month, NumMonth, ZeroMonth, LongWeekDay, WeekDay, Day, UnderDay, ZeroDay, UnderYearDay, ZeroYearDay,
        Hour, Hour12, ZeroHour12, Minute, ZeroMinute, Second, ZeroSecond, LongYear, Year, PM, Pm, TZ,
        ISO8601TZ, ISO8601SecondsTZ, ISO8601ShortTZ, ISO8601ColonTZ, ISO8601ColonSecondsTZ,
        NumTZ, NumSecondsTz, NumShortTZ, NumColonTZ, NumColonSecondsTZ, FracSecond0, FracSecond9,
    }

    /// <summary>One element of a layout: the literal text before it, the element, its digits (fractions) and the rest.</summary>
    private readonly record struct Chunk(string Prefix, Std Std, int Digits, char Separator, string Text, string Suffix);

    private static readonly ImmutableArray<Std> ZeroX = ImmutableArray.Create(new Std[]
    { Std.ZeroMonth, Std.ZeroDay, Std.ZeroHour12, Std.ZeroMinute, Std.ZeroSecond, Std.Year });

    /// <summary>Go's nextStdChunk: finds the first layout element.</summary>
    private static Chunk NextChunk(string layout)
    {
        Chunk At(int i, Std std, int len, int digits = 0, char sep = '.') => new(layout.Substring(0, i), std, digits, sep, layout.Substring(i, len), layout.Substring(i + len));
        bool Has(int i, string s) => string.CompareOrdinal(layout, i, s, 0, s.Length) == 0 && layout.Length >= i + s.Length;
        bool LowerAfter(int i) => i < layout.Length && layout[i] is >= 'a' and <= 'z';
        for (int i = 0; i < layout.Length; i++)
        {
            switch (layout[i])
            {
                case 'J':
                    if (Has(i, "January")) return At(i, Std.LongMonth, 7);
                    if (Has(i, "Jan") && !LowerAfter(i + 3)) return At(i, Std.Month, 3);
                    break;
                case 'M':
                    if (Has(i, "Monday")) return At(i, Std.LongWeekDay, 6);
                    if (Has(i, "Mon") && !LowerAfter(i + 3)) return At(i, Std.WeekDay, 3);
                    if (Has(i, "MST")) return At(i, Std.TZ, 3);
                    break;
                case '0':
                    if (i + 1 < layout.Length && layout[i + 1] is >= '1' and <= '6') return At(i, ZeroX[layout[i + 1] - '1'], 2);
                    if (Has(i, "002")) return At(i, Std.ZeroYearDay, 3);
                    break;
                case '1':
                    return Has(i, "15") ? At(i, Std.Hour, 2) : At(i, Std.NumMonth, 1);
                case '2':
                    return Has(i, "2006") ? At(i, Std.LongYear, 4) : At(i, Std.Day, 1);
                case '_':
                    if (Has(i, "_2"))
                    {
                        // "_2006" is a literal '_' and then the year.
                        if (Has(i + 1, "2006")) return At(i + 1, Std.LongYear, 4);
                        return At(i, Std.UnderDay, 2);
                    }
                    if (Has(i, "__2")) return At(i, Std.UnderYearDay, 3);
                    break;
                case '3': return At(i, Std.Hour12, 1);
                case '4': return At(i, Std.Minute, 1);
                case '5': return At(i, Std.Second, 1);
                case 'P':
                    if (Has(i, "PM")) return At(i, Std.PM, 2);
                    break;
                case 'p':
                    if (Has(i, "pm")) return At(i, Std.Pm, 2);
                    break;
                case '-':
                    if (Has(i, "-070000")) return At(i, Std.NumSecondsTz, 7);
                    if (Has(i, "-07:00:00")) return At(i, Std.NumColonSecondsTZ, 9);
                    if (Has(i, "-0700")) return At(i, Std.NumTZ, 5);
                    if (Has(i, "-07:00")) return At(i, Std.NumColonTZ, 6);
                    if (Has(i, "-07")) return At(i, Std.NumShortTZ, 3);
                    break;
                case 'Z':
                    if (Has(i, "Z070000")) return At(i, Std.ISO8601SecondsTZ, 7);
                    if (Has(i, "Z07:00:00")) return At(i, Std.ISO8601ColonSecondsTZ, 9);
                    if (Has(i, "Z0700")) return At(i, Std.ISO8601TZ, 5);
                    if (Has(i, "Z07:00")) return At(i, Std.ISO8601ColonTZ, 6);
                    if (Has(i, "Z07")) return At(i, Std.ISO8601ShortTZ, 3);
                    break;
                case '.' or ',':
                    if (i + 1 < layout.Length && layout[i + 1] is '0' or '9')
                    {
                        char ch = layout[i + 1];
                        int j = i + 1;
                        while (j < layout.Length && layout[j] == ch) j++;
                        // Only a run of digits that ends here is a fractional second.
                        if (!(j < layout.Length && char.IsAsciiDigit(layout[j])))
                            return At(i, ch == '0' ? Std.FracSecond0 : Std.FracSecond9, j - i, j - (i + 1), layout[i]);
                    }
                    break;
            }
        }
        return new Chunk(layout, Std.None, 0, '.', "", "");
    }

    private static readonly ImmutableArray<string> LongMonths = ImmutableArray.Create(CultureInfo.InvariantCulture.DateTimeFormat.MonthNames[..12]);
    private static readonly ImmutableArray<string> LongDays = ImmutableArray.Create(CultureInfo.InvariantCulture.DateTimeFormat.DayNames);

    private static void AppendInt(StringBuilder sb, long x, int width)
    {
        if (x < 0) { sb.Append('-'); x = -x; }
        string digits = x.ToString(CultureInfo.InvariantCulture);
        for (int k = digits.Length; k < width; k++) sb.Append('0');
        sb.Append(digits);
    }

    /// <summary>Time.Format.</summary>
    public string Format(string layout)
    {
        var c = Civil();
        int offset = Offset;
        var sb = new StringBuilder(layout.Length + 10);
        while (layout.Length > 0)
        {
            var k = NextChunk(layout);
            sb.Append(k.Prefix);
            if (k.Std == Std.None) break;
            layout = k.Suffix;
            int hour12 = c.Hour % 12 == 0 ? 12 : c.Hour % 12;
            switch (k.Std)
            {
                case Std.Year: AppendInt(sb, Math.Abs(c.Year) % 100, 2); break;
                case Std.LongYear: AppendInt(sb, c.Year, 4); break;
                case Std.Month: sb.Append(LongMonths[c.Month - 1], 0, 3); break;
                case Std.LongMonth: sb.Append(LongMonths[c.Month - 1]); break;
                case Std.NumMonth: AppendInt(sb, c.Month, 0); break;
                case Std.ZeroMonth: AppendInt(sb, c.Month, 2); break;
                case Std.WeekDay: sb.Append(LongDays[(int)c.DayOfWeek], 0, 3); break;
                case Std.LongWeekDay: sb.Append(LongDays[(int)c.DayOfWeek]); break;
                case Std.Day: AppendInt(sb, c.Day, 0); break;
                case Std.UnderDay: if (c.Day < 10) sb.Append(' '); AppendInt(sb, c.Day, 0); break;
                case Std.ZeroDay: AppendInt(sb, c.Day, 2); break;
                case Std.UnderYearDay:
                    if (c.DayOfYear < 100) sb.Append(c.DayOfYear < 10 ? "  " : " ");
                    AppendInt(sb, c.DayOfYear, 0);
                    break;
                case Std.ZeroYearDay: AppendInt(sb, c.DayOfYear, 3); break;
                case Std.Hour: AppendInt(sb, c.Hour, 2); break;
                case Std.Hour12: AppendInt(sb, hour12, 0); break;
                case Std.ZeroHour12: AppendInt(sb, hour12, 2); break;
                case Std.Minute: AppendInt(sb, c.Minute, 0); break;
                case Std.ZeroMinute: AppendInt(sb, c.Minute, 2); break;
                case Std.Second: AppendInt(sb, c.Second, 0); break;
                case Std.ZeroSecond: AppendInt(sb, c.Second, 2); break;
                case Std.PM: sb.Append(c.Hour >= 12 ? "PM" : "AM"); break;
                case Std.Pm: sb.Append(c.Hour >= 12 ? "pm" : "am"); break;
                case Std.TZ:
                    if (Zone.Abbreviation is { } name) { sb.Append(name); break; }
                    // No name known: the -0700 form.
                    int zm = offset / 60;
                    sb.Append(zm < 0 ? '-' : '+');
                    AppendInt(sb, Math.Abs(zm) / 60, 2);
                    AppendInt(sb, Math.Abs(zm) % 60, 2);
                    break;
                case Std.FracSecond0 or Std.FracSecond9:
                    string nanos = Nanos.ToString("D9", CultureInfo.InvariantCulture);
                    int n = Math.Min(k.Digits, 9);
                    if (k.Std == Std.FracSecond9)
                    {
                        while (n > 0 && nanos[n - 1] == '0') n--;
                        if (n == 0) break;
                    }
                    sb.Append(k.Separator).Append(nanos, 0, n);
                    break;
                default:
                    AppendZone(sb, k.Std, offset);
                    break;
            }
        }
        return sb.ToString();
    }

    private static bool IsIso(Std s) => s is Std.ISO8601TZ or Std.ISO8601ColonTZ or Std.ISO8601SecondsTZ or Std.ISO8601ShortTZ or Std.ISO8601ColonSecondsTZ;

    private static void AppendZone(StringBuilder sb, Std std, int offset)
    {
        // The Z forms write "Z" for UTC; the others always write the offset.
        if (offset == 0 && IsIso(std)) { sb.Append('Z'); return; }
        int zone = offset / 60, abs = Math.Abs(offset);
        sb.Append(zone < 0 ? '-' : '+');
        zone = Math.Abs(zone);
        AppendInt(sb, zone / 60, 2);
        bool colon = std is Std.ISO8601ColonTZ or Std.NumColonTZ or Std.ISO8601ColonSecondsTZ or Std.NumColonSecondsTZ;
        if (colon) sb.Append(':');
        if (std is not (Std.NumShortTZ or Std.ISO8601ShortTZ)) AppendInt(sb, zone % 60, 2);
        if (std is Std.ISO8601SecondsTZ or Std.NumSecondsTz or Std.NumColonSecondsTZ or Std.ISO8601ColonSecondsTZ)
        {
            if (colon) sb.Append(':');
            AppendInt(sb, abs % 60, 2);
        }
    }

    // ---- parsing ----------------------------------------------------------------------------------

    private sealed class BadValue : Exception { }

    /// <summary>time.ParseInLocation: <paramref name="value"/> read with <paramref name="layout"/>; a value without a zone
    /// is in <paramref name="location"/>. Fails with Go's ParseError text.</summary>
    public static GoTime Parse(string layout, string value, GoZone location)
    {
        string alayout = layout, avalue = value;
        string Error(string layoutElem, string valueElem, string message) => message.Length == 0
            ? $"parsing time {Quote(avalue)} as {Quote(alayout)}: cannot parse {Quote(valueElem)} as {Quote(layoutElem)}"
            : $"parsing time {Quote(avalue)}{message}";
        int year = 0, month = -1, day = -1, hour = 0, min = 0, sec = 0, nsec = 0, zoneOffset = -1;
        string? zoneName = null;
        bool amSet = false, pmSet = false, utc = false;
        while (true)
        {
            var k = NextChunk(layout);
            if (!Skip(ref value, k.Prefix)) throw new GoFunctionException(Error(k.Prefix, value, ""));
            if (k.Std == Std.None)
            {
                if (value.Length != 0) throw new GoFunctionException(Error("", value, ": extra text: " + Quote(value)));
                break;
            }
            layout = k.Suffix;
            string hold = value;
            string range = "";
            try
            {
                switch (k.Std)
                {
                    case Std.Year:
                        if (value.Length < 2) throw new BadValue();
                        year = Atoi(value.Substring(0, 2));
                        year += year >= 69 ? 1900 : 2000;
                        value = value.Substring(2);
                        break;
                    case Std.LongYear:
                        if (value.Length < 4 || !char.IsAsciiDigit(value[0])) throw new BadValue();
                        year = Atoi(value.Substring(0, 4));
                        value = value.Substring(4);
                        break;
                    case Std.Month: month = Lookup(LongMonths.Select(m => m.Substring(0, 3)), ref value) + 1; break;
                    case Std.LongMonth: month = Lookup(LongMonths, ref value) + 1; break;
                    case Std.NumMonth or Std.ZeroMonth:
                        month = GetNum(ref value, k.Std == Std.ZeroMonth);
                        if (month is <= 0 or > 12) range = "month";
                        break;
                    case Std.WeekDay: Lookup(LongDays.Select(d => d.Substring(0, 3)), ref value); break;
                    case Std.LongWeekDay: Lookup(LongDays, ref value); break;
                    case Std.Day or Std.UnderDay or Std.ZeroDay:
                        if (k.Std == Std.UnderDay && value.StartsWith(' ')) value = value.Substring(1);
                        day = GetNum(ref value, k.Std == Std.ZeroDay);
                        break;
                    case Std.Hour:
                        hour = GetNum(ref value, false);
                        if (hour is < 0 or >= 24) range = "hour";
                        break;
                    case Std.Hour12 or Std.ZeroHour12:
                        hour = GetNum(ref value, k.Std == Std.ZeroHour12);
                        if (hour is < 0 or > 12) range = "hour";
                        break;
                    case Std.Minute or Std.ZeroMinute:
                        min = GetNum(ref value, k.Std == Std.ZeroMinute);
                        if (min is < 0 or >= 60) range = "minute";
                        break;
                    case Std.Second or Std.ZeroSecond:
                        sec = GetNum(ref value, k.Std == Std.ZeroSecond);
                        if (sec is < 0 or >= 60) { range = "second"; break; }
                        // A fractional second in the value that the layout does not name is read anyway.
                        if (value.Length >= 2 && value[0] is '.' or ',' && char.IsAsciiDigit(value[1])
                            && NextChunk(layout).Std is not (Std.FracSecond0 or Std.FracSecond9))
                        {
                            int n = 2;
                            while (n < value.Length && char.IsAsciiDigit(value[n])) n++;
                            nsec = Nanoseconds(value, n, ref range);
                            value = value.Substring(n);
                        }
                        break;
                    case Std.PM or Std.Pm:
                        if (value.Length < 2) throw new BadValue();
                        string p = value.Substring(0, 2);
                        value = value.Substring(2);
                        string am = k.Std == Std.PM ? "AM" : "am", pm = k.Std == Std.PM ? "PM" : "pm";
                        if (p == pm) pmSet = true; else if (p == am) amSet = true; else throw new BadValue();
                        break;
                    case Std.TZ:
                        if (value.StartsWith("UTC", StringComparison.Ordinal)) { utc = true; value = value.Substring(3); break; }
                        int z = 0;
                        while (z < value.Length && char.IsAsciiLetterUpper(value[z])) z++;
                        if (z < 3) throw new BadValue();
                        zoneName = value.Substring(0, z);
                        value = value.Substring(z);
                        break;
                    case Std.FracSecond0:
                        int digits = 1 + k.Digits;
                        if (value.Length < digits) throw new BadValue();
                        nsec = Nanoseconds(value, digits, ref range);
                        value = value.Substring(digits);
                        break;
                    case Std.FracSecond9:
                        if (value.Length < 2 || value[0] is not ('.' or ',') || !char.IsAsciiDigit(value[1])) break;
                        int i = 0;
                        while (i < 9 && i + 1 < value.Length && char.IsAsciiDigit(value[i + 1])) i++;
                        nsec = Nanoseconds(value, 1 + i, ref range);
                        value = value.Substring(1 + i);
                        break;
                    case Std.UnderYearDay or Std.ZeroYearDay:
                        throw new GoFunctionException($"parsing time {Quote(avalue)}: day-of-year layouts are not supported");
                    default:
                        if (IsIso(k.Std) && k.Std != Std.ISO8601SecondsTZ && k.Std != Std.ISO8601ColonSecondsTZ && value.StartsWith('Z'))
                        {
                            value = value.Substring(1);
                            utc = true;
                            break;
                        }
                        zoneOffset = ParseOffset(k.Std, ref value);
                        break;
                }
            }
            catch (BadValue)
            {
                throw new GoFunctionException(Error(k.Text, hold, ""));
            }
            if (range.Length > 0) throw new GoFunctionException(Error(k.Text, value, $": {range} out of range"));
        }
        if (pmSet && hour < 12) hour += 12;
        else if (amSet && hour == 12) hour = 0;
        if (month < 0) month = 1;
        if (day < 0) day = 1;
        if (day < 1 || day > DateTime.DaysInMonth(Math.Clamp(year, 1, 9999), month))
            throw new GoFunctionException($"parsing time {Quote(avalue)}: day out of range");
        long wall = (long)(new DateTime(Math.Clamp(year, 1, 9999), month, day, hour, min, sec, DateTimeKind.Utc) - DateTime.UnixEpoch).TotalSeconds;
        if (utc) return new GoTime(wall, nsec, GoZone.Utc);
        if (zoneOffset != -1)
        {
            long unix = wall - zoneOffset;
            return new GoTime(unix, nsec, location.OffsetAt(unix) == zoneOffset && (zoneName == null || location.Abbreviation == zoneName)
                ? location : GoZone.Fixed(zoneOffset, zoneName));
        }
        // A zone name the location does not use: a zone of that name with an unknown (zero) offset.
        if (zoneName != null && location.Abbreviation != zoneName) return new GoTime(wall, nsec, GoZone.Fixed(0, zoneName));
        // No zone in the value: the wall clock is in the given location.
        long guess = wall - location.OffsetAt(wall);
        return new GoTime(wall - location.OffsetAt(guess), nsec, location);
    }

    private static bool Skip(ref string value, string prefix)
    {
        while (prefix.Length > 0)
        {
            if (prefix[0] == ' ')
            {
                if (value.Length > 0 && value[0] != ' ') return false;
                prefix = prefix.TrimStart(' ');
                value = value.TrimStart(' ');
                continue;
            }
            if (value.Length == 0 || value[0] != prefix[0]) return false;
            prefix = prefix.Substring(1);
            value = value.Substring(1);
        }
        return true;
    }

    private static int Atoi(string s) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v) ? v : throw new BadValue();

    private static int GetNum(ref string s, bool fixedWidth)
    {
        if (s.Length == 0 || !char.IsAsciiDigit(s[0])) throw new BadValue();
        if (s.Length < 2 || !char.IsAsciiDigit(s[1]))
        {
            if (fixedWidth) throw new BadValue();
            int one = s[0] - '0';
            s = s.Substring(1);
            return one;
        }
        int two = (s[0] - '0') * 10 + (s[1] - '0');
        s = s.Substring(2);
        return two;
    }

    private static int Lookup(IEnumerable<string> table, ref string value)
    {
        int i = 0;
        foreach (var name in table)
        {
            if (value.Length >= name.Length && string.Compare(value, 0, name, 0, name.Length, StringComparison.OrdinalIgnoreCase) == 0)
            {
                value = value.Substring(name.Length);
                return i;
            }
            i++;
        }
        throw new BadValue();
    }

    private static int Nanoseconds(string value, int nbytes, ref string range)
    {
        if (value[0] is not ('.' or ',')) throw new BadValue();
        if (nbytes > 10) { value = value.Substring(0, 10); nbytes = 10; }
        int ns = Atoi(value.Substring(1, nbytes - 1));
        if (ns < 0) { range = "fractional second"; return 0; }
        for (int i = 0; i < 10 - nbytes; i++) ns *= 10;
        return ns;
    }

    private static int ParseOffset(Std std, ref string value)
    {
        string sign, hh, mm = "00", ss = "00";
        int used;
        switch (std)
        {
            case Std.ISO8601ColonTZ or Std.NumColonTZ:
                if (value.Length < 6 || value[3] != ':') throw new BadValue();
                (sign, hh, mm, used) = (value[..1], value[1..3], value[4..6], 6);
                break;
            case Std.NumShortTZ or Std.ISO8601ShortTZ:
                if (value.Length < 3) throw new BadValue();
                (sign, hh, used) = (value[..1], value[1..3], 3);
                break;
            case Std.ISO8601ColonSecondsTZ or Std.NumColonSecondsTZ:
                if (value.Length < 9 || value[3] != ':' || value[6] != ':') throw new BadValue();
                (sign, hh, mm, ss, used) = (value[..1], value[1..3], value[4..6], value[7..9], 9);
                break;
            case Std.ISO8601SecondsTZ or Std.NumSecondsTz:
                if (value.Length < 7) throw new BadValue();
                (sign, hh, mm, ss, used) = (value[..1], value[1..3], value[3..5], value[5..7], 7);
                break;
            default:
                if (value.Length < 5) throw new BadValue();
                (sign, hh, mm, used) = (value[..1], value[1..3], value[3..5], 5);
                break;
        }
        int offset = (Atoi(hh) * 60 + Atoi(mm)) * 60 + Atoi(ss);
        value = value.Substring(used);
        return sign switch { "+" => offset, "-" => -offset, _ => throw new BadValue() };
    }

    /// <summary>The time package's quote: ASCII printable as is (with \" and \\), other bytes as \xNN.</summary>
    internal static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        Span<byte> buf = stackalloc byte[4];
        foreach (var r in s.EnumerateRunes())
        {
            if (r.Value >= 0x80 || r.Value < ' ')
            {
                int n = r.EncodeToUtf8(buf);
                for (int j = 0; j < n; j++) sb.Append(@"\x").Append(buf[j].ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                if (r.Value is '"' or '\\') sb.Append('\\');
                sb.Append((char)r.Value);
            }
        }
        return sb.Append('"').ToString();
    }
}

/// <summary>A Go *time.Location: UTC, a named zone (time.LoadLocation) or a fixed offset.</summary>
public sealed class GoZone
{
    private readonly TimeZoneInfo? _zone;
    private readonly int _fixedOffset;

    private GoZone(TimeZoneInfo? zone, int fixedOffset, string? abbreviation)
    {
        _zone = zone;
        _fixedOffset = fixedOffset;
        Abbreviation = abbreviation;
    }

    public static GoZone Utc { get; } = new(null, 0, "UTC");

    /// <summary>The zone abbreviation Go prints for MST ("UTC"); null where the zone database is not consulted.</summary>
    public string? Abbreviation { get; }

    public static GoZone Fixed(int offsetSeconds, string? name = null) => new(null, offsetSeconds, name is { Length: > 0 } ? name : null);

    /// <summary>A zone from the system's zone database (Go's time.LoadLocation: "UTC", "Local" or an IANA name).</summary>
    public static GoZone? Load(string name, GoZone local)
    {
        if (name is "" or "UTC") return Utc;
        if (name == "Local") return local;
        try { return FromTimeZone(TimeZoneInfo.FindSystemTimeZoneById(name)); }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException) { return null; }
    }

    public static GoZone FromTimeZone(TimeZoneInfo zone) =>
        zone.Id is "UTC" or "Etc/UTC" or "Etc/Universal" or "Universal" || (zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime)
            ? new GoZone(zone, 0, "UTC")
            : new GoZone(zone, 0, null);

    /// <summary>The offset from UTC in seconds in effect at a Unix second.</summary>
    public int OffsetAt(long unixSeconds)
    {
        if (_zone == null) return _fixedOffset;
        var utc = DateTime.UnixEpoch.AddSeconds(Math.Clamp(unixSeconds, -62135596800, 253402300799));
        return (int)_zone.GetUtcOffset(utc).TotalSeconds;
    }
}

/// <summary>Go's time.Duration: ParseDuration and String.</summary>
public static class GoDuration
{
    public const long Second = 1_000_000_000;

    private static readonly FrozenDictionary<string, ulong> Units = new Dictionary<string, ulong>(StringComparer.Ordinal)
    {
        ["ns"] = 1, ["us"] = 1_000, ["\u00b5s"] = 1_000, ["\u03bcs"] = 1_000, ["ms"] = 1_000_000,
        ["s"] = 1_000_000_000, ["m"] = 60_000_000_000, ["h"] = 3_600_000_000_000,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>time.ParseDuration: "[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+".</summary>
    public static long Parse(string s)
    {
        string orig = s;
        GoFunctionException Invalid() => new($"time: invalid duration {GoTime.Quote(orig)}");
        bool neg = false;
        if (s.Length > 0 && s[0] is '-' or '+') { neg = s[0] == '-'; s = s.Substring(1); }
        if (s == "0") return 0;
        if (s.Length == 0) throw Invalid();
        ulong d = 0;
        const ulong Limit = 1UL << 63;
        while (s.Length > 0)
        {
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0]))) throw Invalid();
            int i = 0;
            ulong v = 0;
            for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
            {
                if (v > (Limit - 1) / 10) throw Invalid();
                v = v * 10 + (ulong)(s[i] - '0');
                if (v > Limit) throw Invalid();
            }
            bool pre = i > 0;
            s = s.Substring(i);
            ulong f = 0;
            double scale = 1;
            bool post = false;
            if (s.Length > 0 && s[0] == '.')
            {
                s = s.Substring(1);
                int j = 0;
                bool overflow = false;
                for (; j < s.Length && char.IsAsciiDigit(s[j]); j++)
                {
                    if (overflow) continue;
                    if (f > (Limit - 1) / 10) { overflow = true; continue; }
                    ulong y = f * 10 + (ulong)(s[j] - '0');
                    if (y > Limit) { overflow = true; continue; }
                    f = y;
                    scale *= 10;
                }
                post = j > 0;
                s = s.Substring(j);
            }
            if (!pre && !post) throw Invalid();
            int u = 0;
            while (u < s.Length && !(s[u] == '.' || char.IsAsciiDigit(s[u]))) u++;
            if (u == 0) throw new GoFunctionException($"time: missing unit in duration {GoTime.Quote(orig)}");
            string unitName = s.Substring(0, u);
            s = s.Substring(u);
            if (!Units.TryGetValue(unitName, out ulong unit))
                throw new GoFunctionException($"time: unknown unit {GoTime.Quote(unitName)} in duration {GoTime.Quote(orig)}");
            if (v > Limit / unit) throw Invalid();
            v *= unit;
            if (f > 0)
            {
                v += (ulong)(f * (unit / scale));
                if (v > Limit) throw Invalid();
            }
            d += v;
            if (d > Limit) throw Invalid();
        }
        if (neg) return unchecked(-(long)d);
        if (d > Limit - 1) throw Invalid();
        return (long)d;
    }

    /// <summary>Duration.String: "72h3m0.5s", "1.5ms", "0s".</summary>
    public static string Format(long d)
    {
        if (d == 0) return "0s";
        bool neg = d < 0;
        ulong u = neg ? unchecked(0UL - (ulong)d) : (ulong)d;
        var sb = new StringBuilder();
        if (u < (ulong)Second)
        {
            (int prec, string unit) = u < 1_000 ? (0, "ns") : u < 1_000_000 ? (3, "\u00b5s") : (6, "ms");
            sb.Append(Integer(u, prec)).Append(Fraction(u, prec)).Append(unit);
        }
        else
        {
            string frac = Fraction(u, 9);
            u /= (ulong)Second;
            string secs = (u % 60).ToString(CultureInfo.InvariantCulture) + frac + "s";
            u /= 60;
            if (u > 0)
            {
                secs = (u % 60).ToString(CultureInfo.InvariantCulture) + "m" + secs;
                u /= 60;
                if (u > 0) secs = u.ToString(CultureInfo.InvariantCulture) + "h" + secs;
            }
            sb.Append(secs);
        }
        return (neg ? "-" : "") + sb;
    }

    private static string Integer(ulong v, int prec)
    {
        for (int i = 0; i < prec; i++) v /= 10;
        return v.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>fmtFrac: the low <paramref name="prec"/> digits as a fraction without trailing zeros ("" when zero).</summary>
    private static string Fraction(ulong v, int prec)
    {
        var digits = new char[prec];
        bool print = false;
        int end = prec;
        for (int i = prec - 1; i >= 0; i--)
        {
            ulong digit = v % 10;
            print = print || digit != 0;
            if (!print) end = i;
            digits[i] = (char)('0' + (int)digit);
            v /= 10;
        }
        return end == 0 ? "" : "." + new string(digits, 0, end);
    }
}
