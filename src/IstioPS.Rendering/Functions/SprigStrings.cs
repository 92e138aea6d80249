using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's string, regular expression, encoding, path, URL and random functions (strings.go, regex.go,
/// crypto.go, url.go), with Go's byte-based slicing and its panics reported as Go's runtime errors.</summary>
public static partial class SprigFunctions
{
    private static void RegisterStrings(FunctionTable t)
    {
        t.Add("hello", (_, _) => "Hello!");
        t.Add("title", (_, a) => Title(Str(a, 0)));
        t.Add("untitle", (_, a) => Uncapitalize(Str(a, 0)));
        t.Add("swapcase", (_, a) => SwapCase(Str(a, 0)));
        t.Add("snakecase", (_, a) => WordCase.ToSnake(Str(a, 0)));
        t.Add("kebabcase", (_, a) => WordCase.ToKebab(Str(a, 0)));
        t.Add("camelcase", (_, a) => WordCase.ToPascal(Str(a, 0)));
        t.Add("trimAll", (_, a) => Str(a, 1).Trim(Str(a, 0).ToCharArray()));
        t.Add("trimall", (_, a) => Str(a, 1).Trim(Str(a, 0).ToCharArray()));
        t.Add("nospace", (_, a) => new string(Str(a, 0).Where(c => !char.IsWhiteSpace(c)).ToArray()));
        t.Add("repeat", (_, a) => string.Concat(Enumerable.Repeat(Str(a, 1), NonNegativeRepeat(Int(a, 0)))));
        t.Add("indent", (_, a) => Indent(Int(a, 0), Str(a, 1)));
        t.Add("nindent", (_, a) => "\n" + Indent(Int(a, 0), Str(a, 1)));
        t.Add("substr", (_, a) => Substring(Int(a, 0), Int(a, 1), Str(a, 2)));
        t.Add("abbrev", (_, a) => Int(a, 0) < 4 ? Str(a, 1) : Abbreviate(Str(a, 1), 0, Int(a, 0)));
        t.Add("abbrevboth", (_, a) =>
        {
            int left = Int(a, 0), right = Int(a, 1);
            string s = Str(a, 2);
            return right < 4 || (left > 0 && right < 7) ? s : Abbreviate(s, left, right);
        });
        t.Add("initials", (_, a) =>
        {
            var sb = new StringBuilder();
            bool gap = true;
            foreach (char c in Str(a, 0))
            {
                if (char.IsWhiteSpace(c)) gap = true;
                else if (gap) { sb.Append(c); gap = false; }
            }
            return sb.ToString();
        });
        t.Add("wrap", (_, a) => Wrap(Str(a, 1), Int(a, 0), "\n", false));
        t.Add("wrapWith", (_, a) => Wrap(Str(a, 2), Int(a, 0), Str(a, 1), true));
        t.Add("plural", (_, a) => Int(a, 2) == 1 ? Str(a, 0) : Str(a, 1));
        t.Add("sha1sum", (_, a) => Convert.ToHexString(SHA1.HashData(GoBytes.Encode(Str(a, 0)))).ToLowerInvariant());
        t.Add("sha256sum", (_, a) => Convert.ToHexString(SHA256.HashData(GoBytes.Encode(Str(a, 0)))).ToLowerInvariant());
        t.Add("sha512sum", (_, a) => Convert.ToHexString(SHA512.HashData(GoBytes.Encode(Str(a, 0)))).ToLowerInvariant());
        t.Add("adler32sum", (_, a) => Adler32(GoBytes.Encode(Str(a, 0))).ToString(CultureInfo.InvariantCulture));
        t.Add("b64enc", (_, a) => Convert.ToBase64String(GoBytes.Encode(Str(a, 0))));
        t.Add("b64dec", (_, a) => Base64Decode(Str(a, 0)));
        t.Add("b32enc", (_, a) => Base32Encode(GoBytes.Encode(Str(a, 0))));
        t.Add("b32dec", (_, a) => Base32Decode(Str(a, 0)));
        t.Add("split", (_, a) => Parts(GoSplit(Str(a, 1), Str(a, 0), -1)));
        t.Add("splitn", (_, a) => Parts(GoSplit(Str(a, 2), Str(a, 0), Int(a, 1))));
        t.Add("splitList", (_, a) => GoSplit(Str(a, 1), Str(a, 0), -1).Select(x => (object?)x).ToList());

        // Regular expressions: Go's regexp (RE2). regexMatch swallows a bad pattern (false); the others panic.
        t.Add("regexMatch", (ctx, a) =>
        {
            try { return GoRegexp.Compile(ctx, Str(a, 0)).IsMatch(Str(a, 1)); }
            catch (GoFunctionException) { return false; }
        });
        t.Add("mustRegexMatch", (ctx, a) => GoRegexp.Compile(ctx, Str(a, 0)).IsMatch(Str(a, 1)));
        AddRegex(t, "regexFindAll", (re, a) => GoRegexp.AllMatches(re, Str(a, 1), Int(a, 2)).Select(m => (object?)m.Value).ToList());
        AddRegex(t, "regexFind", (re, a) => { var m = re.Match(Str(a, 1)); return m.Success ? m.Value : ""; });
        AddRegex(t, "regexReplaceAll", (re, a) => GoRegexp.ReplaceAll(re, Str(a, 1), Str(a, 2)));
        AddRegex(t, "regexReplaceAllLiteral", (re, a) => GoRegexp.ReplaceAll(re, Str(a, 1), Str(a, 2), literal: true));
        AddRegex(t, "regexSplit", (re, a) => GoRegexp.Split(re, Str(a, 1), Int(a, 2)));
        t.Add("regexQuoteMeta", (_, a) =>
        {
            var sb = new StringBuilder();
            foreach (char c in Str(a, 0))
            {
                if (@"\.+*?()|[]{}^$".IndexOf(c) >= 0) sb.Append('\\');
                sb.Append(c);
            }
            return sb.ToString();
        });

        // URLs (Go's net/url): a URL that does not parse panics, as does a dict value that is not a string.
        t.Add("urlParse", (_, a) =>
        {
            GoUrl u;
            try { u = GoUrl.Parse(Str(a, 0)); }
            catch (FormatException e) { throw new GoFunctionException($"unable to parse url: {e.Message}"); }
            var d = GoValues.NewMap();
            d["scheme"] = u.Scheme; d["host"] = u.Host; d["hostname"] = u.Hostname(); d["path"] = u.Path; d["query"] = u.RawQuery;
            d["opaque"] = u.Opaque; d["fragment"] = u.Fragment; d["userinfo"] = u.UserString();
            return d;
        });
        t.Add("urlJoin", (_, a) =>
        {
            var d = Map(a, 0) ?? GoValues.NewMap();
            string Get(string key) => !d.TryGetValue(key, out var v) ? "" : v switch
            {
                string s => s,
                null or GoMissing => throw new GoFunctionException("runtime error: invalid memory address or nil pointer dereference"),
                _ => throw new GoFunctionException($"unable to parse {key} key, must be of type string, but {GoKind(v)} found"),
            };
            var u = new GoUrl { Scheme = Get("scheme"), Host = Get("host"), Path = Get("path"), RawQuery = Get("query"), Opaque = Get("opaque"), Fragment = Get("fragment") };
            string userinfo = Get("userinfo");
            if (userinfo.Length > 0)
            {
                GoUrl parsed;
                try { parsed = GoUrl.Parse($"proto://{userinfo}@host"); }
                catch (FormatException e) { throw new GoFunctionException($"unable to parse userinfo in dict: {e.Message}"); }
                (u.Username, u.Password) = (parsed.Username, parsed.Password);
            }
            return u.ToString();
        });
        t.Add("bcrypt", (_, a) => BcryptOrMessage(Str(a, 0)));
        t.Add("htpasswd", (_, a) => Str(a, 0).Contains(':') ? $"invalid username: {Str(a, 0)}" : $"{Str(a, 0)}:{BcryptOrMessage(Str(a, 1))}");
        t.Add("derivePassword", (_, a) => MasterPassword.Derive((uint)ToInt64(a[0]), Str(a, 1), Str(a, 2), Str(a, 3), Str(a, 4)));

        // Paths (Go's path package; the os* ones are the same on Linux).
        foreach (var prefix in new[] { "", "os" })
        {
            string N(string n) => prefix.Length == 0 ? n : prefix + char.ToUpperInvariant(n[0]) + n.Substring(1);
            t.Add(N("base"), (_, a) => PathBase(Str(a, 0)));
            t.Add(N("dir"), (_, a) => PathDir(Str(a, 0)));
            t.Add(N("ext"), (_, a) => PathExt(Str(a, 0)));
            t.Add(N("clean"), (_, a) => PathClean(Str(a, 0)));
            t.Add(N("isAbs"), (_, a) => Str(a, 0).StartsWith('/'));
        }

        // Random values (crypto-strength as in Sprig; tests check shapes only).
        t.Add("randAlphaNum", (_, a) => RandomString(Int(a, 0), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
        t.Add("randAlpha", (_, a) => RandomString(Int(a, 0), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"));
        t.Add("randNumeric", (_, a) => RandomString(Int(a, 0), "0123456789"));
        t.Add("randAscii", (_, a) => RandomString(Int(a, 0), string.Concat(Enumerable.Range(32, 95).Select(i => (char)i))));
        t.Add("randBytes", (_, a) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(Int(a, 0))));
        t.Add("randInt", (_, a) =>
        {
            long min = ToInt64(a[0]), max = ToInt64(a[1]);
            if (max <= min) throw new GoFunctionException("invalid argument to Intn");
            return min + RandomNumberGenerator.GetInt32((int)Math.Min(int.MaxValue, max - min));
        });
        t.Add("shuffle", (_, a) =>
        {
            var runes = Str(a, 0).EnumerateRunes().ToArray();
            RandomNumberGenerator.Shuffle(runes.AsSpan());
            return string.Concat(runes.Select(r => r.ToString()));
        });
        t.Add("uuidv4", (_, _) => Guid.NewGuid().ToString());
        t.Add("encryptAES", (_, a) => EncryptAes(Str(a, 0), Str(a, 1)));
        t.Add("decryptAES", (_, a) => DecryptAes(Str(a, 0), Str(a, 1)));
        t.Add("genPrivateKey", (_, a) => Str(a, 0) switch
        {
            "" or "rsa" => RSA.Create(4096).ExportRSAPrivateKeyPem() + "\n",
            "ecdsa" => ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem() + "\n",
            "ed25519" => PemEncoding.WriteString("PRIVATE KEY", Ed25519Pkcs8(RandomNumberGenerator.GetBytes(32))) + "\n",
            "dsa" => PemEncoding.WriteString("DSA PRIVATE KEY", DsaPrivateKey(DSA.Create(2048).ExportParameters(true))) + "\n",
            _ => "Unknown type " + Str(a, 0),
        });
    }

    /// <summary>An Ed25519 private key (its 32-byte seed) as PKCS #8, as x509.MarshalPKCS8PrivateKey writes it.</summary>
    private static byte[] Ed25519Pkcs8(byte[] seed)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(0);
            using (w.PushSequence()) w.WriteObjectIdentifier("1.3.101.112");
            var inner = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
            inner.WriteOctetString(seed);
            w.WriteOctetString(inner.Encode());
        }
        return w.Encode();
    }

    /// <summary>Sprig's DSAKeyFormat: SEQUENCE { version 0, P, Q, G, Y, X }.</summary>
    private static byte[] DsaPrivateKey(DSAParameters k)
    {
        var w = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (w.PushSequence())
        {
            w.WriteInteger(0);
            foreach (var part in new[] { k.P!, k.Q!, k.G!, k.Y!, k.X! })
                w.WriteInteger(new System.Numerics.BigInteger(part, isUnsigned: true, isBigEndian: true));
        }
        return w.Encode();
    }

    /// <summary>Sprig's bcrypt: Go's default cost; a failure comes back as text, not as an error.</summary>
    private static string BcryptOrMessage(string password)
    {
        try { return Bcrypt.Hash(password); }
        catch (ArgumentException e) { return $"failed to encrypt string with bcrypt: {e.Message}"; }
    }

    private static void AddRegex(FunctionTable t, string name, Func<System.Text.RegularExpressions.Regex, object?[], object?> body)
    {
        // The plain function compiles with MustCompile, whose panic names the pattern; the must one returns the error.
        t.Add(name, (ctx, a) =>
        {
            System.Text.RegularExpressions.Regex re;
            try { re = GoRegexp.Compile(ctx, Str(a, 0)); }
            catch (GoFunctionException e)
            {
                string p = Str(a, 0);
                string quoted = p.Contains('`') || p.Any(char.IsControl) ? GoFormat.Quote(p) : "`" + p + "`";
                throw new GoFunctionException($"regexp: Compile({quoted}): {e.Message}");
            }
            return body(re, a);
        });
        t.Add("must" + char.ToUpperInvariant(name[0]) + name.Substring(1), (ctx, a) => body(GoRegexp.Compile(ctx, Str(a, 0)), a));
    }

    private static int NonNegativeRepeat(int count) =>
        count >= 0 ? count : throw new GoFunctionException("strings: negative Repeat count");

    private static string Indent(int spaces, string v)
    {
        string pad = new(' ', NonNegativeRepeat(spaces));
        return pad + v.Replace("\n", "\n" + pad, StringComparison.Ordinal);
    }

    /// <summary>Sprig's substr: Go slicing of the string's bytes, panicking as Go does when out of range.</summary>
    private static string Substring(int start, int end, string s)
    {
        var b = GoBytes.Encode(s);
        if (start < 0)
        {
            if (end < 0 || end > b.Length) throw new GoFunctionException($"runtime error: slice bounds out of range [:{end}] with length {b.Length}");
            return GoBytes.Decode(b.AsSpan(0, end));
        }
        if (end < 0 || end > b.Length)
        {
            if (start > b.Length) throw new GoFunctionException($"runtime error: slice bounds out of range [{start}:{b.Length}]");
            return GoBytes.Decode(b.AsSpan(start));
        }
        if (start > end) throw new GoFunctionException($"runtime error: slice bounds out of range [{start}:{end}]");
        return GoBytes.Decode(b.AsSpan(start, end - start));
    }

    /// <summary>Go's strings.Title: the first letter of each word in title case; words split at anything but
    /// letters, digits and underscore (Unicode letters and digits join words, Unicode spaces split them).</summary>
    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        int prev = ' ';
        foreach (var r in s.EnumerateRunes())
        {
            bool sep = prev <= 0x7F
                ? !(char.IsAsciiLetterOrDigit((char)prev) || prev == '_')
                : !(Rune.IsLetter(new Rune(prev)) || Rune.IsDigit(new Rune(prev))) && Rune.IsWhiteSpace(new Rune(prev));
            sb.Append((sep ? Rune.ToUpperInvariant(r) : r).ToString());
            prev = r.Value;
        }
        return sb.ToString();
    }

    private static string Uncapitalize(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool next = true;
        foreach (var r in s.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(r)) { next = true; sb.Append(r.ToString()); }
            else if (next) { sb.Append(Rune.ToLowerInvariant(r).ToString()); next = false; }
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    /// <summary>goutils.SwapCase: upper and title to lower; lower to title after a space (or first), else to upper.</summary>
    private static string SwapCase(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (var r in s.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            if (cat is UnicodeCategory.UppercaseLetter or UnicodeCategory.TitlecaseLetter) sb.Append(Rune.ToLowerInvariant(r).ToString());
            else if (cat == UnicodeCategory.LowercaseLetter) sb.Append(Rune.ToUpperInvariant(r).ToString());
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }

    /// <summary>goutils.AbbreviateFull (byte offsets, as Go's).</summary>
    private static string Abbreviate(string str, int offset, int maxWidth)
    {
        if (str.Length == 0) return "";
        if (str.Length <= maxWidth) return str;
        if (offset > str.Length) offset = str.Length;
        if (str.Length - offset < maxWidth - 3) offset = str.Length - (maxWidth - 3);
        if (offset <= 4) return str.Substring(0, maxWidth - 3) + "...";
        if (maxWidth < 7) return "";
        if (offset + maxWidth - 3 < str.Length) return "..." + Abbreviate(str.Substring(offset), 0, maxWidth - 3);
        return "..." + str.Substring(str.Length - (maxWidth - 3));
    }

    /// <summary>goutils.WrapCustom.</summary>
    private static string Wrap(string str, int width, string newline, bool wrapLongWords)
    {
        if (str.Length == 0) return "";
        if (width < 1) width = 1;
        var sb = new StringBuilder();
        int offset = 0;
        while (str.Length - offset > width)
        {
            if (str[offset] == ' ') { offset++; continue; }
            int end = Math.Min(width + offset + 1, str.Length);
            int at = str.LastIndexOf(' ', end - 1, end - offset);
            if (at >= offset)
            {
                sb.Append(str, offset, at - offset).Append(newline);
                offset = at + 1;
            }
            else if (wrapLongWords)
            {
                sb.Append(str, offset, width).Append(newline);
                offset += width;
            }
            else
            {
                int index = str.IndexOf(' ', width + offset);
                if (index < 0) { sb.Append(str, offset, str.Length - offset); offset = str.Length; }
                else { sb.Append(str, offset, index - offset).Append(newline); offset = index + 1; }
            }
        }
        sb.Append(str, offset, str.Length - offset);
        return sb.ToString();
    }

    /// <summary>strings.Replace with an empty old string: the new one before every character and at the end.</summary>
    private static string GoReplaceEmpty(string s, string nw)
    {
        var sb = new StringBuilder();
        sb.Append(nw);
        foreach (var r in s.EnumerateRunes()) sb.Append(r.ToString()).Append(nw);
        return sb.ToString();
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data) { a = (a + x) % 65521; b = (b + a) % 65521; }
        return (b << 16) | a;
    }

    /// <summary>base64.StdEncoding.DecodeString; on bad input Go's error text is the result.</summary>
    private static string Base64Decode(string s)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < s.Length; i++)
        {
            if (alphabet.IndexOf(s[i]) >= 0) continue;
            if (s[i] == '=' && i >= s.Length - 2 && s.Length % 4 == 0 && i % 4 >= 2 && s.Substring(i).All(c => c == '=')) break;
            if (s[i] is '\r' or '\n') continue;
            return $"illegal base64 data at input byte {i}";
        }
        if (s.Replace("\r", "").Replace("\n", "").Length % 4 != 0) return $"illegal base64 data at input byte {s.Length - s.Length % 4}";
        return GoBytes.Decode(Convert.FromBase64String(s));
    }

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private static string Base32Encode(byte[] data)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < data.Length; i += 5)
        {
            int n = Math.Min(5, data.Length - i);
            ulong buf = 0;
            for (int j = 0; j < 5; j++) buf = (buf << 8) | (j < n ? data[i + j] : (byte)0);
            int chars = (n * 8 + 4) / 5;
            for (int j = 0; j < 8; j++) sb.Append(j < chars ? Base32Alphabet[(int)((buf >> (35 - j * 5)) & 31)] : '=');
        }
        return sb.ToString();
    }

    private static string Base32Decode(string s)
    {
        if (s.Length % 8 != 0) return $"illegal base32 data at input byte {s.Length - s.Length % 8}";
        var bytes = new List<byte>();
        for (int i = 0; i < s.Length; i += 8)
        {
            ulong buf = 0;
            int valid = 8;
            for (int j = 0; j < 8; j++)
            {
                char c = s[i + j];
                int v = Base32Alphabet.IndexOf(c);
                if (c == '=' && j >= 2) { valid = Math.Min(valid, j); v = 0; }
                else if (v < 0 || valid < 8) return $"illegal base32 data at input byte {i + j}";
                buf = (buf << 5) | (uint)v;
            }
            int n = valid switch { 8 => 5, 7 => 4, 5 => 3, 4 => 2, 2 => 1, _ => -1 };
            if (n < 0) return $"illegal base32 data at input byte {i + valid}";
            for (int j = 0; j < n; j++) bytes.Add((byte)(buf >> (32 - j * 8)));
        }
        return GoBytes.Decode(bytes.ToArray());
    }

    /// <summary>strings.SplitN (n &lt; 0: all; 0: none); an empty separator splits into characters.</summary>
    private static List<string> GoSplit(string s, string sep, int n)
    {
        if (n == 0) return new List<string>();
        var parts = sep.Length == 0 ? s.EnumerateRunes().Select(r => r.ToString()).ToList() : s.Split(sep).ToList();
        if (n > 0 && parts.Count > n)
        {
            if (sep.Length == 0) parts = parts.Take(n - 1).Append(string.Concat(parts.Skip(n - 1))).ToList();
            else parts = parts.Take(n - 1).Append(string.Join(sep, parts.Skip(n - 1))).ToList();
        }
        return parts;
    }

    private static Dictionary<string, object?> Parts(List<string> parts)
    {
        var res = new GoTypedMap("map[string]string");
        for (int i = 0; i < parts.Count; i++) res["_" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
        return res;
    }

    /// <summary>Go's path.Clean.</summary>
    private static string PathClean(string p)
    {
        if (p.Length == 0) return ".";
        bool rooted = p[0] == '/';
        var stack = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..")
            {
                if (stack.Count > 0 && stack[^1] != "..") stack.RemoveAt(stack.Count - 1);
                else if (!rooted) stack.Add("..");
                continue;
            }
            stack.Add(part);
        }
        string joined = string.Join("/", stack);
        if (rooted) return "/" + joined;
        return joined.Length == 0 ? "." : joined;
    }

    private static string PathBase(string p)
    {
        if (p.Length == 0) return ".";
        p = p.TrimEnd('/');
        if (p.Length == 0) return "/";
        return p.Substring(p.LastIndexOf('/') + 1);
    }

    private static string PathDir(string p) => PathClean(p.Substring(0, p.LastIndexOf('/') + 1));

    private static string PathExt(string p)
    {
        for (int i = p.Length - 1; i >= 0 && p[i] != '/'; i--) if (p[i] == '.') return p.Substring(i);
        return "";
    }

    private static string RandomString(int count, string alphabet)
    {
        var sb = new StringBuilder(Math.Max(0, count));
        for (int i = 0; i < count; i++) sb.Append(alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        return sb.ToString();
    }

    /// <summary>Sprig's encryptAES: AES-256-CBC, the key the password's bytes padded with zeros to 32, PKCS#7 padding,
    /// a random IV before the ciphertext, base64.</summary>
    private static string EncryptAes(string password, string plaintext)
    {
        if (plaintext.Length == 0) return "";
        using var aes = Aes.Create();
        aes.Key = AesKey(password);
        var iv = RandomNumberGenerator.GetBytes(16);
        var cipher = aes.EncryptCbc(GoBytes.Encode(plaintext), iv, PaddingMode.PKCS7);
        return Convert.ToBase64String(iv.Concat(cipher).ToArray());
    }

    private static string DecryptAes(string password, string crypt)
    {
        if (crypt.Length == 0) return "";
        byte[] data;
        try { data = Convert.FromBase64String(crypt); }
        catch (FormatException) { throw new GoFunctionException("illegal base64 data at input byte 0"); }
        if (data.Length < 16) throw new GoFunctionException("ciphertext too short");
        using var aes = Aes.Create();
        aes.Key = AesKey(password);
        try { return GoBytes.Decode(aes.DecryptCbc(data.AsSpan(16), data.AsSpan(0, 16), PaddingMode.PKCS7)); }
        catch (CryptographicException) { throw new GoFunctionException("invalid padding"); }
    }

    private static byte[] AesKey(string password)
    {
        var key = new byte[32];
        var p = GoBytes.Encode(password);
        Array.Copy(p, key, Math.Min(32, p.Length));
        return key;
    }
}
