using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;

namespace KubeSim.Hosting;

/// <summary>
/// Who a request is, as kube-apiserver's authenticators decide it: a client certificate signed by the client CA
/// (its CN is the user, its O entries the groups, as kind and kubeadm clusters issue them), the configured bearer
/// token, or nobody (system:anonymous). The pipeline sets it before the API runs; read it with <see cref="Of"/>.
/// </summary>
public sealed record RequestUser(string Name, IReadOnlyList<string> Groups)
{
    const string Key = "kubesim.user";

    public static readonly RequestUser Anonymous = new("system:anonymous", ["system:unauthenticated"]);

    /// <summary>The user of the configured bearer token: an administrator, as a cluster's admin kubeconfig is.</summary>
    public static readonly RequestUser TokenAdmin = new("kubesim-admin", ["system:masters", "system:authenticated"]);

    public bool IsAnonymous => Name == Anonymous.Name;

    /// <summary>The authenticated user of a request (anonymous until the pipeline has authenticated it).</summary>
    public static RequestUser Of(HttpContext ctx) => ctx.Items.TryGetValue(Key, out var u) && u is RequestUser user ? user : Anonymous;

    internal void Attach(HttpContext ctx) => ctx.Items[Key] = this;

    /// <summary>The user a client certificate names: CN as the name, every O as a group.</summary>
    public static RequestUser FromCertificate(X509Certificate2 certificate)
    {
        var dn = certificate.SubjectName;
        string? cn = null;
        var groups = new List<string>();
        foreach (var rdn in dn.EnumerateRelativeDistinguishedNames())
        {
            var value = rdn.GetSingleElementValue() ?? "";
            switch (rdn.GetSingleElementType().Value)
            {
                case "2.5.4.3": cn ??= value; break;   // CN
                case "2.5.4.10": groups.Add(value); break; // O
            }
        }
        groups.Add("system:authenticated");
        return new RequestUser(cn ?? "", groups);
    }

    /// <summary>Whether <paramref name="certificate"/> was issued by <paramref name="ca"/> and is valid now (kube-apiserver's x509 authenticator).</summary>
    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2")); // client authentication
        return chain.Build(certificate);
    }
}
