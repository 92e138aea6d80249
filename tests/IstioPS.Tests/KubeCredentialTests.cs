using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IstioPS.Engine;
using IstioPS.Engine.Kube;
using KubeSim;
using Xunit;

namespace IstioPS.Tests;

/// <summary>Kubeconfig credentials as kubectl reads them, against the simulated cluster.</summary>
public class KubeCredentialTests
{
    private const string Token = "s3cret-token";

    /// <summary>A kubeconfig for <paramref name="server"/> whose user is <paramref name="user"/> (YAML lines under "user:").</summary>
    internal static string WriteKubeconfig(string server, string user, string? caPem = null, string? dir = null)
    {
        dir ??= TestData.TempDir();
        var ca = caPem is null ? "" : $"    certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))}\n";
        var text = $"apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n{ca}users:\n- name: u\n  user:\n{user}contexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n";
        var path = Path.Combine(dir, "kubeconfig");
        File.WriteAllText(path, text);
        return path;
    }

    private static string ServerOf(KubeSimServer server) => server.Url.ToString().TrimEnd('/');

    [Fact]
    public async Task TokenFileIsSentAndReadAgainWhenItChanges()
    {
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { Token = Token });
        var dir = TestData.TempDir();
        var tokenFile = Path.Combine(dir, "token");
        File.WriteAllText(tokenFile, Token + "\n");
        using var api = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), "    tokenFile: token\n", dir: dir)) { MaxRetries = 0 });

        await api.GetAsync("/api/v1/namespaces/default", CancellationToken.None);
        Assert.Equal("kubesim-admin", server.Requests.Last().User);

        File.WriteAllText(tokenFile, "rotated-and-wrong");
        var ex = await Assert.ThrowsAsync<KubeApiException>(() => api.GetAsync("/api/v1/namespaces/default", CancellationToken.None));
        Assert.Equal("Unauthorized", ex.ErrorId);

        File.WriteAllText(tokenFile, Token);
        File.SetLastWriteTimeUtc(tokenFile, DateTime.UtcNow.AddSeconds(5));
        await api.GetAsync("/api/v1/namespaces/default", CancellationToken.None);
        Assert.DoesNotContain(Token, ex.Message);
    }

    [Fact]
    public async Task ClientCertificateNamesTheUserAndItsGroups()
    {
        using var ca = NewCa("cluster-ca");
        using var otherCa = NewCa("someone-else");
        var caFile = Path.Combine(TestData.TempDir(), "ca.pem");
        File.WriteAllText(caFile, ca.ExportCertificatePem());
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { Tls = true, ClientCaFile = caFile });

        using var api = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), ClientCertUser(ca, "jane", "dev", "ops"), server.CaPem)) { MaxRetries = 0 });
        await api.GetAsync("/api/v1/namespaces/default", CancellationToken.None);
        Assert.Equal("jane", server.Requests.Last().User);

        using var stranger = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), ClientCertUser(otherCa, "mallory"), server.CaPem)) { MaxRetries = 0 });
        var ex = await Assert.ThrowsAsync<KubeApiException>(() => stranger.GetAsync("/api/v1/namespaces/default", CancellationToken.None));
        Assert.Equal("Unauthorized", ex.ErrorId);

        using var anonymous = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), "    {}\n", server.CaPem)) { MaxRetries = 0 });
        var forbidden = await Assert.ThrowsAsync<KubeApiException>(() => anonymous.GetAsync("/api/v1/namespaces/default", CancellationToken.None));
        Assert.Contains("system:anonymous", forbidden.Message);
    }

    [SkippableFact]
    public async Task ExecPluginTokenIsUsedAndItsFailureShowsExitCodeAndStderr()
    {
        Skip.If(OperatingSystem.IsWindows(), "the plugins here are sh scripts");
        await using var server = await KubeSimServer.StartAsync(new KubeSimOptions { Token = Token });
        var credential = $"{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{Token}\"}}}}";
        var good = Exec("printf '%s' \"$CREDENTIAL\"", ("CREDENTIAL", credential));
        using (var api = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), good)) { MaxRetries = 0 }))
        {
            await api.GetAsync("/api/v1/namespaces/default", CancellationToken.None);
            Assert.Equal("kubesim-admin", server.Requests.Last().User);
        }

        var bad = Exec("echo 'token helper: your login expired, run: corp-login' >&2; exit 3");
        using var failing = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(ServerOf(server), bad)) { MaxRetries = 0 });
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => failing.GetAsync("/api/v1/namespaces/default", CancellationToken.None));
        Assert.Equal("CredentialPluginFailed", ex.ErrorId);
        Assert.Contains("failed with exit code 3: token helper: your login expired, run: corp-login", ex.Message);
        Assert.DoesNotContain("Json", ex.Message);
    }

    [Fact]
    public async Task APasswordInTheServerUrlIsNeverShown()
    {
        await using var server = await KubeSimServer.StartAsync();
        var url = $"http://admin:hunter2@127.0.0.1:{server.Url.Port}";
        using var api = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig(url, "    token: x\n")) { MaxRetries = 0 });
        Assert.DoesNotContain("hunter2", api.Server.ToString());
        var missing = await Assert.ThrowsAsync<KubeApiException>(() => api.GetAsync("/api/v1/namespaces/nope", CancellationToken.None));
        Assert.DoesNotContain("hunter2", missing.Message);

        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        using var unreachable = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig($"http://admin:hunter2@127.0.0.1:{port}", "    token: x\n")) { MaxRetries = 0 });
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => unreachable.GetAsync("/api", CancellationToken.None));
        Assert.Equal("ClusterUnreachable", ex.ErrorId);
        Assert.DoesNotContain("hunter2", ex.Message);
        Assert.DoesNotContain("hunter2", ex.Target?.ToString());
        Assert.Equal("https://host/x", KubeCredentials.Redact("https://user:pass@host/x"));
    }

    [Fact]
    public async Task TheCallTimeoutBoundsEveryRequestAgainstAServerThatNeverAnswers()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0); // the kernel accepts connections; nobody ever reads or answers
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        using var api = KubeApi.Connect(new KubeConnectionOptions(WriteKubeconfig($"http://127.0.0.1:{port}", "    token: x\n")) { CallTimeout = TimeSpan.FromSeconds(2) });
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<IstioPSException>(() => api.GetAsync("/api", CancellationToken.None));
        Assert.Equal("RequestTimeout", ex.ErrorId);
        Assert.Contains("time limit of 2 s (-Timeout)", ex.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 30); // not the 60 s of one request's own limit
    }

    private static string Exec(string script, params (string Name, string Value)[] env)
    {
        var sb = new StringBuilder("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: sh\n      args:\n      - -c\n");
        sb.Append("      - ").Append(Quote(script)).Append('\n');
        if (env.Length > 0)
        {
            sb.Append("      env:\n");
            foreach (var (name, value) in env) sb.Append("      - name: ").Append(name).Append("\n        value: ").Append(Quote(value)).Append('\n');
        }

        return sb.ToString();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    internal static X509Certificate2 NewCa(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));
    }

    /// <summary>The kubeconfig user lines of a client certificate for <paramref name="user"/> in <paramref name="groups"/>, signed by <paramref name="ca"/>.</summary>
    internal static string ClientCertUser(X509Certificate2 ca, string user, params string[] groups)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        foreach (var group in groups) subject.AddOrganizationName(group);
        subject.AddCommonName(user);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var now = DateTimeOffset.UtcNow;
        using var cert = request.Create(ca, now.AddMinutes(-5), now.AddDays(1), RandomNumberGenerator.GetBytes(8));
        static string B64(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        return $"    client-certificate-data: {B64(cert.ExportCertificatePem())}\n    client-key-data: {B64(key.ExportECPrivateKeyPem())}\n";
    }
}
