using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Go's net/url URL as Sprig's urlParse and urlJoin use it: Parse (with its errors) and String.</summary>
internal sealed class GoUrl
{
    private enum Encoding { Path, PathSegment, Host, Zone, UserPassword, QueryComponent, Fragment }

    public string Scheme { get; set; } = "";
    public string Opaque { get; set; } = "";
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string Host { get; set; } = "";
    public string Path { get; set; } = "";
    private string RawPath { get; set; } = "";
    private bool OmitHost { get; set; }
    private bool ForceQuery { get; set; }
    public string RawQuery { get; set; } = "";
    public string Fragment { get; set; } = "";
    private string RawFragment { get; set; } = "";

    /// <summary>url.Parse; a failure reads as Go's *url.Error ("parse \"x\": reason").</summary>
    public static GoUrl Parse(string rawUrl)
    {
        int hash = rawUrl.IndexOf('#');
        string u = hash < 0 ? rawUrl : rawUrl.Substring(0, hash);
        GoUrl url;
        try { url = ParseWithoutFragment(u); }
        catch (FormatException e) { throw new FormatException($"parse {GoFormat.Quote(u)}: {e.Message}"); }
        if (hash < 0 || hash == rawUrl.Length - 1) return url;
        string frag = rawUrl.Substring(hash + 1);
        try
        {
            url.Fragment = Unescape(frag, Encoding.Fragment);
            url.RawFragment = Escape(url.Fragment, Encoding.Fragment) == frag ? "" : frag;
        }
        catch (FormatException e) { throw new FormatException($"parse {GoFormat.Quote(rawUrl)}: {e.Message}"); }
        return url;
    }

    private static GoUrl ParseWithoutFragment(string rawUrl)
    {
        if (rawUrl.Any(c => c < ' ' || c == 0x7f)) throw new FormatException("net/url: invalid control character in URL");
        var url = new GoUrl();
        if (rawUrl == "*") { url.Path = "*"; return url; }
        (url.Scheme, string rest) = GetScheme(rawUrl);
        url.Scheme = url.Scheme.ToLowerInvariant();
        if (rest.EndsWith('?') && rest.Count(c => c == '?') == 1)
        {
            url.ForceQuery = true;
            rest = rest.Substring(0, rest.Length - 1);
        }
        else
        {
            int q = rest.IndexOf('?');
            if (q >= 0) { url.RawQuery = rest.Substring(q + 1); rest = rest.Substring(0, q); }
        }
        if (!rest.StartsWith('/'))
        {
            if (url.Scheme.Length > 0)
            {
                // A rootless path after a scheme is opaque.
                url.Opaque = rest;
                return url;
            }
            int slash = rest.IndexOf('/');
            if ((slash < 0 ? rest : rest.Substring(0, slash)).Contains(':'))
                throw new FormatException("first path segment in URL cannot contain colon");
        }
        if ((url.Scheme.Length > 0 || !rest.StartsWith("///", StringComparison.Ordinal)) && rest.StartsWith("//", StringComparison.Ordinal))
        {
            string authority = rest.Substring(2);
            rest = "";
            int slash = authority.IndexOf('/');
            if (slash >= 0) { rest = authority.Substring(slash); authority = authority.Substring(0, slash); }
            url.ParseAuthority(authority);
        }
        else if (url.Scheme.Length > 0 && rest.StartsWith('/')) url.OmitHost = true;
        url.Path = Unescape(rest, Encoding.Path);
        url.RawPath = Escape(url.Path, Encoding.Path) == rest ? "" : rest;
        return url;
    }

    private static (string Scheme, string Remainder) GetScheme(string rawUrl)
    {
        for (int i = 0; i < rawUrl.Length; i++)
        {
            char c = rawUrl[i];
            if (char.IsAsciiLetter(c)) continue;
            if (char.IsAsciiDigit(c) || c is '+' or '-' or '.')
            {
                if (i == 0) return ("", rawUrl);
                continue;
            }
            if (c == ':')
            {
                if (i == 0) throw new FormatException("missing protocol scheme");
                return (rawUrl.Substring(0, i), rawUrl.Substring(i + 1));
            }
            return ("", rawUrl);
        }
        return ("", rawUrl);
    }

    private void ParseAuthority(string authority)
    {
        int at = authority.LastIndexOf('@');
        Host = ParseHost(at < 0 ? authority : authority.Substring(at + 1));
        if (at < 0) return;
        string userinfo = authority.Substring(0, at);
        if (!userinfo.All(c => char.IsAsciiLetterOrDigit(c) || "-._:~!$&'()*+,;=%@".Contains(c)))
            throw new FormatException("net/url: invalid userinfo");
        int colon = userinfo.IndexOf(':');
        if (colon < 0) Username = Unescape(userinfo, Encoding.UserPassword);
        else
        {
            Username = Unescape(userinfo.Substring(0, colon), Encoding.UserPassword);
            Password = Unescape(userinfo.Substring(colon + 1), Encoding.UserPassword);
        }
    }

    private static string ParseHost(string host)
    {
        if (host.StartsWith('['))
        {
            int close = host.LastIndexOf(']');
            if (close < 0) throw new FormatException("missing ']' in host");
            string colonPort = host.Substring(close + 1);
            if (!ValidOptionalPort(colonPort)) throw new FormatException($"invalid port {GoFormat.Quote(colonPort)} after host");
            int zone = host.IndexOf("%25", 0, close, StringComparison.Ordinal);
            if (zone >= 0)
                return Unescape(host.Substring(0, zone), Encoding.Host) + Unescape(host.Substring(zone, close - zone), Encoding.Zone)
                    + Unescape(host.Substring(close), Encoding.Host);
        }
        else if (host.LastIndexOf(':') is var colon and >= 0)
        {
            string colonPort = host.Substring(colon);
            if (!ValidOptionalPort(colonPort)) throw new FormatException($"invalid port {GoFormat.Quote(colonPort)} after host");
        }
        return Unescape(host, Encoding.Host);
    }

    private static bool ValidOptionalPort(string port) => port.Length == 0 || (port[0] == ':' && port.Skip(1).All(char.IsAsciiDigit));

    /// <summary>URL.Hostname: the host without its port and IPv6 brackets.</summary>
    public string Hostname()
    {
        string host = Host;
        int colon = host.LastIndexOf(':');
        if (colon >= 0 && ValidOptionalPort(host.Substring(colon))) host = host.Substring(0, colon);
        if (host.StartsWith('[') && host.EndsWith(']')) host = host.Substring(1, host.Length - 2);
        return host;
    }

    /// <summary>Userinfo.String: the escaped "user[:password]".</summary>
    public string UserString() =>
        Username == null ? "" : Escape(Username, Encoding.UserPassword) + (Password != null ? ":" + Escape(Password, Encoding.UserPassword) : "");

    /// <summary>URL.String: scheme:opaque?query#fragment or scheme://userinfo@host/path?query#fragment.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Scheme.Length > 0) sb.Append(Scheme).Append(':');
        if (Opaque.Length > 0) sb.Append(Opaque);
        else
        {
            if (Scheme.Length > 0 || Host.Length > 0 || Username != null)
            {
                if (!(OmitHost && Host.Length == 0 && Username == null))
                {
                    if (Host.Length > 0 || Path.Length > 0 || Username != null) sb.Append("//");
                    if (Username != null) sb.Append(UserString()).Append('@');
                    if (Host.Length > 0) sb.Append(Escape(Host, Encoding.Host));
                }
            }
            string path = EscapedPath();
            if (path.Length > 0 && path[0] != '/' && Host.Length > 0) sb.Append('/');
            if (sb.Length == 0)
            {
                // A first segment with a colon would read as a scheme.
                int slash = path.IndexOf('/');
                if ((slash < 0 ? path : path.Substring(0, slash)).Contains(':')) sb.Append("./");
            }
            sb.Append(path);
        }
        if (ForceQuery || RawQuery.Length > 0) sb.Append('?').Append(RawQuery);
        if (Fragment.Length > 0) sb.Append('#').Append(EscapedFragment());
        return sb.ToString();
    }

    private string EscapedPath()
    {
        if (RawPath.Length > 0 && ValidEncoded(RawPath, Encoding.Path) && TryUnescape(RawPath, Encoding.Path) == Path) return RawPath;
        return Path == "*" ? "*" : Escape(Path, Encoding.Path);
    }

    private string EscapedFragment()
    {
        if (RawFragment.Length > 0 && ValidEncoded(RawFragment, Encoding.Fragment) && TryUnescape(RawFragment, Encoding.Fragment) == Fragment) return RawFragment;
        return Escape(Fragment, Encoding.Fragment);
    }

    private static string? TryUnescape(string s, Encoding mode)
    {
        try { return Unescape(s, mode); }
        catch (FormatException) { return null; }
    }

    private static bool ValidEncoded(string s, Encoding mode)
    {
        foreach (byte b in System.Text.Encoding.UTF8.GetBytes(s))
        {
            if ("!$&'()*+,;=:@[]%".Contains((char)b)) continue;
            if (ShouldEscape(b, mode)) return false;
        }
        return true;
    }

    /// <summary>net/url's shouldEscape (RFC 3986 with Go's exceptions per URL part).</summary>
    private static bool ShouldEscape(byte c, Encoding mode)
    {
        if (c is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9') return false;
        if (mode is Encoding.Host or Encoding.Zone && "!$&'()*+,;=:[]<>\"".Contains((char)c)) return false;
        switch ((char)c)
        {
            case '-' or '_' or '.' or '~':
                return false;
            case '$' or '&' or '+' or ',' or '/' or ':' or ';' or '=' or '?' or '@':
                return mode switch
                {
                    Encoding.Path => c == '?',
                    Encoding.PathSegment => c is (byte)'/' or (byte)';' or (byte)',' or (byte)'?',
                    Encoding.UserPassword => c is (byte)'@' or (byte)'/' or (byte)'?' or (byte)':',
                    Encoding.QueryComponent => true,
                    Encoding.Fragment => false,
                    _ => true,
                };
        }
        if (mode == Encoding.Fragment && c is (byte)'!' or (byte)'(' or (byte)')' or (byte)'*') return false;
        return true;
    }

    private static string Escape(string s, Encoding mode)
    {
        const string UpperHex = "0123456789ABCDEF";
        var sb = new StringBuilder(s.Length + 8);
        var bytes = System.Text.Encoding.UTF8.GetBytes(s);
        bool changed = false;
        foreach (byte b in bytes)
        {
            if (b == ' ' && mode == Encoding.QueryComponent) { sb.Append('+'); changed = true; }
            else if (ShouldEscape(b, mode)) { sb.Append('%').Append(UpperHex[b >> 4]).Append(UpperHex[b & 15]); changed = true; }
            else sb.Append((char)b);
        }
        return changed ? sb.ToString() : s;
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Unhex(char c) => c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);

    /// <summary>net/url's unescape: %XX sequences decoded (checked per URL part), '+' as a space in a query component.</summary>
    private static string Unescape(string s, Encoding mode)
    {
        string Quote(string e) => GoFormat.Quote(e);
        for (int i = 0; i < s.Length;)
        {
            char c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                {
                    string bad = s.Substring(i);
                    throw new FormatException("invalid URL escape " + Quote(bad.Length > 3 ? bad.Substring(0, 3) : bad));
                }
                string seq = s.Substring(i, 3);
                if (mode == Encoding.Host && Unhex(s[i + 1]) < 8 && seq != "%25") throw new FormatException("invalid URL escape " + Quote(seq));
                if (mode == Encoding.Zone)
                {
                    byte v = (byte)(Unhex(s[i + 1]) << 4 | Unhex(s[i + 2]));
                    if (seq != "%25" && v != ' ' && ShouldEscape(v, Encoding.Host)) throw new FormatException("invalid URL escape " + Quote(seq));
                }
                i += 3;
            }
            else
            {
                if (mode is Encoding.Host or Encoding.Zone && c < 0x80 && ShouldEscape((byte)c, mode))
                    throw new FormatException($"invalid character {Quote(c.ToString())} in host name");
                i++;
            }
        }
        if (!s.Contains('%') && !(mode == Encoding.QueryComponent && s.Contains('+'))) return s;
        var bytes = new List<byte>(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '%') { bytes.Add((byte)(Unhex(s[i + 1]) << 4 | Unhex(s[i + 2]))); i += 2; }
            else if (c == '+' && mode == Encoding.QueryComponent) bytes.Add((byte)' ');
            else if (c < 0x80) bytes.Add((byte)c);
            else if (char.IsHighSurrogate(c) && i + 1 < s.Length) { bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(s.Substring(i, 2))); i++; }
            else bytes.AddRange(System.Text.Encoding.UTF8.GetBytes(c.ToString()));
        }
        return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
    }
}
