using System.Net;

namespace IstioPS.Engine.Kube;

/// <summary>
/// Turns a 401 or 403 answer into an error that says where (server, context, kubeconfig user), what (the verb
/// and resource, as kube-apiserver's authorizer names them) and the usual fix: fresh credentials for a 401
/// (the way the kubeconfig gets them: az aks get-credentials, or kubelogin for an exec plugin), a role
/// binding or another context for a 403.
/// </summary>
public static class AuthFailure
{
    public static KubeApiException Explain(KubeApiException ex, Uri server, string? context, string? kubeconfigPath)
    {
        if (ex.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)) return ex;
        var (user, exec) = UserOf(kubeconfigPath, context);
        var where = $"{server.ToString().TrimEnd('/')} (context '{context ?? "in-cluster"}', user '{user ?? "in-cluster service account"}')";
        var what = Describe(ex.Method, ex.Path);
        // A server-side apply that would create the object is authorized as create too (kube-apiserver's patch
        // handler); refused that way, the 403 names no verb ("... is forbidden: ").
        if (ex.StatusCode == HttpStatusCode.Forbidden && ex.Method == "PATCH" && !ex.Message.Contains(" cannot ", StringComparison.Ordinal))
        {
            what = "create" + what["patch".Length..] + " (a server-side apply that creates an object needs create as well as patch)";
        }

        var message = ex.StatusCode == HttpStatusCode.Unauthorized
            ? $"The API server {where} did not accept the credentials to {what} ({ex.Message}): they are missing, wrong or expired. "
              + $"Refresh them the way this kubeconfig gets them{RefreshHint(server, exec)}, then run the command again."
            : $"The user may not {what} on {where}: {ex.Message}. "
              + "Ask a cluster administrator for a Role or ClusterRole binding that grants it, or use a context with more rights (-Context).";
        return new KubeApiException(ex.StatusCode, ex.Reason, message, ex.Method, ex.Path, ex.Target);
    }

    /// <summary>The kubeconfig user, its context and the server, as messages about what the user may do name them.</summary>
    public static string Who(Uri server, string? context, string? kubeconfigPath)
    {
        var (user, _) = UserOf(kubeconfigPath, context);
        return $"'{user ?? "in-cluster service account"}' (context '{context ?? "in-cluster"}' on {server.ToString().TrimEnd('/')})";
    }

    private static string RefreshHint(Uri server, string? exec) => exec switch
    {
        not null when exec.Contains("kubelogin", StringComparison.OrdinalIgnoreCase) =>
            " (its exec plugin kubelogin: `kubelogin convert-kubeconfig -l azurecli` after `az login`, or sign in again)",
        not null => $" (its exec plugin '{exec}': sign in again with it)",
        _ when server.Host.EndsWith(".azmk8s.io", StringComparison.OrdinalIgnoreCase) =>
            " (AKS: `az aks get-credentials --resource-group <group> --name <cluster> --overwrite-existing`, then `kubelogin convert-kubeconfig` for Entra ID clusters)",
        _ => " (for example `az aks get-credentials ... --overwrite-existing`, or `kubelogin convert-kubeconfig` for an exec plugin)",
    };

    /// <summary>The kubeconfig user of the context and its exec plugin command, when the kubeconfig can be read.</summary>
    private static (string? User, string? Exec) UserOf(string? kubeconfigPath, string? context)
    {
        if (kubeconfigPath is null || context is null) return (null, null);
        try
        {
            var model = KubeconfigReader.TryRead(kubeconfigPath, File.ReadAllText(kubeconfigPath));
            var userName = model?.Contexts?.FirstOrDefault(c => c.Name == context)?.ContextDetails?.User;
            var user = model?.Users?.FirstOrDefault(u => u.Name == userName);
            return (userName, user?.UserCredentials?.ExternalExecution?.Command);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
        {
            return (null, null);
        }
    }

    /// <summary>"create namespaces", "patch clusterroles.rbac.authorization.k8s.io istiod", "list pods in namespace x".</summary>
    public static string Describe(string method, string path)
    {
        var segs = path.Split('?')[0].Split('/', StringSplitOptions.RemoveEmptyEntries);
        int i;
        string group;
        if (segs.Length >= 3 && segs[0] == "api") { group = ""; i = 2; }
        else if (segs.Length >= 4 && segs[0] == "apis") { group = segs[1]; i = 3; }
        else return $"{method} {path}";
        string? ns = null;
        if (segs.Length > i + 2 && segs[i] == "namespaces") { ns = segs[i + 1]; i += 2; }
        var resource = segs[i];
        var name = segs.Length > i + 1 ? segs[i + 1] : null;
        var sub = segs.Length > i + 2 ? segs[i + 2] : null;
        var verb = method switch
        {
            "GET" => name is null ? (path.Contains("watch=true", StringComparison.Ordinal) ? "watch" : "list") : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
        var qualified = (sub is null ? resource : $"{resource}/{sub}") + (group.Length == 0 ? "" : $".{group}");
        return $"{verb} {qualified}{(name is null || (method == "POST" && sub is null) ? "" : $" '{name}'")}{(ns is null ? "" : $" in namespace '{ns}'")}";
    }
}
