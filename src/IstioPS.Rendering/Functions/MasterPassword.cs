using System.Collections.Frozen;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's derivePassword: the Master Password algorithm (scrypt of the master password salted with the user,
/// HMAC-SHA256 of the site and counter, the seed's bytes picking a template and its characters). Deterministic.</summary>
internal static class MasterPassword
{
    private const string Seed = "com.lyndir.masterpassword";

    private static readonly IReadOnlyDictionary<string, string[]> Templates = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["maximum"] = new[] { "anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno" },
        ["long"] = new[]
        {
            "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
            "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        },
        ["medium"] = new[] { "CvcnoCvc", "CvcCvcno" },
        ["short"] = new[] { "Cvcn" },
        ["basic"] = new[] { "aaanaaan", "aannaaan", "aaannaaa" },
        ["pin"] = new[] { "nnnn" },
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static string Characters(char template) => template switch
    {
        'V' => "AEIOU",
        'C' => "BCDFGHJKLMNPQRSTVWXYZ",
        'v' => "aeiou",
        'c' => "bcdfghjklmnpqrstvwxyz",
        'A' => "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        'a' => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        'n' => "0123456789",
        'o' => "@&%?,=[]_:-+*$#!'^~;()/.",
        _ => "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    };

    public static string Derive(uint counter, string passwordType, string password, string user, string site)
    {
        if (!Templates.TryGetValue(passwordType, out var templates)) return $"cannot find password template {passwordType}";
        byte[] key = Scrypt.Key(Encoding.UTF8.GetBytes(password), Salted(Encoding.UTF8.GetBytes(user)), 32768, 8, 2, 64);
        var message = new List<byte>(Salted(Encoding.UTF8.GetBytes(site)));
        Span<byte> c = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(c, counter);
        message.AddRange(c.ToArray());
        byte[] seed = HMACSHA256.HashData(key, message.ToArray());
        string template = templates[seed[0] % templates.Length];
        var sb = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            string chars = Characters(template[i]);
            sb.Append(chars[seed[i + 1] % chars.Length]);
        }
        return sb.ToString();
    }

    /// <summary>The seed, the big-endian byte length of <paramref name="value"/>, then the value.</summary>
    private static byte[] Salted(byte[] value)
    {
        var b = new byte[Seed.Length + 4 + value.Length];
        Encoding.ASCII.GetBytes(Seed, b);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(Seed.Length), (uint)value.Length);
        value.CopyTo(b, Seed.Length + 4);
        return b;
    }
}

/// <summary>scrypt (RFC 7914): PBKDF2-HMAC-SHA256 around ROMix of Salsa20/8 block mixing.</summary>
internal static class Scrypt
{
    public static byte[] Key(byte[] password, byte[] salt, int n, int r, int p, int keyLength)
    {
        int blockWords = 32 * r;
        byte[] b = Rfc2898DeriveBytes.Pbkdf2(password, salt, 1, HashAlgorithmName.SHA256, p * 128 * r);
        var x = new uint[blockWords];
        var v = new uint[blockWords * n];
        var scratch = new uint[blockWords];
        for (int i = 0; i < p; i++)
        {
            var chunk = b.AsSpan(i * 128 * r, 128 * r);
            for (int k = 0; k < blockWords; k++) x[k] = BinaryPrimitives.ReadUInt32LittleEndian(chunk.Slice(k * 4));
            RoMix(x, v, scratch, n, r);
            for (int k = 0; k < blockWords; k++) BinaryPrimitives.WriteUInt32LittleEndian(chunk.Slice(k * 4), x[k]);
        }
        return Rfc2898DeriveBytes.Pbkdf2(password, b, 1, HashAlgorithmName.SHA256, keyLength);
    }

    private static void RoMix(uint[] x, uint[] v, uint[] scratch, int n, int r)
    {
        int words = 32 * r;
        for (int i = 0; i < n; i++)
        {
            Array.Copy(x, 0, v, i * words, words);
            BlockMix(x, scratch, r);
        }
        for (int i = 0; i < n; i++)
        {
            int j = (int)(x[words - 16] & (uint)(n - 1));
            for (int k = 0; k < words; k++) x[k] ^= v[j * words + k];
            BlockMix(x, scratch, r);
        }
    }

    /// <summary>BlockMix: each 64-byte block through Salsa20/8 chained with the previous; even outputs first, then odd.</summary>
    private static void BlockMix(uint[] b, uint[] y, int r)
    {
        Span<uint> x = stackalloc uint[16];
        b.AsSpan((2 * r - 1) * 16, 16).CopyTo(x);
        for (int i = 0; i < 2 * r; i++)
        {
            for (int k = 0; k < 16; k++) x[k] ^= b[i * 16 + k];
            Salsa208(x);
            int dest = (i % 2 == 0 ? i / 2 : r + i / 2) * 16;
            x.CopyTo(y.AsSpan(dest, 16));
        }
        Array.Copy(y, b, 32 * r);
    }

    private static uint R(uint a, int s) => (a << s) | (a >> (32 - s));

    private static void Salsa208(Span<uint> b)
    {
        Span<uint> x = stackalloc uint[16];
        b.CopyTo(x);
        for (int i = 0; i < 8; i += 2)
        {
            x[4] ^= R(x[0] + x[12], 7); x[8] ^= R(x[4] + x[0], 9); x[12] ^= R(x[8] + x[4], 13); x[0] ^= R(x[12] + x[8], 18);
            x[9] ^= R(x[5] + x[1], 7); x[13] ^= R(x[9] + x[5], 9); x[1] ^= R(x[13] + x[9], 13); x[5] ^= R(x[1] + x[13], 18);
            x[14] ^= R(x[10] + x[6], 7); x[2] ^= R(x[14] + x[10], 9); x[6] ^= R(x[2] + x[14], 13); x[10] ^= R(x[6] + x[2], 18);
            x[3] ^= R(x[15] + x[11], 7); x[7] ^= R(x[3] + x[15], 9); x[11] ^= R(x[7] + x[3], 13); x[15] ^= R(x[11] + x[7], 18);
            x[1] ^= R(x[0] + x[3], 7); x[2] ^= R(x[1] + x[0], 9); x[3] ^= R(x[2] + x[1], 13); x[0] ^= R(x[3] + x[2], 18);
            x[6] ^= R(x[5] + x[4], 7); x[7] ^= R(x[6] + x[5], 9); x[4] ^= R(x[7] + x[6], 13); x[5] ^= R(x[4] + x[7], 18);
            x[11] ^= R(x[10] + x[9], 7); x[8] ^= R(x[11] + x[10], 9); x[9] ^= R(x[8] + x[11], 13); x[10] ^= R(x[9] + x[8], 18);
            x[12] ^= R(x[15] + x[14], 7); x[13] ^= R(x[12] + x[15], 9); x[14] ^= R(x[13] + x[12], 13); x[15] ^= R(x[14] + x[13], 18);
        }
        for (int i = 0; i < 16; i++) b[i] += x[i];
    }
}
