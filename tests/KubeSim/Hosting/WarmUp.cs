using KubeSim.Api;

namespace KubeSim.Hosting;

/// <summary>
/// The requests <see cref="RequestPipeline.WarmAsync"/> runs before the server announces itself: every discovery
/// document, the forms of a list a client asks (paged, labelled, metadata only, a table), a read of something absent,
/// an access review, and a dry run of a namespace create and of a server-side apply of every kind an Istio install
/// writes (a small CRD among them). Dry runs store nothing and send no watch event: the server starts empty.
/// </summary>
static class WarmUp
{
    public readonly record struct Request(string Method, string Path, string Query, string Accept, string? ContentType, string? Body);

    const string Json = "application/json";
    const string Apply = "application/apply-patch+yaml";
    const string ApplyQuery = "?fieldManager=kubesim-warm&force=true&dryRun=All";
    const string Labelled = "?limit=500&labelSelector=app.kubernetes.io%2Fname%3Dkubesim-warm";

    /// <summary>Small valid objects of the kinds an install writes, with their apiVersion and plural.</summary>
    static readonly (string ApiVersion, string Kind, string Plural, bool Namespaced, string Fields)[] Objects =
    [
        ("v1", "ServiceAccount", "serviceaccounts", true, ""),
        ("v1", "ConfigMap", "configmaps", true, ",\"data\":{\"k\":\"v\"}"),
        ("v1", "Secret", "secrets", true, ",\"type\":\"Opaque\",\"data\":{\"k\":\"dg==\"}"),
        ("v1", "Service", "services", true, ",\"spec\":{\"selector\":{\"app\":\"w\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":8080}]}"),
        ("apps/v1", "Deployment", "deployments", true,
            ",\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"w\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"w\"}},\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"example/w:1\",\"ports\":[{\"containerPort\":80}],\"env\":[{\"name\":\"A\",\"value\":\"b\"}],\"readinessProbe\":{\"httpGet\":{\"path\":\"/\",\"port\":80}}}]}}}"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", "clusterroles", false, ",\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]"),
        ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "clusterrolebindings", false,
            ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"w\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"w\",\"namespace\":\"default\"}]"),
        ("rbac.authorization.k8s.io/v1", "Role", "roles", true, ",\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]"),
        ("rbac.authorization.k8s.io/v1", "RoleBinding", "rolebindings", true,
            ",\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"w\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"w\",\"namespace\":\"default\"}]"),
        ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, Webhooks),
        ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, Webhooks),
        ("policy/v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ",\"spec\":{\"minAvailable\":1,\"selector\":{\"matchLabels\":{\"app\":\"w\"}}}"),
        ("autoscaling/v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true,
            ",\"spec\":{\"scaleTargetRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"w\"},\"minReplicas\":1,\"maxReplicas\":2,\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":80}}}]}"),
        ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "customresourcedefinitions", false,
            ",\"spec\":{\"group\":\"warm.kubesim.io\",\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\",\"kind\":\"Widget\",\"listKind\":\"WidgetList\"},\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"properties\":{\"spec\":{\"type\":\"object\",\"properties\":{\"size\":{\"type\":\"integer\"},\"names\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}}}}}}}]}"),
    ];

    const string Webhooks = ",\"webhooks\":[{\"name\":\"w.kubesim.io\",\"clientConfig\":{\"service\":{\"name\":\"w\",\"namespace\":\"default\",\"path\":\"/w\"}},\"rules\":[{\"operations\":[\"CREATE\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"]}],\"sideEffects\":\"None\",\"admissionReviewVersions\":[\"v1\"]}]";

    public static IEnumerable<Request> Requests(ResourceRegistry registry)
    {
        yield return new("GET", "/version", "", Json, null, null);
        yield return new("GET", "/api", "", Json, null, null);
        yield return new("GET", "/apis", "", Json, null, null);
        yield return new("GET", "/api/v1", "", Json, null, null);
        foreach (var gv in registry.All.Where(rt => rt.Group.Length > 0).Select(rt => rt.GroupVersion).Distinct())
            yield return new("GET", "/apis/" + gv, "", Json, null, null);
        yield return new("GET", "/api/v1/namespaces", "?limit=2", Json, null, null);
        yield return new("GET", "/api/v1/namespaces", "?limit=2", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1", null, null);
        yield return new("GET", "/api/v1/namespaces", "?limit=2", "application/json;as=Table;v=v1;g=meta.k8s.io", null, null);
        yield return new("GET", "/api/v1/namespaces/default", "", Json, null, null);
        yield return new("GET", "/api/v1/namespaces/kubesim-warm", "", Json, null, null);
        yield return new("POST", "/api/v1/namespaces", "?dryRun=All&fieldManager=kubesim-warm", Json, Json, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"kubesim-warm\"}}");
        yield return new("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "", Json, Json,
            "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{\"resourceAttributes\":{\"verb\":\"create\",\"group\":\"apps\",\"resource\":\"deployments\",\"namespace\":\"default\"}}}");
        foreach (var (apiVersion, kind, plural, namespaced, fields) in Objects)
        {
            var collection = (apiVersion.Contains('/') ? "/apis/" : "/api/") + apiVersion + (namespaced ? "/namespaces/default/" : "/") + plural;
            var name = kind == "CustomResourceDefinition" ? "widgets.warm.kubesim.io" : "kubesim-warm";
            var body = $"{{\"apiVersion\":\"{apiVersion}\",\"kind\":\"{kind}\",\"metadata\":{{\"name\":\"{name}\",\"labels\":{{\"app.kubernetes.io/name\":\"kubesim-warm\"}}}}{fields}}}";
            yield return new("GET", collection, Labelled, Json, null, null);
            yield return new("GET", collection + "/" + name, "", Json, null, null);
            yield return new("PATCH", collection + "/" + name, ApplyQuery, Json, Apply, body);
        }
    }
}
