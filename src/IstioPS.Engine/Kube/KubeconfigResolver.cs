using k8s;
using k8s.Exceptions;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Finds the kubeconfig the way kubectl does: an explicit path, else the first existing file of
/// $KUBECONFIG, else ~/.kube/config, else the in-cluster service account.
/// </summary>
internal static class KubeconfigResolver
{
    public static (KubernetesClientConfiguration Config, string? Path, string? Context) Resolve(KubeConnectionOptions options)
    {
        string? path = options.Kubeconfig;
        if (string.IsNullOrEmpty(path))
        {
            path = DefaultPath(out var tried);
            if (path is null)
            {
                if (KubernetesClientConfiguration.IsInCluster())
                {
                    if (!string.IsNullOrEmpty(options.Context))
                    {
                        throw new IstioPSException("ContextNotFound", ErrorKind.ObjectNotFound,
                            $"No kubeconfig was found, so the context '{options.Context}' cannot be used (in-cluster configuration has no contexts).", options.Context);
                    }

                    return (KubernetesClientConfiguration.InClusterConfig(), null, null);
                }

                throw new IstioPSException("KubeconfigNotFound", ErrorKind.ObjectNotFound,
                    $"No kubeconfig was found (looked at {string.Join(", ", tried)}) and this is not running inside a cluster. Pass -Kubeconfig or set $env:KUBECONFIG.",
                    tried.FirstOrDefault());
            }
        }

        path = Path.GetFullPath(path);
        if (!File.Exists(path))
        {
            throw new IstioPSException("KubeconfigNotFound", ErrorKind.ObjectNotFound,
                $"The kubeconfig file '{path}' does not exist.", path);
        }

        k8s.KubeConfigModels.K8SConfiguration model;
        try
        {
            model = KubeconfigReader.TryRead(path, File.ReadAllText(path)) ?? KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(path));
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new IstioPSException("KubeconfigUnreadable", ErrorKind.PermissionDenied,
                $"The kubeconfig file '{path}' cannot be read: access denied.", path, ex);
        }
        catch (IOException ex)
        {
            throw new IstioPSException("KubeconfigUnreadable", ErrorKind.ReadError,
                $"The kubeconfig file '{path}' cannot be read: {ex.Message}", path, ex);
        }
        catch (Exception ex) when (ex is YamlDotNet.Core.YamlException or KubeConfigException or InvalidOperationException or ArgumentException)
        {
            var where = ex is YamlDotNet.Core.YamlException y ? $" (line {y.Start.Line})" : "";
            throw new IstioPSException("KubeconfigInvalid", ErrorKind.InvalidData,
                $"The kubeconfig file '{path}' is not a valid kubeconfig{where}.", path, ex);
        }

        var context = string.IsNullOrEmpty(options.Context) ? model.CurrentContext : options.Context;
        if (string.IsNullOrEmpty(context))
        {
            throw new IstioPSException("ContextNotFound", ErrorKind.ObjectNotFound,
                $"The kubeconfig '{path}' has no current-context; pass -Context with one of: {ContextNames(model)}.", path);
        }

        if (model.Contexts?.Any(c => c.Name == context) != true)
        {
            throw new IstioPSException("ContextNotFound", ErrorKind.ObjectNotFound,
                $"The context '{context}' is not in the kubeconfig '{path}' (it has: {ContextNames(model)}).", context);
        }

        var provider = TokenProvider(model, context, path);
        AllowAnonymousUser(model, context);
        try
        {
            var config = KubernetesClientConfiguration.BuildConfigFromConfigObject(model, context);
            if (provider is not null) config.TokenProvider = provider;
            return (config, path, context);
        }
        catch (KubeConfigException ex)
        {
            // KubernetesClient's messages name clusters and users; a password written in the server's URL is taken out.
            throw new IstioPSException("KubeconfigInvalid", ErrorKind.InvalidData,
                $"The context '{context}' of the kubeconfig '{path}' cannot be used: {KubeCredentials.Redact(ex.Message)}", path, ex);
        }
    }

    /// <summary>
    /// The user's exec plugin (taken out of the model: KubernetesClient would run it here and report a failure as a
    /// JSON error) or, without a token, its <c>tokenFile</c>, as token providers that run or read when requests need them.
    /// </summary>
    private static k8s.Authentication.ITokenProvider? TokenProvider(k8s.KubeConfigModels.K8SConfiguration model, string context, string path)
    {
        var userName = model.Contexts.First(c => c.Name == context).ContextDetails?.User;
        var user = model.Users?.FirstOrDefault(u => string.Equals(u.Name, userName, StringComparison.OrdinalIgnoreCase));
        if (user?.UserCredentials is not { } credentials) return null;
        if (credentials.ExternalExecution is { } exec)
        {
            credentials.ExternalExecution = null;
            return new KubeCredentials.ExecTokenProvider(exec, user.Name, path);
        }

        return string.IsNullOrEmpty(credentials.Token) && KubeCredentials.TokenFile(path, user.Name) is { } file
            ? new KubeCredentials.FileTokenProvider(file)
            : null;
    }

    /// <summary>
    /// kubectl sends anonymous requests for a user entry without credentials; KubernetesClient refuses
    /// such an entry, so the context is made to name no user instead.
    /// </summary>
    private static void AllowAnonymousUser(k8s.KubeConfigModels.K8SConfiguration model, string context)
    {
        var details = model.Contexts.First(c => c.Name == context).ContextDetails;
        if (details is null || string.IsNullOrEmpty(details.User)) return;
        var user = model.Users?.FirstOrDefault(u => string.Equals(u.Name, details.User, StringComparison.OrdinalIgnoreCase));
        var c = user?.UserCredentials;
        var hasCredentials = c is not null && (!string.IsNullOrEmpty(c.Token) || !string.IsNullOrEmpty(c.UserName)
            || !string.IsNullOrEmpty(c.ClientCertificateData) || !string.IsNullOrEmpty(c.ClientCertificate)
            || c.AuthProvider is not null || c.ExternalExecution is not null);
        if (user is not null && !hasCredentials)
        {
            details.User = null;
        }
    }

    private static string ContextNames(k8s.KubeConfigModels.K8SConfiguration model)
        => model.Contexts is { } list && list.Any() ? string.Join(", ", list.Select(c => c.Name)) : "no contexts";

    private static string? DefaultPath(out List<string> tried)
    {
        tried = new List<string>();
        var env = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(env))
        {
            foreach (var part in env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                tried.Add(part);
                if (File.Exists(part)) return part;
            }
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fallback = Path.Combine(home, ".kube", "config");
        tried.Add(fallback);
        return File.Exists(fallback) ? fallback : null;
    }
}
