using System.Collections.Immutable;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace IstioPS.Rendering.Functions;

/// <summary>bcrypt as golang.org/x/crypto/bcrypt writes it ("$2a$" cost "$" 22 characters of salt and 31 of hash), over
/// Blowfish whose initial tables are the hexadecimal digits of pi (computed here, not stored).</summary>
internal static class Bcrypt
{
    public const int DefaultCost = 10;
    private const int MaxPasswordLength = 72;
    private const string Alphabet = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>Blowfish's initial P-array (18 words) then its four S-boxes (4 x 256 words): pi's fractional hex digits.</summary>
    private static readonly ImmutableArray<uint> PiWords = ImmutableArray.Create(ComputePiWords(18 + 4 * 256));

    /// <summary>GenerateFromPassword with a fresh random salt; a password over 72 bytes is refused as Go refuses it.</summary>
    public static string Hash(string password, int cost = DefaultCost)
    {
        byte[] key = Encoding.UTF8.GetBytes(password);
        if (key.Length > MaxPasswordLength) throw new ArgumentException("bcrypt: password length exceeds 72 bytes");
        return Hash(key, cost, RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>The hash of <paramref name="password"/> with a given cost and 16-byte salt.</summary>
    public static string Hash(byte[] password, int cost, byte[] salt)
    {
        var (p, s) = ExpensiveSetup(password, cost, salt);
        byte[] data = Encoding.ASCII.GetBytes("OrpheanBeholderScryDoubt");
        for (int i = 0; i < 24; i += 8)
        {
            uint l = ReadBig(data, i), r = ReadBig(data, i + 4);
            for (int j = 0; j < 64; j++) (l, r) = Encrypt(p, s, l, r);
            WriteBig(data, i, l);
            WriteBig(data, i + 4, r);
        }
        // As C implementations do, only 23 of the 24 bytes are encoded.
        return $"$2a${cost:D2}${Base64(salt)}{Base64(data.AsSpan(0, 23).ToArray())}";
    }

    /// <summary>Whether <paramref name="hash"/> (a "$2a$"/"$2b$"/"$2y$" string) is the bcrypt hash of <paramref name="password"/>.</summary>
    public static bool Verify(string hash, string password)
    {
        if (hash.Length != 60 || hash[0] != '$' || hash[3] != '$' || hash[6] != '$') return false;
        int cost = int.Parse(hash.AsSpan(4, 2), System.Globalization.CultureInfo.InvariantCulture);
        byte[] salt = Base64Decode(hash.Substring(7, 22), 16);
        string again = Hash(Encoding.UTF8.GetBytes(password), cost, salt);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(again.Substring(7)), Encoding.ASCII.GetBytes(hash.Substring(7)));
    }

    private static (uint[] P, uint[] S) ExpensiveSetup(byte[] password, int cost, byte[] salt)
    {
        // C implementations expand the key with its terminating NUL; Go keeps that for compatibility.
        byte[] key = new byte[password.Length + 1];
        password.CopyTo(key, 0);
        var p = PiWords.AsSpan().Slice(0, 18).ToArray();
        var s = PiWords.AsSpan().Slice(18).ToArray();
        ExpandKey(p, s, key, salt);
        for (long i = 0, rounds = 1L << cost; i < rounds; i++)
        {
            ExpandKey(p, s, key, null);
            ExpandKey(p, s, salt, null);
        }
        return (p, s);
    }

    private static uint NextWord(byte[] b, ref int j)
    {
        uint w = 0;
        for (int k = 0; k < 4; k++)
        {
            w = w << 8 | b[j];
            j = (j + 1) % b.Length;
        }
        return w;
    }

    /// <summary>Blowfish's key schedule; with a salt, the salt's words are mixed into each block encrypted (eksblowfish).</summary>
    private static void ExpandKey(uint[] p, uint[] s, byte[] key, byte[]? salt)
    {
        int j = 0;
        for (int i = 0; i < 18; i++) p[i] ^= NextWord(key, ref j);
        j = 0;
        uint l = 0, r = 0;
        for (int i = 0; i < 18 + 1024; i += 2)
        {
            if (salt != null)
            {
                l ^= NextWord(salt, ref j);
                r ^= NextWord(salt, ref j);
            }
            (l, r) = Encrypt(p, s, l, r);
            if (i < 18) { p[i] = l; p[i + 1] = r; }
            else { s[i - 18] = l; s[i - 17] = r; }
        }
    }

    private static uint F(uint[] s, uint x) =>
        ((s[x >> 24] + s[256 + (byte)(x >> 16)]) ^ s[512 + (byte)(x >> 8)]) + s[768 + (byte)x];

    private static (uint L, uint R) Encrypt(uint[] p, uint[] s, uint l, uint r)
    {
        for (int i = 0; i < 16; i += 2)
        {
            l ^= p[i];
            r ^= F(s, l);
            r ^= p[i + 1];
            l ^= F(s, r);
        }
        l ^= p[16];
        r ^= p[17];
        return (r, l);
    }

    private static uint ReadBig(byte[] b, int i) => (uint)(b[i] << 24 | b[i + 1] << 16 | b[i + 2] << 8 | b[i + 3]);

    private static void WriteBig(byte[] b, int i, uint v)
    {
        b[i] = (byte)(v >> 24); b[i + 1] = (byte)(v >> 16); b[i + 2] = (byte)(v >> 8); b[i + 3] = (byte)v;
    }

    /// <summary>bcrypt's base64: its own alphabet, no padding.</summary>
    private static string Base64(byte[] data)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < data.Length; i += 3)
        {
            int n = Math.Min(3, data.Length - i);
            int v = data[i] << 16 | (n > 1 ? data[i + 1] << 8 : 0) | (n > 2 ? data[i + 2] : 0);
            for (int k = 0; k <= n; k++) sb.Append(Alphabet[(v >> (18 - 6 * k)) & 63]);
        }
        return sb.ToString();
    }

    private static byte[] Base64Decode(string text, int length)
    {
        var bytes = new List<byte>();
        int acc = 0, bits = 0;
        foreach (char c in text)
        {
            acc = acc << 6 | Alphabet.IndexOf(c);
            bits += 6;
            if (bits >= 8) { bits -= 8; bytes.Add((byte)(acc >> bits)); }
        }
        return bytes.Take(length).ToArray();
    }

    /// <summary>The first <paramref name="count"/> 32-bit words of pi's fractional part, from Machin's formula
    /// pi = 16 atan(1/5) - 4 atan(1/239) in fixed point with guard bits.</summary>
    private static uint[] ComputePiWords(int count)
    {
        int bits = count * 32 + 64;
        BigInteger one = BigInteger.One << bits;
        BigInteger ArcTanInverse(int x)
        {
            BigInteger x2 = x * x, term = one / x, sum = term;
            for (int k = 1; !term.IsZero; k++)
            {
                term /= x2;
                sum += (k % 2 == 1 ? -term : term) / (2 * k + 1);
            }
            return sum;
        }
        BigInteger pi = 16 * ArcTanInverse(5) - 4 * ArcTanInverse(239);
        BigInteger fraction = (pi - 3 * one) >> 64;
        var words = new uint[count];
        for (int i = count - 1; i >= 0; i--)
        {
            words[i] = (uint)(fraction & uint.MaxValue);
            fraction >>= 32;
        }
        return words;
    }
}
