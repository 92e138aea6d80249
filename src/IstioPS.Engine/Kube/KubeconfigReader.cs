using System.Globalization;
using IstioPS.Rendering.Yaml;
using k8s.KubeConfigModels;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Reads a kubeconfig with the module's own YAML reader. KubernetesClient's loader first builds a YAML
/// deserializer over every model type of the library, which costs a fresh process most of a second before
/// the first request; this reader costs a few milliseconds and fills the same configuration model.
/// </summary>
internal static class KubeconfigReader
{
    /// <summary>The configuration, or null when the reader is unsure of the text (KubernetesClient's loader then reads it and reports any problem).</summary>
    public static K8SConfiguration? TryRead(string path, string text)
    {
        Dictionary<string, object?>? root;
        try
        {
            root = GoYaml.Parse(text) as Dictionary<string, object?>;
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }

        if (root is null) return null;
        return new K8SConfiguration
        {
            ApiVersion = Str(root, "apiVersion"),
            Kind = Str(root, "kind"),
            CurrentContext = Str(root, "current-context"),
            FileName = path,
            Clusters = Items(root, "clusters").Select(c => new Cluster
            {
                Name = Str(c, "name"),
                ClusterEndpoint = Map(c, "cluster") is { } e ? new ClusterEndpoint
                {
                    Server = Str(e, "server"),
                    CertificateAuthority = Str(e, "certificate-authority"),
                    CertificateAuthorityData = Str(e, "certificate-authority-data"),
                    TlsServerName = Str(e, "tls-server-name"),
                    SkipTlsVerify = Bool(e, "insecure-skip-tls-verify"),
                } : null,
            }).ToList(),
            Users = Items(root, "users").Select(u => new User
            {
                Name = Str(u, "name"),
                UserCredentials = Map(u, "user") is { } c ? Credentials(c) : null,
            }).ToList(),
            Contexts = Items(root, "contexts").Select(c => new Context
            {
                Name = Str(c, "name"),
                ContextDetails = Map(c, "context") is { } d ? new ContextDetails
                {
                    Cluster = Str(d, "cluster"),
                    User = Str(d, "user"),
                    Namespace = Str(d, "namespace"),
                } : null,
            }).ToList(),
        };
    }

    private static UserCredentials Credentials(Dictionary<string, object?> c) => new()
    {
        ClientCertificateData = Str(c, "client-certificate-data"),
        ClientCertificate = Str(c, "client-certificate"),
        ClientKeyData = Str(c, "client-key-data"),
        ClientKey = Str(c, "client-key"),
        Token = Str(c, "token"),
        Impersonate = Str(c, "as"),
        ImpersonateGroups = (c.GetValueOrDefault("as-groups") as List<object?>)?.Select(ToText).OfType<string>().ToList(),
        UserName = Str(c, "username"),
        Password = Str(c, "password"),
        AuthProvider = Map(c, "auth-provider") is { } a ? new AuthProvider
        {
            Name = Str(a, "name"),
            Config = Map(a, "config")?.ToDictionary(kv => kv.Key, kv => ToText(kv.Value) ?? "") ?? new Dictionary<string, string>(),
        } : null,
        ExternalExecution = Map(c, "exec") is { } x ? new ExternalExecution
        {
            ApiVersion = Str(x, "apiVersion"),
            Command = Str(x, "command"),
            Arguments = (x.GetValueOrDefault("args") as List<object?>)?.Select(ToText).OfType<string>().ToList(),
            EnvironmentVariables = Items(x, "env").Select(v => v.ToDictionary(kv => kv.Key, kv => ToText(kv.Value) ?? "")).ToList(),
            InstallHint = Str(x, "installHint"),
            ProvideClusterInfo = Bool(x, "provideClusterInfo"),
        } : null,
    };

    private static Dictionary<string, object?>? Map(Dictionary<string, object?> o, string key) => o.GetValueOrDefault(key) as Dictionary<string, object?>;

    private static IEnumerable<Dictionary<string, object?>> Items(Dictionary<string, object?> o, string key)
        => (o.GetValueOrDefault(key) as List<object?>)?.OfType<Dictionary<string, object?>>() ?? Enumerable.Empty<Dictionary<string, object?>>();

    private static string? Str(Dictionary<string, object?> o, string key) => ToText(o.GetValueOrDefault(key));

    private static bool Bool(Dictionary<string, object?> o, string key) => o.GetValueOrDefault(key) switch
    {
        bool b => b,
        string s => bool.TryParse(s, out var b) && b,
        _ => false,
    };

    private static string? ToText(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
