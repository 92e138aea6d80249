using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IstioPS.Rendering.GoTemplate;

namespace IstioPS.Rendering.Functions;

/// <summary>Sprig's certificate result (sprig.certificate): PEM texts in the fields Cert and Key.</summary>
internal sealed class GoCertificate : IGoObject, IGoJsonValue
{
    public GoCertificate(string cert, string key) { Cert = cert; Key = key; }

    public string Cert { get; }
    public string Key { get; }
    public string GoTypeName => "sprig.certificate";

    public object? JsonValue
    {
        get
        {
            var m = GoValues.NewMap();
            m["Cert"] = Cert;
            m["Key"] = Key;
            return m;
        }
    }

    public bool TryGetField(string name, out object? value)
    {
        value = name switch { "Cert" => Cert, "Key" => Key, _ => null };
        return value != null;
    }

    public bool TryCallMethod(string name, object?[] args, out object? result) { result = null; return false; }

    /// <summary>fmt's %v of the struct: "{cert key}".</summary>
    public override string ToString() => "{" + Cert + " " + Key + "}";
}

/// <summary>Sprig's genCA, genSelfSignedCert, genSignedCert (each also ...WithKey) and buildCustomCert: X.509 certificates
/// shaped as Go's x509.CreateCertificate makes them from Sprig's template (RSA 2048 keys unless one is given).</summary>
public static partial class SprigFunctions
{
    private static void RegisterCertificates(FunctionTable t)
    {
        t.Add("genCA", (_, a) => CertificateAuthority(Str(a, 0), Int(a, 1), NewRsaKey()));
        t.Add("genCAWithKey", (_, a) => CertificateAuthority(Str(a, 0), Int(a, 1), KeyArgument(Str(a, 2))));
        t.Add("genSelfSignedCert", (_, a) => SelfSigned(Str(a, 0), a[1], a[2], Int(a, 3), NewRsaKey()));
        t.Add("genSelfSignedCertWithKey", (_, a) => SelfSigned(Str(a, 0), a[1], a[2], Int(a, 3), KeyArgument(Str(a, 4))));
        t.Add("genSignedCert", (_, a) => Signed(Str(a, 0), a[1], a[2], Int(a, 3), (GoCertificate)a[4]!, NewRsaKey()));
        t.Add("genSignedCertWithKey", (_, a) => Signed(Str(a, 0), a[1], a[2], Int(a, 3), (GoCertificate)a[4]!, KeyArgument(Str(a, 5))));
        t.Add("buildCustomCert", (_, a) => BuildCustomCert(Str(a, 0), Str(a, 1)));
    }

    private static AsymmetricAlgorithm NewRsaKey() => RSA.Create(2048);

    private static AsymmetricAlgorithm KeyArgument(string pem)
    {
        try { return ParsePrivateKeyPem(pem); }
        catch (GoFunctionException e) { throw new GoFunctionException($"parsing private key: {e.Message}"); }
    }

    /// <summary>Sprig's parsePrivateKeyPEM: PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY").</summary>
    private static AsymmetricAlgorithm ParsePrivateKeyPem(string pem)
    {
        if (!PemEncoding.TryFind(pem, out var fields)) throw new GoFunctionException("no PEM data in input");
        string label = pem[fields.Label];
        byte[] der = Convert.FromBase64String(pem[fields.Base64Data]);
        try
        {
            if (label == "PRIVATE KEY")
            {
                try { var rsa = RSA.Create(); rsa.ImportPkcs8PrivateKey(der, out _); return rsa; }
                catch (CryptographicException) { var ec = ECDsa.Create(); ec.ImportPkcs8PrivateKey(der, out _); return ec; }
            }
        }
        catch (CryptographicException e) { throw new GoFunctionException($"decoding PEM as PKCS#8: {e.Message}"); }
        if (!label.EndsWith(" PRIVATE KEY", StringComparison.Ordinal)) throw new GoFunctionException($"no private key data in PEM block of type {label}");
        switch (label[..^12])
        {
            case "RSA":
                try { var rsa = RSA.Create(); rsa.ImportRSAPrivateKey(der, out _); return rsa; }
                catch (CryptographicException e) { throw new GoFunctionException($"parsing RSA private key from PEM: {e.Message}"); }
            case "EC":
                try { var ec = ECDsa.Create(); ec.ImportECPrivateKey(der, out _); return ec; }
                catch (CryptographicException e) { throw new GoFunctionException($"parsing EC private key from PEM: {e.Message}"); }
            default:
                throw new GoFunctionException($"invalid private key type {label}");
        }
    }

    /// <summary>pemBlockForKey: RSA as PKCS#1, ECDSA as SEC 1, each PEM-encoded with Go's trailing newline.</summary>
    private static string KeyPem(AsymmetricAlgorithm key) => key switch
    {
        RSA rsa => rsa.ExportRSAPrivateKeyPem() + "\n",
        ECDsa ec => ec.ExportECPrivateKeyPem() + "\n",
        _ => throw new GoFunctionException($"unable to get public key for type {key.GetType().Name}"),
    };

    private static GoCertificate CertificateAuthority(string cn, int days, AsymmetricAlgorithm key) =>
        Create(cn, null, null, days, key, isCA: true, issuer: null);

    private static GoCertificate SelfSigned(string cn, object? ips, object? dns, int days, AsymmetricAlgorithm key) =>
        Create(cn, ips, dns, days, key, isCA: false, issuer: null);

    private static GoCertificate Signed(string cn, object? ips, object? dns, int days, GoCertificate ca, AsymmetricAlgorithm key)
    {
        if (!PemEncoding.TryFind(ca.Cert, out var fields) || ca.Cert[fields.Label] != "CERTIFICATE")
            throw new GoFunctionException("unable to decode certificate");
        X509Certificate2 caCert;
        try { caCert = new X509Certificate2(Convert.FromBase64String(ca.Cert[fields.Base64Data])); }
        catch (CryptographicException e) { throw new GoFunctionException($"error parsing certificate: decodedSignerCert.Bytes: {e.Message}"); }
        using (caCert)
        {
            AsymmetricAlgorithm caKey;
            try { caKey = ParsePrivateKeyPem(ca.Key); }
            catch (GoFunctionException e) { throw new GoFunctionException($"error parsing private key: {e.Message}"); }
            using (caKey) return Create(cn, ips, dns, days, key, isCA: false, issuer: (caCert, caKey));
        }
    }

    private static GoCertificate BuildCustomCert(string b64Cert, string b64Key)
    {
        static byte[]? FromBase64(string s)
        {
            try { return Convert.FromBase64String(s); }
            catch (FormatException) { return null; }
        }
        string cert = Encoding.UTF8.GetString(FromBase64(b64Cert) ?? throw new GoFunctionException("unable to decode base64 certificate"));
        string key = Encoding.UTF8.GetString(FromBase64(b64Key) ?? throw new GoFunctionException("unable to decode base64 private key"));
        if (!PemEncoding.TryFind(cert, out var fields)) throw new GoFunctionException("unable to decode certificate");
        try { new X509Certificate2(Convert.FromBase64String(cert[fields.Base64Data])).Dispose(); }
        catch (CryptographicException e) { throw new GoFunctionException($"error parsing certificate: decodedCert.Bytes: {e.Message}"); }
        try { ParsePrivateKeyPem(key).Dispose(); }
        catch (GoFunctionException e) { throw new GoFunctionException($"error parsing private key: {e.Message}"); }
        return new GoCertificate(cert, key);
    }

    /// <summary>Sprig's getBaseCertTemplate then x509.CreateCertificate: a random 128-bit serial, CN only, valid from now for
    /// the given days, key encipherment and digital signature (and certificate signing for a CA), server and client auth.</summary>
    private static GoCertificate Create(string cn, object? ips, object? dns, int days, AsymmetricAlgorithm key, bool isCA,
        (X509Certificate2 Cert, AsymmetricAlgorithm Key)? issuer)
    {
        var addresses = NetIPs(ips);
        var names = DnsNames(dns);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(cn);
        var request = key switch
        {
            RSA rsa => new CertificateRequest(subject.Build(), rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            ECDsa ec => new CertificateRequest(subject.Build(), ec, HashAlgorithmName.SHA256),
            _ => throw new GoFunctionException($"error retrieving public key from signee key: unable to get public key for type {key.GetType().Name}"),
        };
        var usage = X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DigitalSignature | (isCA ? X509KeyUsageFlags.KeyCertSign : 0);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(usage, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2") }, critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCA, false, 0, critical: true));
        if (isCA) request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        if (addresses.Count + names.Count > 0)
        {
            var san = new SubjectAlternativeNameBuilder();
            foreach (var n in names) san.AddDnsName(n);
            foreach (var ip in addresses) san.AddIpAddress(ip);
            request.CertificateExtensions.Add(san.Build());
        }
        var serialBytes = RandomNumberGenerator.GetBytes(16);
        byte[] serial = new BigInteger(serialBytes, isUnsigned: true, isBigEndian: true).ToByteArray(isUnsigned: false, isBigEndian: true);
        var now = DateTimeOffset.UtcNow;
        var notAfter = now.AddDays(days);
        var signingKey = issuer?.Key ?? key;
        var generator = signingKey switch
        {
            RSA rsa => X509SignatureGenerator.CreateForRSA(rsa, RSASignaturePadding.Pkcs1),
            ECDsa ec => X509SignatureGenerator.CreateForECDsa(ec),
            _ => throw new GoFunctionException("error creating certificate: unsupported signing key"),
        };
        if (issuer is { } i)
            request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(i.Cert, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using var cert = request.Create(issuer?.Cert.SubjectName ?? request.SubjectName, generator, now, notAfter, serial);
        return new GoCertificate(cert.ExportCertificatePem() + "\n", KeyPem(key));
    }

    private static List<IPAddress> NetIPs(object? ips)
    {
        var result = new List<IPAddress>();
        if (ips is not IList<object?> list) return result;
        foreach (var ip in list)
        {
            if (ip is not string s) throw new GoFunctionException($"error parsing ip: {GoFormat.ToString(ip)} is not a string");
            if (!IPAddress.TryParse(s, out var address) || s.Contains('%') || (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && s.Count(c => c == '.') != 3))
                throw new GoFunctionException($"error parsing ip: {s}");
            result.Add(address);
        }
        return result;
    }

    private static List<string> DnsNames(object? dns)
    {
        var result = new List<string>();
        if (dns is not IList<object?> list) return result;
        foreach (var d in list)
            result.Add(d as string ?? throw new GoFunctionException($"error processing alternate dns name: {GoFormat.ToString(d)} is not a string"));
        return result;
    }
}
