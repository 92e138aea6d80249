using System.Buffers;
using System.Text;

namespace IstioPS.Rendering.GoTemplate;

/// <summary>Go strings are bytes, usually UTF-8; .NET strings are UTF-16. A byte that is not part of valid UTF-8 (from
/// b64dec of binary data, say) is carried as the lone surrogate U+DC80..U+DCFF, so len counts it as one byte and b64enc
/// gives the same bytes back, as Go does.</summary>
public static class GoBytes
{
    /// <summary>The bytes a Go string holds: UTF-8, with carried bytes restored (any other lone surrogate is U+FFFD).</summary>
    public static byte[] Encode(string s)
    {
        var bytes = new List<byte>(s.Length);
        Span<byte> buf = stackalloc byte[4];
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                int n = new Rune(c, s[i + 1]).EncodeToUtf8(buf);
                for (int k = 0; k < n; k++) bytes.Add(buf[k]);
                i++;
            }
            else if (c is >= '\uDC80' and <= '\uDCFF') bytes.Add((byte)(c - 0xDC00));
            else
            {
                int n = (char.IsSurrogate(c) ? Rune.ReplacementChar : new Rune(c)).EncodeToUtf8(buf);
                for (int k = 0; k < n; k++) bytes.Add(buf[k]);
            }
        }
        return bytes.ToArray();
    }

    /// <summary>A Go string of these bytes: valid UTF-8 decoded, every other byte carried.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out int consumed) == OperationStatus.Done)
            {
                sb.Append(rune.ToString());
                bytes = bytes.Slice(consumed);
            }
            else
            {
                sb.Append((char)(0xDC00 | bytes[0]));
                bytes = bytes.Slice(1);
            }
        }
        return sb.ToString();
    }

    /// <summary>len of a Go string: its byte count.</summary>
    public static int Length(string s)
    {
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { n += 4; i++; }
            else if (c is >= '\uDC80' and <= '\uDCFF') n += 1;
            else if (char.IsSurrogate(c)) n += 3;
            else n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
        }
        return n;
    }
}
