using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IstioPS.Rendering.Functions;
using Xunit;

namespace IstioPS.Rendering.Tests;

/// <summary>Sprig's random crypto functions (bcrypt, htpasswd, the certificate generators): their outputs differ on every
/// call, in Go too, so they are checked by validity rather than text. bcrypt's arithmetic is checked against hashes made by
/// golang.org/x/crypto/bcrypt (derivePassword's scrypt is compared with Go's text in the reference corpus).</summary>
public class CryptoFunctionTests
{
    // Made by golang.org/x/crypto/bcrypt GenerateFromPassword (Debian's golang-golang-x-crypto-dev).
    [Theory]
    [InlineData("pw", "$2a$04$vQ3qvCQ5b9SoOLlDDmMXWeLYXTeJh3rw7XPZJeuGdv7ovPn3MF5h2")]
    [InlineData("", "$2a$05$X6csvI5ZMOXUDPwrwimY0OO7Ud7oUVvtxHVqdCnq6RzjmbX8W7pj.")]
    [InlineData("Sécret pass phrase with ünicode", "$2a$06$FIiRlTK3MAfNByGsq4rmUu.aVd5p31uN4TaTEL2hRozmYqHqwFV8W")]
    public void BcryptMatchesGosHashes(string password, string goHash)
    {
        Assert.True(Bcrypt.Verify(goHash, password));
        Assert.False(Bcrypt.Verify(goHash, password + "x"));
    }

    [Fact]
    public void BcryptAndHtpasswdProduceVerifiableHashesAtGosDefaultCost()
    {
        string hash = T.Render("{{ bcrypt \"s3cret\" }}");
        Assert.Matches(@"^\$2a\$10\$[./A-Za-z0-9]{53}$", hash);
        Assert.True(Bcrypt.Verify(hash, "s3cret"));
        Assert.NotEqual(hash, T.Render("{{ bcrypt \"s3cret\" }}")); // a fresh salt each time

        string line = T.Render("{{ htpasswd \"admin\" \"pw\" }}");
        Assert.StartsWith("admin:$2a$10$", line);
        Assert.True(Bcrypt.Verify(line.Substring("admin:".Length), "pw"));
        Assert.Equal("invalid username: a:b", T.Render("{{ htpasswd \"a:b\" \"pw\" }}"));
        Assert.Equal("failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes", T.Render("{{ bcrypt (repeat 73 \"x\") }}"));
    }

    [Fact]
    public void GeneratedCertificatesAreWhatSprigsTemplateAsksFor()
    {
        string ca = T.Render("{{ $ca := genCA \"my-ca\" 30 }}{{ $ca.Cert }}|{{ $ca.Key }}|" +
                             "{{ $c := genSignedCert \"svc\" (list \"10.0.0.1\") (list \"svc.ns\" \"svc\") 7 $ca }}{{ $c.Cert }}|{{ $c.Key }}|" +
                             "{{ $s := genSelfSignedCert \"self\" nil nil 1 }}{{ $s.Cert }}|{{ typeOf $s }}");
        var parts = ca.Split('|');
        using var caCert = X509Certificate2.CreateFromPem(parts[0], parts[1]);
        Assert.Equal("CN=my-ca", caCert.Subject);
        Assert.True(caCert.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(caCert.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.InRange(caCert.NotAfter.ToUniversalTime(), DateTime.UtcNow.AddDays(30).AddMinutes(-5), DateTime.UtcNow.AddDays(30).AddMinutes(5));
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", parts[1]);

        using var leaf = X509Certificate2.CreateFromPem(parts[2], parts[3]);
        Assert.Equal("CN=svc", leaf.Subject);
        Assert.Equal("CN=my-ca", leaf.Issuer);
        Assert.False(leaf.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        var san = leaf.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(new[] { "svc.ns", "svc" }, san.EnumerateDnsNames());
        Assert.Equal("10.0.0.1", san.EnumerateIPAddresses().Single().ToString());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(caCert);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(leaf), string.Join(", ", chain.ChainStatus.Select(s => s.StatusInformation)));

        using var self = X509Certificate2.CreateFromPem(parts[4]);
        Assert.Equal(self.Subject, self.Issuer);
        Assert.Equal("sprig.certificate", parts[5]);
    }

    [Fact]
    public void CertificatesWithAGivenKeyUseIt()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string keyPem = ec.ExportECPrivateKeyPem();
        string output = T.RenderData("{{ $c := genSelfSignedCertWithKey \"k\" nil (list \"k.example\") 2 .key }}{{ $c.Cert }}|{{ $c.Key }}",
            T.Map(("key", keyPem)));
        var parts = output.Split('|');
        using var cert = X509Certificate2.CreateFromPem(parts[0]);
        using var publicKey = cert.GetECDsaPublicKey()!;
        Assert.Equal(ec.ExportSubjectPublicKeyInfo(), publicKey.ExportSubjectPublicKeyInfo());
        Assert.Equal(keyPem + "\n", parts[1]);
        string custom = T.RenderData("{{ $c := buildCustomCert (b64enc .cert) (b64enc .key) }}{{ eq $c.Cert .cert }} {{ eq $c.Key .key }}",
            T.Map(("cert", parts[0]), ("key", parts[1])));
        Assert.Equal("true true", custom);
    }
}
