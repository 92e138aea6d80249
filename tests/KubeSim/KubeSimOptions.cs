namespace KubeSim;

/// <summary>How a simulated API server behaves.</summary>
public sealed class KubeSimOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; } = 0;
    /// <summary>Delay added to every API request.</summary>
    public int LatencyMs { get; set; }
    /// <summary>How long pods stay ContainerCreating before they run and become ready.</summary>
    public int ReadyAfterMs { get; set; } = 300;
    /// <summary>Simulated nodes (kubesim-node-1..N); DaemonSets run one pod on each.</summary>
    public int Nodes { get; set; } = 1;
    /// <summary>Regular expression: pods with a matching image stay in ImagePullBackOff.</summary>
    public string? FailImage { get; set; }
    /// <summary>Serve HTTPS with a generated CA (written into the kubeconfig).</summary>
    public bool Tls { get; set; }
    /// <summary>Require this bearer token on API requests.</summary>
    public string? Token { get; set; }
    /// <summary>
    /// PEM file of a CA (kube-apiserver's --client-ca-file; needs <see cref="Tls"/>): clients may authenticate with a
    /// certificate it signed, whose CN is the user and O entries the groups. Requests then need a certificate or the token.
    /// </summary>
    public string? ClientCaFile { get; set; }
    /// <summary>
    /// Answer kubectl's aggregated-discovery Accept headers with apidiscovery.k8s.io/v2 documents, as a 1.32
    /// server does. Off by default: clients then get the plain answer and fall back to per-group discovery.
    /// </summary>
    public bool AggregatedDiscovery { get; set; }
    /// <summary>Run the controllers (workloads, pods, endpoints, ...). Off, objects change only by API requests.</summary>
    public bool Controllers { get; set; } = true;
    /// <summary>Ends every watch after this many seconds, as real API servers do after a few minutes (0: never).</summary>
    public int WatchTimeoutSeconds { get; set; }
    /// <summary>
    /// Events kept for watches that resume from a resourceVersion (etcd compaction); a watch from an older
    /// resourceVersion, or a continue token issued before it, answers 410 Expired.
    /// </summary>
    public int HistoryLimit { get; set; } = Storage.ObjectStore.DefaultHistoryLimit;
    /// <summary>The Kubernetes version <c>/version</c> reports: "1.32", "1.31.4" or "v1.30.2".</summary>
    public string ServerVersion { get; set; } = "1.32";
    /// <summary>The user the kubeconfig's credentials authenticate as (what 403s and access reviews name).</summary>
    public string UserName { get; set; } = "kubesim-admin";
    /// <summary>Deny rules, <c>verbs:resources[:namespaces][@subjects]</c>, for every user unless they name theirs (see <see cref="Api.DenyRule"/>).</summary>
    public List<string> Deny { get; set; } = [];
    /// <summary>
    /// Simulate a running istiod (Controllers/IstiodController): once an istiod Deployment of a revision is
    /// available, its webhooks get the mesh CA and validation fails closed, and every namespace gets the
    /// istio-ca-root-cert ConfigMap. On by default, as on a real cluster; off for bare-server tests.
    /// </summary>
    public bool Istiod { get; set; } = true;
}
