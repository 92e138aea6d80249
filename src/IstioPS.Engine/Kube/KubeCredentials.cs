using System.ComponentModel;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Authentication;
using k8s.KubeConfigModels;
using IstioPS.Rendering.Yaml;

namespace IstioPS.Engine.Kube;

/// <summary>
/// The credentials of a kubeconfig user that KubernetesClient does not read as kubectl does: <c>tokenFile</c>
/// (read again when the file changes, and at least once a minute, as client-go's cached file token source does)
/// and <c>exec</c> plugins (run by us, so that a failing plugin is reported with its exit code and what it
/// printed on stderr). And the one place that keeps credentials out of messages.
/// </summary>
internal static partial class KubeCredentials
{
    [GeneratedRegex(@"(?<=\b[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@")]
    private static partial Regex UserInfo();

    /// <summary>The text with any user and password written in a URL (https://user:pass@host) removed.</summary>
    public static string Redact(string text) => UserInfo().Replace(text, "");

    /// <summary>The URL without its user and password.</summary>
    public static Uri Redact(Uri uri) => string.IsNullOrEmpty(uri.UserInfo) ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;

    /// <summary>The user's <c>tokenFile</c>, which KubernetesClient's kubeconfig model has no field for (relative to the kubeconfig's folder).</summary>
    public static string? TokenFile(string kubeconfigPath, string? userName)
    {
        if (string.IsNullOrEmpty(userName)) return null;
        var root = GoYaml.Parse(File.ReadAllText(kubeconfigPath)) as Dictionary<string, object?>;
        var path = (root?.GetValueOrDefault("users") as List<object?>)?.OfType<Dictionary<string, object?>>()
            .Where(u => u.GetValueOrDefault("name") as string == userName)
            .Select(u => (u.GetValueOrDefault("user") as Dictionary<string, object?>)?.GetValueOrDefault("tokenFile") as string)
            .FirstOrDefault(p => !string.IsNullOrEmpty(p));
        return path is null ? null : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(kubeconfigPath)!, path));
    }

    /// <summary>A bearer token read from a file: again when the file changes, and at least once a minute.</summary>
    public sealed class FileTokenProvider : ITokenProvider
    {
        private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
        private readonly string _path;
        private readonly object _gate = new();
        private (string Token, DateTime Written, long Length, DateTime ReadAt)? _cached;

        public FileTokenProvider(string path) => _path = path;

        public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
        {
            var info = new FileInfo(_path);
            lock (_gate)
            {
                if (_cached is not { } c || !info.Exists || info.LastWriteTimeUtc != c.Written || info.Length != c.Length || DateTime.UtcNow - c.ReadAt > Period)
                {
                    string token;
                    try
                    {
                        token = File.ReadAllText(_path).Trim();
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new IstioPSException("CredentialUnavailable", ErrorKind.PermissionDenied,
                            $"The token file '{_path}' named by the kubeconfig cannot be read: {ex.Message}", _path, ex);
                    }

                    c = (token, info.LastWriteTimeUtc, info.Length, DateTime.UtcNow);
                    _cached = c;
                }

                return Task.FromResult(new AuthenticationHeaderValue("Bearer", c.Token));
            }
        }
    }

    /// <summary>
    /// An exec credential plugin (client.authentication.k8s.io), run the way client-go runs it: KUBERNETES_EXEC_INFO
    /// and the configured environment, a relative command resolved against the kubeconfig's folder, the ExecCredential
    /// read from stdout, its token kept until its expirationTimestamp.
    /// </summary>
    public sealed class ExecTokenProvider : ITokenProvider
    {
        private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
        private readonly ExternalExecution _exec;
        private readonly string _userName;
        private readonly string? _kubeconfigPath;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (string Token, DateTimeOffset? Expires)? _cached;

        public ExecTokenProvider(ExternalExecution exec, string userName, string? kubeconfigPath)
        {
            _exec = exec;
            _userName = userName;
            _kubeconfigPath = kubeconfigPath;
        }

        public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_cached is not { } c || (c.Expires is { } e && e - TimeSpan.FromSeconds(10) <= DateTimeOffset.UtcNow))
                {
                    c = await RunAsync(cancellationToken).ConfigureAwait(false);
                    _cached = c;
                }

                return new AuthenticationHeaderValue("Bearer", c.Token);
            }
            finally
            {
                _gate.Release();
            }
        }

        private async Task<(string Token, DateTimeOffset? Expires)> RunAsync(CancellationToken ct)
        {
            var command = _exec.Command ?? "";
            if (_kubeconfigPath is not null && !Path.IsPathRooted(command) && (command.Contains('/') || command.Contains('\\')))
            {
                command = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_kubeconfigPath)!, command));
            }

            var start = new ProcessStartInfo(command)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true, // nothing reads standard input: the plugin gets an empty one
                UseShellExecute = false,
            };
            foreach (var arg in _exec.Arguments ?? Array.Empty<string>()) start.ArgumentList.Add(arg);
            foreach (var variable in _exec.EnvironmentVariables ?? Array.Empty<Dictionary<string, string>>())
            {
                if (variable.TryGetValue("name", out var n) && variable.TryGetValue("value", out var v)) start.Environment[n] = v;
            }

            start.Environment["KUBERNETES_EXEC_INFO"] = new JsonObject
            {
                ["apiVersion"] = _exec.ApiVersion,
                ["kind"] = "ExecCredential",
                ["spec"] = new JsonObject { ["interactive"] = false },
            }.ToJsonString();

            using var process = new Process { StartInfo = start };
            try
            {
                process.Start();
            }
            catch (Win32Exception ex)
            {
                var hint = string.IsNullOrWhiteSpace(_exec.InstallHint) ? "" : $" {_exec.InstallHint.Trim()}";
                throw Failed("CredentialPluginNotFound", $"cannot be started: {ex.Message}.{hint}", ex);
            }

            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            var stderr = process.StandardError.ReadToEndAsync(ct);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
            limit.CancelAfter(Limit);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                ct.ThrowIfCancellationRequested();
                throw Failed("CredentialPluginFailed", $"did not finish within {Limit.TotalMinutes:0} minutes.", null);
            }

            var output = await stdout.ConfigureAwait(false);
            var errors = Shorten(await stderr.ConfigureAwait(false));
            if (process.ExitCode != 0)
            {
                throw Failed("CredentialPluginFailed", $"failed with exit code {process.ExitCode}{(errors.Length > 0 ? ": " + errors : " and printed nothing on stderr.")}", null);
            }

            JsonNode? credential;
            try
            {
                credential = JsonNode.Parse(output);
            }
            catch (JsonException)
            {
                credential = null;
            }

            // Never show what it printed on stdout: that is where credentials are.
            var token = (string?)credential?["status"]?["token"];
            if (string.IsNullOrEmpty(token))
            {
                throw Failed("CredentialPluginFailed", credential is null
                    ? "exited with 0 but did not print an ExecCredential (JSON) on stdout."
                    : "printed an ExecCredential without status.token (client certificates from plugins are not supported).", null);
            }

            var expires = (string?)credential?["status"]?["expirationTimestamp"] is { } text && DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : (DateTimeOffset?)null;
            return (token, expires);
        }

        private IstioPSException Failed(string errorId, string what, Exception? inner) => new(errorId, ErrorKind.SecurityError,
            Redact($"The credential plugin '{_exec.Command}' of the kubeconfig user '{_userName}'{(_kubeconfigPath is null ? "" : $" ({_kubeconfigPath})")} {what}"), _exec.Command, inner);

        private static string Shorten(string s)
        {
            s = s.Trim();
            return s.Length > 2000 ? s[..2000] + "..." : s;
        }
    }
}
