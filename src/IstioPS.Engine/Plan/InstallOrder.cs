namespace IstioPS.Engine.Plan;

/// <summary>The order objects are applied in: what others depend on first, Services last.</summary>
public static class InstallOrder
{
    public static int Rank(string kind) => kind switch
    {
        "Namespace" => 0,
        "CustomResourceDefinition" => 1,
        "ServiceAccount" => 2,
        "ClusterRole" => 3,
        "ClusterRoleBinding" => 4,
        "Role" => 5,
        "RoleBinding" => 6,
        "ConfigMap" or "Secret" => 7,
        "MutatingWebhookConfiguration" or "ValidatingWebhookConfiguration" => 8,
        "Deployment" or "DaemonSet" or "StatefulSet" or "Job" or "ReplicaSet" or "Pod" => 10,
        "HorizontalPodAutoscaler" or "PodDisruptionBudget" => 11,
        "Service" or "Endpoints" => 12,
        _ => 9,
    };

    /// <summary>
    /// Objects of one tier are applied together, tiers one after another: namespaces, CRDs, then
    /// accounts, RBAC, configuration and webhooks (the API server lets none of these wait on another),
    /// then workloads (whose pods need the accounts, configuration and injection webhooks) with what only refers to
    /// them by name or selector (autoscalers, disruption budgets, Services), which nothing in the API makes wait.
    /// </summary>
    public static int Tier(string kind) => Rank(kind) switch
    {
        0 => 0,
        1 => 1,
        >= 2 and <= 9 => 2,
        _ => WorkloadTier,
    };

    /// <summary>The tier of workloads (and what refers to them), which starts once the CRDs are Established.</summary>
    public const int WorkloadTier = 4;
}
