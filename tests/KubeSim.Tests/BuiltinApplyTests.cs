using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace KubeSim.Tests;

/// <summary>
/// Server-side apply of the built-in kinds an Istio install writes, with kube-apiserver 1.32's merge schema
/// (Apply/BuiltinSchema.json) and defaulting: atomic lists, maps and structs own as a whole, defaults come once
/// and a re-apply of the same configuration changes nothing.
/// </summary>
public class BuiltinApplyTests
{
    static V1Patch Apply(string json) => new(json, V1Patch.PatchType.ApplyPatch);

    static JsonNode Fields(V1ManagedFieldsEntry entry) => JsonNode.Parse(JsonSerializer.Serialize(entry.FieldsV1))!;

    static JsonNode Json(object o) => JsonNode.Parse(KubernetesJson.Serialize(o))!;

    const string Ztunnel = """
        {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ztunnel","labels":{"app":"ztunnel"}},
         "spec":{"selector":{"matchLabels":{"app":"ztunnel"}},
          "template":{"metadata":{"labels":{"app":"ztunnel"}},
           "spec":{"nodeSelector":{"kubernetes.io/os":"linux"},
            "tolerations":[{"effect":"NoSchedule","operator":"Exists"},{"key":"CriticalAddonsOnly","operator":"Exists"}],
            "affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{"nodeSelectorTerms":[{"matchExpressions":[{"key":"kubernetes.io/os","operator":"In","values":["linux"]}]}]}}},
            "containers":[{"name":"istio-proxy","image":"docker.io/istio/ztunnel:1.30.3","ports":[{"containerPort":15020,"name":"ztunnel-stats"}],
              "env":[{"name":"CA_ADDRESS","value":"istiod.istio-system.svc:15012"}],
              "volumeMounts":[{"mountPath":"/var/run/secrets/istio","name":"istiod-ca-cert"}]}],
            "volumes":[{"name":"istiod-ca-cert","configMap":{"name":"istio-ca-root-cert"}}]}}}}
        """;

    [Fact]
    public async Task DaemonSetIsDefaultedAsKubeApiserverAndAReapplyChangesNothing()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        var apps = sim.Client.AppsV1;
        var first = await apps.PatchNamespacedDaemonSetAsync(Apply(Ztunnel), "ztunnel", "default", fieldManager: "istiops");
        var spec = Json(first)["spec"]!;
        Assert.Equal("""{"rollingUpdate":{"maxSurge":0,"maxUnavailable":1},"type":"RollingUpdate"}""", spec["updateStrategy"]!.ToJsonString());
        Assert.Equal(10, (int)spec["revisionHistoryLimit"]!);
        var pod = spec["template"]!["spec"]!;
        Assert.Equal("Always", (string?)pod["restartPolicy"]);
        Assert.Equal("ClusterFirst", (string?)pod["dnsPolicy"]);
        Assert.Equal("default-scheduler", (string?)pod["schedulerName"]);
        Assert.Equal(30, (int)pod["terminationGracePeriodSeconds"]!);
        var container = pod["containers"]![0]!;
        Assert.Equal("IfNotPresent", (string?)container["imagePullPolicy"]);
        Assert.Equal("TCP", (string?)container["ports"]![0]!["protocol"]);
        Assert.Equal("/dev/termination-log", (string?)container["terminationMessagePath"]);
        Assert.Equal(420, (int)pod["volumes"]![0]!["configMap"]!["defaultMode"]!);
        Assert.Equal(1, first.Metadata.Generation);

        // The schema's markers: nodeSelector is an atomic map, tolerations an atomic list, a node selector an
        // atomic struct, volume mounts a list keyed by mountPath; the defaults are owned by no one.
        var owned = Fields(Assert.Single(first.Metadata.ManagedFields))["f:spec"]!;
        var podFields = owned["f:template"]!["f:spec"]!;
        Assert.Equal("{}", podFields["f:nodeSelector"]!.ToJsonString());
        Assert.Equal("{}", podFields["f:tolerations"]!.ToJsonString());
        Assert.Equal("{}", podFields["f:affinity"]!["f:nodeAffinity"]!["f:requiredDuringSchedulingIgnoredDuringExecution"]!.ToJsonString());
        var containerFields = podFields["f:containers"]!["k:{\"name\":\"istio-proxy\"}"]!;
        Assert.NotNull(containerFields["f:volumeMounts"]!["k:{\"mountPath\":\"/var/run/secrets/istio\"}"]);
        Assert.NotNull(containerFields["f:ports"]!["k:{\"containerPort\":15020,\"protocol\":\"TCP\"}"]);
        Assert.Null(owned["f:updateStrategy"]);
        Assert.Null(owned["f:revisionHistoryLimit"]);

        var again = await apps.PatchNamespacedDaemonSetAsync(Apply(Ztunnel), "ztunnel", "default", fieldManager: "istiops");
        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);
        Assert.Equal(1, again.Metadata.Generation);
        sim.Server.ClearRequests();
        var dry = await apps.PatchNamespacedDaemonSetAsync(Apply(Ztunnel), "ztunnel", "default", fieldManager: "istiops", dryRun: "All");
        Assert.Equal(first.Metadata.ResourceVersion, dry.Metadata.ResourceVersion);
        Assert.Equal(Json(first)["spec"]!.ToJsonString(), Json(dry)["spec"]!.ToJsonString());

        // Another manager's toleration replaces the list whole: a conflict with the installer, not a merge.
        const string other = """{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"ztunnel"},"spec":{"template":{"spec":{"tolerations":[{"operator":"Exists"}]}}}}""";
        var conflict = await StatusAssert.Fails(409, () => apps.PatchNamespacedDaemonSetAsync(Apply(other), "ztunnel", "default", fieldManager: "ops"));
        Assert.Contains("conflict with \"istiops\": .spec.template.spec.tolerations", (string?)conflict["message"]);
    }

    [Fact]
    public async Task PodDisruptionBudgetOwnsItsSelectorWholeAndRefusesBothBounds()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        var policy = sim.Client.PolicyV1;
        const string pdb = """{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"istiod"},"spec":{"minAvailable":1,"selector":{"matchLabels":{"app":"istiod","istio.io/rev":"default"}}}}""";
        var first = await policy.PatchNamespacedPodDisruptionBudgetAsync(Apply(pdb), "istiod", "default", fieldManager: "istiops");
        Assert.Equal(1, first.Metadata.Generation);
        Assert.Equal("{}", Fields(Assert.Single(first.Metadata.ManagedFields))["f:spec"]!["f:selector"]!.ToJsonString());
        var again = await policy.PatchNamespacedPodDisruptionBudgetAsync(Apply(pdb), "istiod", "default", fieldManager: "istiops");
        Assert.Equal(first.Metadata.ResourceVersion, again.Metadata.ResourceVersion);

        var both = await StatusAssert.Fails(422, () => policy.PatchNamespacedPodDisruptionBudgetAsync(
            Apply("""{"apiVersion":"policy/v1","kind":"PodDisruptionBudget","metadata":{"name":"istiod"},"spec":{"maxUnavailable":1}}"""),
            "istiod", "default", fieldManager: "ops"));
        Assert.Equal("PodDisruptionBudget.policy \"istiod\" is invalid: spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set",
            (string?)both["message"]);

        // The owner switching from minAvailable to maxUnavailable drops the field it no longer applies.
        var switched = await policy.PatchNamespacedPodDisruptionBudgetAsync(Apply(pdb.Replace("\"minAvailable\":1", "\"maxUnavailable\":1")), "istiod", "default", fieldManager: "istiops");
        Assert.Null(switched.Spec.MinAvailable);
        Assert.Equal("1", switched.Spec.MaxUnavailable.Value);
        Assert.Equal(2, switched.Metadata.Generation);
    }

    [Fact]
    public async Task RbacRulesAndSubjectsAreAtomicAndBindingsAreDefaulted()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        var rbac = sim.Client.RbacAuthorizationV1;
        const string role = """{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"ClusterRole","metadata":{"name":"istio-reader"},"rules":[{"apiGroups":[""],"resources":["pods","services"],"verbs":["get","list","watch"]}]}""";
        var created = await rbac.PatchClusterRoleAsync(Apply(role), "istio-reader", fieldManager: "istiops");
        Assert.Equal("{}", Fields(Assert.Single(created.Metadata.ManagedFields))["f:rules"]!.ToJsonString());
        var conflict = await StatusAssert.Fails(409, () => rbac.PatchClusterRoleAsync(Apply(role.Replace("\"watch\"", "\"patch\"")), "istio-reader", fieldManager: "ops"));
        Assert.Contains(".rules", (string?)conflict["message"]);
        // The same rules applied by a second manager are owned by both.
        var shared = await rbac.PatchClusterRoleAsync(Apply(role), "istio-reader", fieldManager: "ops");
        Assert.Equal(2, shared.Metadata.ManagedFields.Count(m => Fields(m)["f:rules"] is not null));

        const string binding = """
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"istiod"},
             "roleRef":{"kind":"Role","name":"istiod"},
             "subjects":[{"kind":"ServiceAccount","name":"istiod","namespace":"istio-system"},{"kind":"Group","name":"mesh-admins"}]}
            """;
        var rb = await rbac.PatchNamespacedRoleBindingAsync(Apply(binding), "istiod", "default", fieldManager: "istiops");
        Assert.Equal("rbac.authorization.k8s.io", rb.RoleRef.ApiGroup);
        Assert.Null(rb.Subjects[0].ApiGroup);
        Assert.Equal("rbac.authorization.k8s.io", rb.Subjects[1].ApiGroup);
        var owned = Fields(Assert.Single(rb.Metadata.ManagedFields));
        Assert.Equal("{}", owned["f:roleRef"]!.ToJsonString());
        Assert.Equal("{}", owned["f:subjects"]!.ToJsonString());
        var rbAgain = await rbac.PatchNamespacedRoleBindingAsync(Apply(binding), "istiod", "default", fieldManager: "istiops");
        Assert.Equal(rb.Metadata.ResourceVersion, rbAgain.Metadata.ResourceVersion);

        var moved = await StatusAssert.Fails(422, () => rbac.PatchNamespacedRoleBindingAsync(Apply(binding.Replace("\"roleRef\":{\"kind\":\"Role\",\"name\":\"istiod\"}", "\"roleRef\":{\"kind\":\"Role\",\"name\":\"other\"}")), "istiod", "default", fieldManager: "istiops"));
        Assert.Equal("RoleBinding.rbac.authorization.k8s.io \"istiod\" is invalid: roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"Role\", Name:\"other\"}: cannot change roleRef",
            (string?)moved["message"]);
    }

    [Fact]
    public async Task ServiceAccountPullSecretsAreAnAtomicList()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        var core = sim.Client.CoreV1;
        static string Account(string secret) =>
            $$"""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"istiod"},"imagePullSecrets":[{"name":"{{secret}}"}]}""";
        await core.PatchNamespacedServiceAccountAsync(Apply(Account("registry-a")), "istiod", "default", fieldManager: "istiops");
        // Keyed by name it would merge; kube-apiserver 1.32's schema has no list type here, so it is atomic.
        var conflict = await StatusAssert.Fails(409, () => core.PatchNamespacedServiceAccountAsync(Apply(Account("registry-b")), "istiod", "default", fieldManager: "ops"));
        Assert.Contains("conflict with \"istiops\": .imagePullSecrets", (string?)conflict["message"]);
        var forced = await core.PatchNamespacedServiceAccountAsync(Apply(Account("registry-b")), "istiod", "default", fieldManager: "ops", force: true);
        Assert.Equal(["registry-b"], forced.ImagePullSecrets.Select(s => s.Name));
    }

    [Fact]
    public async Task AutoscalerNetworkPolicyAndAdmissionPolicyAreDefaultedOnce()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        const string hpa = """
            {"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"istiod"},
             "spec":{"maxReplicas":5,"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"istiod"},
              "behavior":{"scaleDown":{"stabilizationWindowSeconds":60}}}}
            """;
        var autoscaler = await sim.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(Apply(hpa), "istiod", "default", fieldManager: "istiops");
        var hpaSpec = Json(autoscaler)["spec"]!;
        Assert.Equal(1, (int)hpaSpec["minReplicas"]!);
        Assert.Equal("""[{"resource":{"name":"cpu","target":{"averageUtilization":80,"type":"Utilization"}},"type":"Resource"}]""", hpaSpec["metrics"]!.ToJsonString());
        Assert.Equal("""{"policies":[{"periodSeconds":15,"type":"Percent","value":100}],"selectPolicy":"Max","stabilizationWindowSeconds":60}""", hpaSpec["behavior"]!["scaleDown"]!.ToJsonString());
        Assert.Equal(0, (int)hpaSpec["behavior"]!["scaleUp"]!["stabilizationWindowSeconds"]!);
        Assert.Equal(autoscaler.Metadata.ResourceVersion,
            (await sim.Client.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(Apply(hpa), "istiod", "default", fieldManager: "istiops")).Metadata.ResourceVersion);

        const string netpol = """
            {"apiVersion":"networking.k8s.io/v1","kind":"NetworkPolicy","metadata":{"name":"istiod"},
             "spec":{"podSelector":{"matchLabels":{"app":"istiod"}},"ingress":[{"ports":[{"port":15012}]}]}}
            """;
        var np = await sim.Client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(netpol), "istiod", "default", fieldManager: "istiops");
        Assert.Equal(["Ingress"], np.Spec.PolicyTypes);
        Assert.Equal("TCP", np.Spec.Ingress[0].Ports[0].Protocol);
        Assert.Equal(np.Metadata.ResourceVersion,
            (await sim.Client.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Apply(netpol), "istiod", "default", fieldManager: "istiops")).Metadata.ResourceVersion);

        const string vap = """
            {"apiVersion":"admissionregistration.k8s.io/v1","kind":"ValidatingAdmissionPolicy","metadata":{"name":"stable-channel-default-policy.istio.io"},
             "spec":{"matchConstraints":{"resourceRules":[{"apiGroups":["networking.istio.io"],"apiVersions":["*"],"operations":["CREATE","UPDATE"],"resources":["*"]}]},
              "validations":[{"expression":"object.kind != 'EnvoyFilter'"}]}}
            """;
        var admission = sim.Client.AdmissionregistrationV1;
        var policy = await admission.PatchValidatingAdmissionPolicyAsync(Apply(vap), "stable-channel-default-policy.istio.io", fieldManager: "istiops");
        var policySpec = Json(policy)["spec"]!;
        Assert.Equal("Fail", (string?)policySpec["failurePolicy"]);
        Assert.Equal("Equivalent", (string?)policySpec["matchConstraints"]!["matchPolicy"]);
        Assert.Equal("{}", policySpec["matchConstraints"]!["namespaceSelector"]!.ToJsonString());
        Assert.Equal("*", (string?)policySpec["matchConstraints"]!["resourceRules"]![0]!["scope"]);
        Assert.Equal(policy.Metadata.ResourceVersion,
            (await admission.PatchValidatingAdmissionPolicyAsync(Apply(vap), "stable-channel-default-policy.istio.io", fieldManager: "istiops")).Metadata.ResourceVersion);
    }

    [SkippableFact]
    public async Task KubectlDiffServerSideFindsNoChangeAfterAnApplyOfEveryKind()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        var file = Path.Combine(AppContext.BaseDirectory, "Manifests", "all-kinds.yaml");
        await k.Ok("apply", "--server-side", "-f", file);
        // kubectl diff runs a server-side apply dry run of every object and compares it with the live one.
        var (exit, stdout, stderr) = await k.Run("diff", "--server-side", "-f", file);
        Assert.True(exit == 0, $"kubectl diff exited {exit}: {stderr}\n{stdout}");
        Assert.Equal("", stdout);
        var changed = Path.Combine(k.Sim.Directory, "changed.yaml");
        await File.WriteAllTextAsync(changed, (await File.ReadAllTextAsync(file)).Replace("image: \"agent:1\"", "image: \"agent:2\""));
        var (diffExit, diff, _) = await k.Run("diff", "--server-side", "-f", changed);
        Assert.Equal(1, diffExit);
        Assert.Contains("+      - image: agent:2", diff);
    }

    [Fact]
    public async Task AnAppliedConfigurationOutsideTheSchemaIsRefusedAsKubeApiserverRefusesIt()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20, Controllers = false });
        var apps = sim.Client.AppsV1;
        const string typo = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
              "spec":{"containers":[{"name":"app","image":"nginx:1.27","imagePullPolicyy":"Always"}]}}}}
            """;
        // The field manager cannot make a typed object of it: a plain error, so 500 without a reason, and
        // fieldValidation (which governs only duplicate YAML keys of an apply) makes no difference.
        foreach (var validation in new[] { "Strict", "Ignore" })
        {
            var e = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
                apps.PatchNamespacedDeploymentAsync(Apply(typo), "web", "default", fieldManager: "istiops", fieldValidation: validation));
            Assert.Equal(500, (int)e.Response.StatusCode);
            var status = JsonNode.Parse(e.Response.Content)!;
            Assert.Null(status["reason"]);
            Assert.Equal("failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name=\"app\"].imagePullPolicyy: field not declared in schema",
                (string?)status["message"]);
        }
        Assert.Empty((await apps.ListNamespacedDeploymentAsync("default")).Items);

        // Several problems at once, in the words of structured-merge-diff's ValidationErrors.
        const string several = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labelz":{}},
             "spec":{"replicas":{"count":2},"template":{"spec":{"containers":[{"name":"b"},{"name":"b"}]}}}}
            """;
        var many = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            apps.PatchNamespacedDeploymentAsync(Apply(several), "web", "default", fieldManager: "istiops"));
        Assert.Equal(500, (int)many.Response.StatusCode);
        Assert.Equal("""
            failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:
              .metadata.labelz: field not declared in schema
              .spec.replicas: expected numeric (int or float), got map[string]interface {}
              .spec.template.spec.containers: duplicate entries for key [name="b"]
            """.ReplaceLineEndings("\n").TrimEnd(), (string?)JsonNode.Parse(many.Response.Content)!["message"]);
        // Scalars have types: a label is a string, hostNetwork a boolean; an int-or-string port takes either.
        const string mistyped = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"version":1}},
             "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
              "spec":{"hostNetwork":"yes","containers":[{"name":"app","image":"nginx","readinessProbe":{"httpGet":{"port":"http"}}}]}}}}
            """;
        var typed = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            apps.PatchNamespacedDeploymentAsync(Apply(mistyped), "web", "default", fieldManager: "istiops"));
        Assert.Equal("""
            failed to create typed patch object (/web; apps/v1, Kind=Deployment): errors:
              .metadata.labels.version: expected string, got &value.valueUnstructured{Value:1}
              .spec.template.spec.hostNetwork: expected boolean, got &{yes}
            """.ReplaceLineEndings("\n").TrimEnd(), (string?)JsonNode.Parse(typed.Response.Content)!["message"]);

        // A container's name key defaults to "" in the schema: the configuration fits, and validation refuses it.
        var nameless = await StatusAssert.Fails(422, () => apps.PatchNamespacedDeploymentAsync(
            Apply(typo.Replace("\"name\":\"app\",", "").Replace(",\"imagePullPolicyy\":\"Always\"", "")), "web", "default", fieldManager: "istiops"));
        Assert.Contains("spec.template.spec.containers[0].name: Required value", (string?)nameless["message"]);
    }

    [Fact]
    public async Task CustomResourceDefinitionVersionsAreAtomicAndItsFieldsAreChecked()
    {
        await using var sim = await SimClient.StartAsync(new KubeSimOptions { ReadyAfterMs = 20 });
        var ext = sim.Client.ApiextensionsV1;
        const string crd = """
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","kind":"Widget","shortNames":["wd"]},
              "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}
            """;
        var created = await ext.PatchCustomResourceDefinitionAsync(Apply(crd), "widgets.example.com", fieldManager: "istiops");
        var spec = Fields(created.Metadata.ManagedFields.Single(m => m.Manager == "istiops"))["f:spec"]!;
        Assert.Equal("{}", spec["f:versions"]!.ToJsonString());
        Assert.Equal("{}", spec["f:names"]!["f:shortNames"]!.ToJsonString());
        Assert.NotNull(spec["f:names"]!["f:kind"]);
        await Eventually.Until(async () => (await ext.ReadCustomResourceDefinitionAsync("widgets.example.com")).Status?.Conditions?.Any(c => c.Type == "Established") == true, "established");
        var established = await ext.ReadCustomResourceDefinitionAsync("widgets.example.com");
        var again = await ext.PatchCustomResourceDefinitionAsync(Apply(crd), "widgets.example.com", fieldManager: "istiops");
        Assert.Equal(established.Metadata.ResourceVersion, again.Metadata.ResourceVersion);

        var e = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => ext.PatchCustomResourceDefinitionAsync(
            Apply(crd.Replace("\"served\":true", "\"served\":\"yes\"").Replace("\"kind\":\"Widget\"", "\"kindd\":\"Widget\"")), "widgets.example.com", fieldManager: "istiops"));
        Assert.Equal(500, (int)e.Response.StatusCode);
        Assert.Equal("""
            failed to create typed patch object (/widgets.example.com; apiextensions.k8s.io/v1, Kind=CustomResourceDefinition): errors:
              .spec.names.kindd: field not declared in schema
              .spec.versions[0].served: expected boolean, got &{yes}
            """.ReplaceLineEndings("\n"), (string?)JsonNode.Parse(e.Response.Content)!["message"]);
    }

    [SkippableFact]
    public async Task KubectlSeesAnUnknownFieldRefusedServerSideAndClientSide()
    {
        await using var k = await Kubectl.StartAsync(new KubeSimOptions { ReadyAfterMs = 10 });
        var file = Path.Combine(k.Sim.Directory, "agent.yaml");
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: default}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec:
                  tolerationz: [{operator: Exists}]
                  containers: [{name: agent, image: "agent:1"}]
            """);
        // kubectl sends fieldValidation=Strict by default and Ignore with --validate=false: the answer is the same.
        foreach (var validate in new[] { "--validate=strict", "--validate=false" })
        {
            var (exit, _, err) = await k.Run("apply", "--server-side", validate, "-f", file);
            Assert.Equal(1, exit);
            Assert.Contains("failed to create typed patch object (default/agent; apps/v1, Kind=DaemonSet): .spec.template.spec.tolerationz: field not declared in schema", err);
        }
        Assert.Contains(k.Sim.Server.Requests, r => r.Method == "PATCH" && r.Query.Contains("fieldValidation=Ignore") && r.Status == 500);
        // Client-side apply creates with fieldValidation=Strict: the decoder's strict error, 400.
        var (csaExit, _, csaErr) = await k.Run("apply", "-f", file);
        Assert.Equal(1, csaExit);
        Assert.Contains("strict decoding error: unknown field \"spec.template.spec.tolerationz\"", csaErr);
        Assert.Null(k.Sim.Server.Read("apps/v1", "DaemonSet", "default", "agent"));
    }
}
