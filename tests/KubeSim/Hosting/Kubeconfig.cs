using System.Text;

namespace KubeSim.Hosting;

/// <summary>
/// Writes a kubeconfig whose cluster, user and context are all named "kubesim". Without a configured token
/// the user still gets a placeholder one (the server ignores it) because KubernetesClient refuses users
/// without credentials.
/// </summary>
public static class Kubeconfig
{
    public const string PlaceholderToken = "kubesim-no-auth";

    public static string Build(Uri server, string? caPem, string? token)
    {
        static string Q(string s) => "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        var sb = new StringBuilder();
        sb.Append("apiVersion: v1\nkind: Config\nclusters:\n- name: kubesim\n  cluster:\n");
        sb.Append("    server: ").Append(Q(server.ToString().TrimEnd('/'))).Append('\n');
        if (caPem is not null)
            sb.Append("    certificate-authority-data: ").Append(Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem))).Append('\n');
        sb.Append("users:\n- name: kubesim\n  user:\n    token: ").Append(Q(token ?? PlaceholderToken)).Append('\n');
        sb.Append("contexts:\n- name: kubesim\n  context:\n    cluster: kubesim\n    user: kubesim\n    namespace: default\n");
        sb.Append("current-context: kubesim\npreferences: {}\n");
        return sb.ToString();
    }
}
