using System.Text.Json.Nodes;
using KubeSim.Storage;

namespace KubeSim.Api;

/// <summary>
/// What kube-apiserver sets that clients did not: <see cref="Decode"/> is the defaulting of decoding
/// (SetDefaults_* of the kind's version: on every create and update, and after an apply's merge),
/// <see cref="OnCreate"/> what registries and strategies add to a new object (allocated cluster IPs and
/// node ports, initial status), <see cref="OnUpdate"/> what they keep on update.
/// </summary>
public sealed class Defaults
{
    int _nextIp = 10;
    int _nextNodePort = 30000;

    public void OnCreate(ResourceType rt, JsonObject obj)
    {
        if (rt.IsCustom) return;
        switch (rt.Group, rt.Kind)
        {
            case ("", "Namespace"):
                obj.Obj("spec")["finalizers"] = new JsonArray("kubernetes");
                obj.Obj("status")["phase"] = "Active";
                obj.Meta().Obj("labels")["kubernetes.io/metadata.name"] = obj.Name();
                break;
            case ("", "Service"):
                AllocateService(obj);
                break;
            case ("", "Pod"):
            {
                var spec = obj.Obj("spec");
                spec["serviceAccountName"] ??= "default";
                spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
                spec["enableServiceLinks"] ??= true;
                spec["priority"] ??= 0;
                spec["preemptionPolicy"] ??= "PreemptLowerPriority";
                spec["tolerations"] ??= new JsonArray(
                    new JsonObject { ["key"] = "node.kubernetes.io/not-ready", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 },
                    new JsonObject { ["key"] = "node.kubernetes.io/unreachable", ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = 300 });
                var status = obj.Obj("status");
                status["phase"] ??= "Pending";
                status["qosClass"] ??= QosClass(spec);
                break;
            }
        }
        Decode(rt, obj);
    }

    /// <summary>An update that leaves out what the Service registry allocated keeps it.</summary>
    public void OnUpdate(ResourceType rt, JsonObject old, JsonObject obj)
    {
        if (rt.IsCustom || rt.Group != "" || rt.Kind != "Service") return;
        if (old["spec"] is not JsonObject oldSpec || obj["spec"] is not JsonObject spec) return;
        if (spec.Str("type") == "ExternalName" || oldSpec.Str("type") == "ExternalName") return;
        foreach (var field in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy" })
            if (spec[field] is null or JsonArray { Count: 0 } || spec[field].AsString() == "")
                if (oldSpec[field] is JsonNode kept) spec[field] = kept.DeepClone();
    }

    /// <summary>The defaulting of decoding a request body of the kind's version.</summary>
    public void Decode(ResourceType rt, JsonObject obj)
    {
        if (rt.IsCustom) return;
        switch (rt.Group, rt.Kind)
        {
            case ("", "Service"):
                DefaultService(obj);
                break;
            case ("", "Secret"):
                obj["type"] ??= "Opaque";
                break;
            case ("", "Pod"):
                DefaultPodSpec(obj.Obj("spec"));
                break;
            case ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration" or "MutatingWebhookConfiguration"):
                DefaultWebhooks(obj, mutating: rt.Kind == "MutatingWebhookConfiguration");
                break;
            case ("apps", "Deployment"):
            {
                var spec = obj.Obj("spec");
                spec["replicas"] ??= 1;
                var strategy = spec.Obj("strategy");
                strategy["type"] ??= "RollingUpdate";
                if (strategy.Str("type") == "RollingUpdate")
                {
                    var rolling = strategy.Obj("rollingUpdate");
                    rolling["maxUnavailable"] ??= "25%";
                    rolling["maxSurge"] ??= "25%";
                }
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                DefaultTemplate(spec);
                break;
            }
            case ("apps", "ReplicaSet"):
                obj.Obj("spec")["replicas"] ??= 1;
                DefaultTemplate(obj.Obj("spec"));
                break;
            case ("apps", "StatefulSet"):
            {
                var spec = obj.Obj("spec");
                spec["replicas"] ??= 1;
                spec["podManagementPolicy"] ??= "OrderedReady";
                spec["revisionHistoryLimit"] ??= 10;
                var strategy = spec.Obj("updateStrategy");
                if (strategy["type"] is null)
                {
                    strategy["type"] = "RollingUpdate";
                    strategy.Obj("rollingUpdate");
                }
                if (strategy.Str("type") == "RollingUpdate" && strategy["rollingUpdate"] is JsonObject rolling) rolling["partition"] ??= 0;
                var retention = spec.Obj("persistentVolumeClaimRetentionPolicy");
                retention["whenDeleted"] ??= "Retain";
                retention["whenScaled"] ??= "Retain";
                DefaultTemplate(spec);
                break;
            }
            case ("apps", "DaemonSet"):
            {
                var spec = obj.Obj("spec");
                spec["revisionHistoryLimit"] ??= 10;
                var strategy = spec.Obj("updateStrategy");
                strategy["type"] ??= "RollingUpdate";
                if (strategy.Str("type") == "RollingUpdate")
                {
                    var rolling = strategy.Obj("rollingUpdate");
                    rolling["maxUnavailable"] ??= 1;
                    rolling["maxSurge"] ??= 0;
                }
                DefaultTemplate(spec);
                break;
            }
            case ("batch", "Job"):
                DefaultJob(obj);
                break;
            case ("rbac.authorization.k8s.io", "RoleBinding" or "ClusterRoleBinding"):
                DefaultRoleBinding(obj);
                break;
            case ("autoscaling", "HorizontalPodAutoscaler"):
                DefaultHpa(obj.Obj("spec"));
                break;
            case ("networking.k8s.io", "NetworkPolicy"):
                DefaultNetworkPolicy(obj.Obj("spec"));
                break;
            case ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"):
            {
                var spec = obj.Obj("spec");
                spec["failurePolicy"] ??= "Fail";
                if (spec["matchConstraints"] is JsonObject match) DefaultMatchResources(match);
                break;
            }
            case ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"):
                if (obj.At("spec", "matchResources") is JsonObject bindingMatch) DefaultMatchResources(bindingMatch);
                break;
        }
    }

    /// <summary>SetDefaults_HorizontalPodAutoscaler of autoscaling/v2 (1.32): one replica at least, 80% CPU, and a behavior's rules filled in.</summary>
    static void DefaultHpa(JsonObject spec)
    {
        spec["minReplicas"] ??= 1;
        if (spec["metrics"] is not JsonArray { Count: > 0 })
            spec["metrics"] = new JsonArray(new JsonObject
            {
                ["type"] = "Resource",
                ["resource"] = new JsonObject
                {
                    ["name"] = "cpu",
                    ["target"] = new JsonObject { ["type"] = "Utilization", ["averageUtilization"] = 80 },
                },
            });
        if (spec["behavior"] is not JsonObject behavior) return;
        behavior["scaleUp"] = ScalingRules(behavior["scaleUp"] as JsonObject, scaleUp: true);
        behavior["scaleDown"] = ScalingRules(behavior["scaleDown"] as JsonObject, scaleUp: false);

        static JsonObject ScalingRules(JsonObject? given, bool scaleUp)
        {
            static JsonObject Policy(string type, int value) => new() { ["type"] = type, ["value"] = value, ["periodSeconds"] = 15 };
            var rules = new JsonObject
            {
                ["selectPolicy"] = "Max",
                ["policies"] = scaleUp ? new JsonArray(Policy("Pods", 4), Policy("Percent", 100)) : new JsonArray(Policy("Percent", 100)),
            };
            if (scaleUp) rules["stabilizationWindowSeconds"] = 0;
            foreach (var field in new[] { "selectPolicy", "stabilizationWindowSeconds", "policies" })
                if (given?[field] is JsonNode value) rules[field] = value.DeepClone();
            return rules;
        }
    }

    /// <summary>SetDefaults of networking/v1 NetworkPolicies: Ingress (and Egress with egress rules), ports over TCP.</summary>
    static void DefaultNetworkPolicy(JsonObject spec)
    {
        if (spec["policyTypes"] is not JsonArray { Count: > 0 })
            spec["policyTypes"] = spec["egress"] is JsonArray { Count: > 0 } ? new JsonArray("Ingress", "Egress") : new JsonArray("Ingress");
        foreach (var direction in new[] { "ingress", "egress" })
            if (spec[direction] is JsonArray rules)
                foreach (var rule in rules.OfType<JsonObject>())
                    if (rule["ports"] is JsonArray ports)
                        foreach (var port in ports.OfType<JsonObject>()) port["protocol"] ??= "TCP";
    }

    /// <summary>SetDefaults_MatchResources (and SetDefaults_Rule of its rules) of admissionregistration/v1 policies.</summary>
    static void DefaultMatchResources(JsonObject match)
    {
        match["matchPolicy"] ??= "Equivalent";
        match["namespaceSelector"] ??= new JsonObject();
        match["objectSelector"] ??= new JsonObject();
        foreach (var list in new[] { "resourceRules", "excludeResourceRules" })
            if (match[list] is JsonArray rules)
                foreach (var rule in rules.OfType<JsonObject>()) rule["scope"] ??= "*";
    }

    /// <summary>SetDefaults of rbac/v1 bindings and subjects: users and groups are of the RBAC API group.</summary>
    static void DefaultRoleBinding(JsonObject obj)
    {
        const string rbac = "rbac.authorization.k8s.io";
        var roleRef = obj.Obj("roleRef");
        if (string.IsNullOrEmpty(roleRef.Str("apiGroup"))) roleRef["apiGroup"] = rbac;
        if (obj["subjects"] is JsonArray subjects)
            foreach (var subject in subjects.OfType<JsonObject>())
                if (string.IsNullOrEmpty(subject.Str("apiGroup")) && subject.Str("kind") is "User" or "Group") subject["apiGroup"] = rbac;
    }

    /// <summary>Guaranteed when every container's requests equal its limits, BestEffort without any, else Burstable.</summary>
    static string QosClass(JsonObject podSpec)
    {
        var containers = (podSpec["containers"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var resources = containers.Select(c => (Requests: Json.StringMap(c.At("resources", "requests")), Limits: Json.StringMap(c.At("resources", "limits")))).ToList();
        if (resources.All(r => r.Requests.Count == 0 && r.Limits.Count == 0)) return "BestEffort";
        var guaranteed = resources.All(r => r.Limits.ContainsKey("cpu") && r.Limits.ContainsKey("memory")
            && r.Limits.All(l => !r.Requests.TryGetValue(l.Key, out var req) || req == l.Value));
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    static void DefaultTemplate(JsonObject spec)
    {
        var template = spec.Obj("template");
        DefaultPodSpec(template.Obj("spec"));
    }

    /// <summary>
    /// SetDefaults_PodSpec and the defaults of the types within (containers, probes, HTTP actions, volume sources,
    /// field selectors), and the v1 conversion's serviceAccount alias of serviceAccountName: of Pods and of every
    /// workload's pod template alike.
    /// </summary>
    static void DefaultPodSpec(JsonObject podSpec)
    {
        podSpec["restartPolicy"] ??= "Always";
        podSpec["terminationGracePeriodSeconds"] ??= 30;
        podSpec["dnsPolicy"] ??= "ClusterFirst";
        podSpec["securityContext"] ??= new JsonObject();
        podSpec["schedulerName"] ??= "default-scheduler";
        if (!string.IsNullOrEmpty(podSpec.Str("serviceAccountName"))) podSpec["serviceAccount"] = podSpec.Str("serviceAccountName");
        else if (!string.IsNullOrEmpty(podSpec.Str("serviceAccount"))) podSpec["serviceAccountName"] = podSpec.Str("serviceAccount");
        foreach (var list in new[] { "containers", "initContainers" })
            if (podSpec[list] is JsonArray containers)
                foreach (var c in containers.OfType<JsonObject>())
                {
                    var image = c.Str("image") ?? "";
                    var tag = image.Contains('@') ? "digest" : image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
                    c["imagePullPolicy"] ??= tag == "latest" ? "Always" : "IfNotPresent";
                    c["terminationMessagePath"] ??= "/dev/termination-log";
                    c["terminationMessagePolicy"] ??= "File";
                    c["resources"] ??= new JsonObject();
                    if (c["ports"] is JsonArray ports)
                        foreach (var p in ports.OfType<JsonObject>()) p["protocol"] ??= "TCP";
                    foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
                        if (c[probe] is JsonObject pr)
                        {
                            DefaultProbe(pr);
                            DefaultHttpGet(pr["httpGet"]);
                        }
                    if (c["lifecycle"] is JsonObject lifecycle)
                        foreach (var hook in new[] { "postStart", "preStop" }) DefaultHttpGet(lifecycle[hook]?["httpGet"]);
                    if (c["env"] is JsonArray env)
                        foreach (var e in env.OfType<JsonObject>()) DefaultFieldRef(e["valueFrom"]?["fieldRef"]);
                }
        if (podSpec["volumes"] is JsonArray volumes)
            foreach (var v in volumes.OfType<JsonObject>()) DefaultVolume(v);
    }

    static void DefaultProbe(JsonObject probe)
    {
        foreach (var (field, value) in new[] { ("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3) })
            if (probe[field] is null || probe[field]!.ToJsonString() == "0") probe[field] = value;
    }

    static void DefaultHttpGet(JsonNode? action)
    {
        if (action is not JsonObject get) return;
        if (string.IsNullOrEmpty(get.Str("path"))) get["path"] = "/";
        if (string.IsNullOrEmpty(get.Str("scheme"))) get["scheme"] = "HTTP";
    }

    static void DefaultFieldRef(JsonNode? fieldRef)
    {
        if (fieldRef is JsonObject f && string.IsNullOrEmpty(f.Str("apiVersion"))) f["apiVersion"] = "v1";
    }

    /// <summary>SetDefaults_Volume and its sources: an emptyDir without a source, file modes 0644, hostPath type "", token lifetimes of an hour.</summary>
    static void DefaultVolume(JsonObject volume)
    {
        const int fileMode = 420;
        if (!volume.Any(kv => kv.Key != "name" && kv.Value is not null)) volume["emptyDir"] = new JsonObject();
        foreach (var source in new[] { "secret", "configMap", "downwardAPI", "projected" })
            if (volume[source] is JsonObject s) s["defaultMode"] ??= fileMode;
        if (volume["hostPath"] is JsonObject hostPath) hostPath["type"] ??= "";
        foreach (var item in (volume.At("downwardAPI", "items") as JsonArray ?? []).OfType<JsonObject>()) DefaultFieldRef(item["fieldRef"]);
        foreach (var projection in (volume.At("projected", "sources") as JsonArray ?? []).OfType<JsonObject>())
        {
            if (projection["serviceAccountToken"] is JsonObject token) token["expirationSeconds"] ??= 3600;
            foreach (var item in (projection.At("downwardAPI", "items") as JsonArray ?? []).OfType<JsonObject>()) DefaultFieldRef(item["fieldRef"]);
        }
    }

    /// <summary>SetDefaults_Service: type, session affinity, traffic policies, ports' protocol and targetPort.</summary>
    static void DefaultService(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        spec["sessionAffinity"] ??= "None";
        if (spec.Str("sessionAffinity") == "None") spec.Remove("sessionAffinityConfig");
        var type = spec.Str("type") ?? "ClusterIP";
        spec["type"] = type;
        if (spec["ports"] is JsonArray ports)
            foreach (var p in ports.OfType<JsonObject>())
            {
                p["protocol"] ??= "TCP";
                if (p["targetPort"] is null || p["targetPort"].AsString() == "" || p["targetPort"]!.ToJsonString() == "0")
                    p["targetPort"] = p["port"]?.DeepClone();
            }
        if (type is "NodePort" or "LoadBalancer") spec["externalTrafficPolicy"] ??= "Cluster";
        if (type is "NodePort" or "LoadBalancer" or "ClusterIP") spec["internalTrafficPolicy"] ??= "Cluster";
        if (type == "LoadBalancer") spec["allocateLoadBalancerNodePorts"] ??= true;
        if (spec.Str("sessionAffinity") == "ClientIP" && spec.At("sessionAffinityConfig", "clientIP", "timeoutSeconds") is null)
            spec["sessionAffinityConfig"] = new JsonObject { ["clientIP"] = new JsonObject { ["timeoutSeconds"] = 10800 } };
    }

    /// <summary>What the Service registry allocates on create: cluster IPs, IP families, node ports.</summary>
    void AllocateService(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        var type = spec.Str("type") ?? "ClusterIP";
        if (type != "ExternalName")
        {
            if (spec.Str("clusterIP") is null or "")
            {
                var n = Interlocked.Increment(ref _nextIp);
                spec["clusterIP"] = $"10.96.{n / 250}.{n % 250 + 1}";
            }
            spec["clusterIPs"] ??= new JsonArray(spec.Str("clusterIP"));
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
        }
        if (type is "NodePort" or "LoadBalancer" && spec["ports"] is JsonArray ports)
            foreach (var p in ports.OfType<JsonObject>())
                if (p["nodePort"] is null) p["nodePort"] = Interlocked.Increment(ref _nextNodePort);
        obj.Obj("status")["loadBalancer"] ??= new JsonObject();
    }

    /// <summary>SetDefaults of admissionregistration/v1 webhooks, their rules and service references.</summary>
    static void DefaultWebhooks(JsonObject obj, bool mutating)
    {
        if (obj["webhooks"] is not JsonArray hooks) return;
        foreach (var hook in hooks.OfType<JsonObject>())
        {
            hook["failurePolicy"] ??= "Fail";
            hook["matchPolicy"] ??= "Equivalent";
            hook["namespaceSelector"] ??= new JsonObject();
            hook["objectSelector"] ??= new JsonObject();
            hook["timeoutSeconds"] ??= 10;
            if (mutating) hook["reinvocationPolicy"] ??= "Never";
            if (hook["rules"] is JsonArray rules)
                foreach (var rule in rules.OfType<JsonObject>()) rule["scope"] ??= "*";
            if (hook.At("clientConfig", "service") is JsonObject service) service["port"] ??= 443;
        }
    }

    static void DefaultJob(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        spec["parallelism"] ??= 1;
        spec["completions"] ??= 1;
        spec["backoffLimit"] ??= 6;
        spec["completionMode"] ??= "NonIndexed";
        spec["suspend"] ??= false;
        var uid = obj.Uid();
        if (spec["selector"] is null && uid.Length > 0)
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
            var labels = spec.Obj("template").Obj("metadata").Obj("labels");
            labels["batch.kubernetes.io/controller-uid"] = uid;
            labels["batch.kubernetes.io/job-name"] = obj.Name();
            labels["controller-uid"] = uid;
            labels["job-name"] = obj.Name();
        }
        var podSpec = spec.Obj("template").Obj("spec");
        podSpec["restartPolicy"] ??= "Never";
        DefaultPodSpec(podSpec);
    }
}
