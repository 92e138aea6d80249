namespace KubeSim.Api;

/// <summary>The built-in resources KubeSim serves, with the names, short names and categories kube-apiserver 1.32 declares.</summary>
public static class BuiltinResources
{
    static readonly string[] NoCollectionDelete = ["create", "delete", "get", "list", "patch", "update", "watch"];

    static ResourceType R(string group, string version, string kind, string plural, bool ns,
        string[]? shortNames = null, string[]? categories = null, string[]? sub = null, bool generation = false,
        string[]? verbs = null) => new()
    {
        Group = group,
        Version = version,
        Kind = kind,
        Plural = plural,
        Singular = kind.ToLowerInvariant(),
        Namespaced = ns,
        ShortNames = shortNames ?? [],
        Categories = categories ?? [],
        Subresources = sub ?? [],
        HasGeneration = generation,
        Verbs = verbs ?? ResourceType.AllVerbs,
    };

    static readonly string[] All = ["all"];
    static readonly string[] Status = ["status"];
    static readonly string[] StatusScale = ["scale", "status"];

    public static IReadOnlyList<ResourceType> Create() =>
    [
        R("", "v1", "ConfigMap", "configmaps", true, ["cm"]),
        R("", "v1", "Endpoints", "endpoints", true, ["ep"]),
        R("", "v1", "Event", "events", true, ["ev"]),
        R("", "v1", "LimitRange", "limitranges", true, ["limits"]),
        R("", "v1", "Namespace", "namespaces", false, ["ns"], sub: ["finalize", "status"], verbs: NoCollectionDelete),
        R("", "v1", "Node", "nodes", false, ["no"], sub: ["proxy", "status"]),
        R("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], sub: Status),
        R("", "v1", "PersistentVolume", "persistentvolumes", false, ["pv"], sub: Status),
        R("", "v1", "Pod", "pods", true, ["po"], All, ["binding", "eviction", "exec", "log", "status"]),
        R("", "v1", "PodTemplate", "podtemplates", true),
        R("", "v1", "ReplicationController", "replicationcontrollers", true, ["rc"], All, StatusScale, true),
        R("", "v1", "ResourceQuota", "resourcequotas", true, ["quota"], sub: Status),
        R("", "v1", "Secret", "secrets", true),
        R("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"]),
        R("", "v1", "Service", "services", true, ["svc"], All, ["proxy", "status"], verbs: NoCollectionDelete),

        R("apps", "v1", "ControllerRevision", "controllerrevisions", true),
        R("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"], All, Status, true),
        R("apps", "v1", "Deployment", "deployments", true, ["deploy"], All, StatusScale, true),
        R("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"], All, StatusScale, true),
        R("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], All, StatusScale, true),

        R("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, ["hpa"], All, Status),

        R("batch", "v1", "CronJob", "cronjobs", true, ["cj"], All, Status, true),
        R("batch", "v1", "Job", "jobs", true, null, All, Status, true),

        R("networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, generation: true),
        R("networking.k8s.io", "v1", "Ingress", "ingresses", true, ["ing"], sub: Status, generation: true),
        R("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, ["netpol"], generation: true),

        R("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], sub: Status, generation: true),

        R("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false),
        R("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false),
        R("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true),
        R("rbac.authorization.k8s.io", "v1", "Role", "roles", true),

        R("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, ["sc"]),

        R("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, categories: ["api-extensions"], generation: true),
        R("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, categories: ["api-extensions"], generation: true),
        R("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, categories: ["api-extensions"], sub: Status, generation: true),
        R("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false, categories: ["api-extensions"], generation: true),

        R("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd", "crds"], ["api-extensions"], Status, true),

        R("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, ["pc"]),

        R("coordination.k8s.io", "v1", "Lease", "leases", true),

        R("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true),

        R("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", true, verbs: ["create"]),
        R("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, verbs: ["create"]),
        R("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", false, verbs: ["create"]),
        R("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", false, verbs: ["create"]),
    ];

    /// <summary>Group order of /apis on a real 1.32 server (custom groups follow, sorted).</summary>
    public static readonly string[] GroupOrder =
    [
        "", "apps", "autoscaling", "batch", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
        "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
        "coordination.k8s.io", "discovery.k8s.io", "authorization.k8s.io",
    ];
}
