using System.Text.Json.Nodes;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>Shared by the controllers that own pods: create from a template, delete, count.</summary>
public abstract class PodOwnerController(ControllerManager m)
{
    protected ControllerManager M { get; } = m;
    protected ResourceType PodType => M.Type("", "pods");
    protected static readonly WriteOptions Options = WriteOptions.Controller;

    protected List<StoredObject> PodsOf(StoredObject owner) =>
        M.Owned(PodType.StorageKey, owner.Namespace, owner.Uid).Where(p => !Conditions.IsTerminating(p.Object)).ToList();

    protected void CreatePod(ResourceType ownerType, StoredObject owner, string name, JsonObject extraLabels, string? nodeName = null, string? hostname = null)
    {
        var template = owner.Object.At("spec", "template") as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        var labels = meta.Obj("labels");
        foreach (var (k, v) in extraLabels) labels[k] = v?.DeepClone();
        meta["name"] = name;
        meta.Remove("namespace");
        meta["ownerReferences"] = new JsonArray(ControllerManager.OwnerReference(ownerType, owner.Object));
        var spec = template["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        if (nodeName is not null) spec["nodeName"] = nodeName;
        if (hostname is not null) spec["hostname"] = hostname;
        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = meta, ["spec"] = spec };
        try
        {
            M.Service.Create(PodType, owner.Namespace, pod, Options);
            M.Events.Normal(owner.Object, "SuccessfulCreate", $"Created pod: {name}", ControllerName(ownerType));
        }
        catch (ApiException e) when (e.Code == 409) { }
    }

    static string ControllerName(ResourceType rt) => rt.Kind switch
    {
        "ReplicaSet" => "replicaset-controller",
        "StatefulSet" => "statefulset-controller",
        "DaemonSet" => "daemonset-controller",
        "Job" => "job-controller",
        _ => "deployment-controller",
    };

    protected void DeletePod(StoredObject pod)
    {
        try
        {
            M.Service.Delete(PodType, pod.Namespace, pod.Name, DeletePropagation.Background, null, Options);
        }
        catch (ApiException e) when (e.Code == 404) { }
    }

    protected static int Ready(IEnumerable<StoredObject> pods) => pods.Count(p => Conditions.IsPodReady(p.Object));

    protected void SetStatus(ResourceType rt, StoredObject obj, Action<JsonObject, JsonObject> update) =>
        M.Service.Mutate(rt, obj.Namespace, obj.Name, o =>
        {
            update(o.Obj("status"), o);
            o.Obj("status")["observedGeneration"] = o.At("metadata").Long("generation") ?? 1;
            return true;
        }, "status");

    protected static long Replicas(JsonObject o) => o.At("spec").Long("replicas") ?? 1;

    /// <summary>The object a work item names, unless it is gone or being deleted.</summary>
    protected StoredObject? Live(ResourceType rt, WorkItem item)
    {
        var obj = M.Store.Get(rt.StorageKey, item.Namespace, item.Name);
        return obj is null || Conditions.IsTerminating(obj.Object) ? null : obj;
    }

    protected static string? RevisionOf(StoredObject pod) => pod.Object.At("metadata", "labels").Str("controller-revision-hash");
}

public sealed class ReplicaSetController(ControllerManager m) : PodOwnerController(m)
{
    public void Reconcile(WorkItem item)
    {
        var rt = M.Type("apps", "replicasets");
        if (Live(rt, item) is not { } rs) return;
        var pods = PodsOf(rs);
        var desired = Replicas(rs.Object);
        for (var i = pods.Count; i < desired; i++)
            CreatePod(rt, rs, $"{rs.Name}-{ResourceService.NewSuffix()}", new JsonObject());
        foreach (var extra in pods.OrderBy(p => Conditions.IsPodReady(p.Object)).Take(Math.Max(0, pods.Count - (int)desired)))
            DeletePod(extra);
        pods = PodsOf(rs);
        SetStatus(rt, rs, (status, _) =>
        {
            status["replicas"] = pods.Count;
            status["fullyLabeledReplicas"] = pods.Count;
            status["readyReplicas"] = Ready(pods);
            status["availableReplicas"] = Ready(pods);
            if (Ready(pods) == 0) { status.Remove("readyReplicas"); status.Remove("availableReplicas"); }
        });
    }
}

public sealed class DeploymentController(ControllerManager m) : PodOwnerController(m)
{
    const string RevisionAnnotation = "deployment.kubernetes.io/revision";

    public void Reconcile(WorkItem item)
    {
        var rt = M.Type("apps", "deployments");
        var rsType = M.Type("apps", "replicasets");
        if (Live(rt, item) is not { } deploy) return;
        var d = deploy.Object;
        var desired = Replicas(d);
        var template = d.At("spec", "template")?.DeepClone() as JsonObject ?? new JsonObject();
        var hash = Conditions.Hash(template);
        var owned = M.Owned(rsType.StorageKey, deploy.Namespace, deploy.Uid);
        var newRs = owned.FirstOrDefault(r => r.Object.At("metadata", "labels").Str("pod-template-hash") == hash);
        var maxRevision = owned.Select(r => long.TryParse(r.Object.At("metadata", "annotations").Str(RevisionAnnotation), out var v) ? v : 0).DefaultIfEmpty(0).Max();
        var created = false;
        if (newRs is null)
        {
            var name = $"{deploy.Name}-{hash}";
            var labels = template.Obj("metadata").Obj("labels");
            labels["pod-template-hash"] = hash;
            var selector = d.At("spec", "selector")?.DeepClone() as JsonObject ?? new JsonObject();
            selector.Obj("matchLabels")["pod-template-hash"] = hash;
            var rs = new JsonObject
            {
                ["apiVersion"] = "apps/v1",
                ["kind"] = "ReplicaSet",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["labels"] = labels.DeepClone(),
                    ["annotations"] = new JsonObject
                    {
                        ["deployment.kubernetes.io/desired-replicas"] = desired.ToString(),
                        ["deployment.kubernetes.io/max-replicas"] = (desired + 1).ToString(),
                        [RevisionAnnotation] = (maxRevision + 1).ToString(),
                    },
                    ["ownerReferences"] = new JsonArray(ControllerManager.OwnerReference(rt, d)),
                },
                ["spec"] = new JsonObject { ["replicas"] = desired, ["selector"] = selector, ["template"] = template },
            };
            try
            {
                newRs = M.Service.Create(rsType, deploy.Namespace, rs, Options);
                created = true;
                M.Events.Normal(d, "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {desired}", "deployment-controller");
            }
            catch (ApiException e) when (e.Code == 409)
            {
                newRs = M.Store.Get(rsType.StorageKey, deploy.Namespace, name);
                if (newRs is null) return;
            }
        }
        var newRevision = long.TryParse(newRs.Object.At("metadata", "annotations").Str(RevisionAnnotation), out var r) ? r : 0;
        if (newRevision < maxRevision)
        {
            // An older ReplicaSet becomes current again (rollout undo): it takes the next revision.
            var next = (maxRevision + 1).ToString();
            newRs = M.Service.Mutate(rsType, newRs.Namespace, newRs.Name, o => { o.Meta().Obj("annotations")[RevisionAnnotation] = next; return true; }) ?? newRs;
        }
        if (Replicas(newRs.Object) != desired)
            newRs = M.Service.Mutate(rsType, newRs.Namespace, newRs.Name, o => { o.Obj("spec")["replicas"] = desired; return true; }) ?? newRs;
        var newAvailable = newRs.Object.At("status").Long("availableReplicas") ?? 0;
        var olds = owned.Where(r => r.Name != newRs.Name).ToList();
        if (newAvailable >= desired)
            foreach (var old in olds.Where(o => Replicas(o.Object) != 0))
            {
                M.Service.Mutate(rsType, old.Namespace, old.Name, o => { o.Obj("spec")["replicas"] = 0; return true; });
                M.Events.Normal(d, "ScalingReplicaSet", $"Scaled down replica set {old.Name} from {Replicas(old.Object)} to 0", "deployment-controller");
            }

        var all = olds.Append(newRs).ToList();
        long Sum(string field) => all.Sum(r => r.Object.At("status").Long(field) ?? 0);
        var updated = newRs.Object.At("status").Long("replicas") ?? 0;
        var total = Sum("replicas");
        var available = Sum("availableReplicas");
        var ready = Sum("readyReplicas");
        var revision = newRs.Object.At("metadata", "annotations").Str(RevisionAnnotation) ?? "1";
        var maxUnavailable = MaxUnavailable(d, desired);
        var complete = updated == desired && available >= desired && total == desired;

        M.Service.Mutate(rt, deploy.Namespace, deploy.Name, o =>
        {
            var annotations = o.Meta().Obj("annotations");
            if (annotations.Str(RevisionAnnotation) == revision) return false;
            annotations[RevisionAnnotation] = revision;
            return true;
        }, subresource: "status");
        var rsName = newRs.Name;
        SetStatus(rt, deploy, (status, _) =>
        {
            status["replicas"] = total;
            status["updatedReplicas"] = updated;
            status["readyReplicas"] = ready;
            status["availableReplicas"] = available;
            if (desired - available > 0) status["unavailableReplicas"] = desired - available;
            else status.Remove("unavailableReplicas");
            foreach (var zero in new[] { "replicas", "updatedReplicas", "readyReplicas", "availableReplicas" })
                if (status.Long(zero) == 0) status.Remove(zero);
            if (available >= desired - maxUnavailable)
                Conditions.Set(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", updateTime: true);
            else
                Conditions.Set(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", updateTime: true);
            if (complete)
                Conditions.Set(status, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", updateTime: true);
            else if (created)
                Conditions.Set(status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{rsName}\"", updateTime: true);
            else
                Conditions.Set(status, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", updateTime: true);
        });
    }

    static long MaxUnavailable(JsonObject d, long desired)
    {
        var v = d.At("spec", "strategy", "rollingUpdate", "maxUnavailable");
        if (d.At("spec", "strategy").Str("type") == "Recreate") return 0;
        var text = v.AsString();
        if (text is not null && text.EndsWith('%') && int.TryParse(text[..^1], out var pct)) return desired * pct / 100;
        if (v is JsonValue jv && jv.TryGetValue<long>(out var n)) return n;
        if (v is JsonValue jv2 && jv2.TryGetValue<int>(out var n2)) return n2;
        return desired * 25 / 100;
    }
}

public sealed class StatefulSetController(ControllerManager m) : PodOwnerController(m)
{
    public void Reconcile(WorkItem item)
    {
        var rt = M.Type("apps", "statefulsets");
        if (Live(rt, item) is not { } sts) return;
        var desired = Replicas(sts.Object);
        var revision = $"{sts.Name}-{Conditions.Hash(sts.Object.At("spec", "template"))}";
        var pods = PodsOf(sts);
        foreach (var p in pods)
        {
            var ordinal = int.TryParse(p.Name[(p.Name.LastIndexOf('-') + 1)..], out var o) ? o : int.MaxValue;
            var outdated = RevisionOf(p) != revision;
            if (ordinal >= desired || outdated) DeletePod(p);
        }
        pods = PodsOf(sts);
        for (var i = 0; i < desired; i++)
        {
            var name = $"{sts.Name}-{i}";
            if (pods.Any(p => p.Name == name)) continue;
            if (M.Store.Get(PodType.StorageKey, sts.Namespace, name) is not null) continue;
            CreatePod(rt, sts, name, new JsonObject
            {
                ["controller-revision-hash"] = revision,
                ["statefulset.kubernetes.io/pod-name"] = name,
                ["apps.kubernetes.io/pod-index"] = i.ToString(),
            }, hostname: name);
        }
        pods = PodsOf(sts);
        var ready = Ready(pods);
        var updated = pods.Count(p => RevisionOf(p) == revision);
        SetStatus(rt, sts, (status, _) =>
        {
            status["replicas"] = pods.Count;
            status["readyReplicas"] = ready;
            status["currentReplicas"] = updated;
            status["updatedReplicas"] = updated;
            status["availableReplicas"] = ready;
            status["updateRevision"] = revision;
            if (updated == desired && ready == desired || status.Str("currentRevision") is null) status["currentRevision"] = revision;
            status["collisionCount"] = 0;
            if (ready == 0) status.Remove("readyReplicas");
        });
    }
}

public sealed class DaemonSetController(ControllerManager m) : PodOwnerController(m)
{
    public void Reconcile(WorkItem item)
    {
        var rt = M.Type("apps", "daemonsets");
        if (Live(rt, item) is not { } ds) return;
        var revision = Conditions.Hash(ds.Object.At("spec", "template"));
        var generation = (ds.Object.At("metadata").Long("generation") ?? 1).ToString();
        // Every node its nodeSelector matches, cordoned or not (DaemonSet pods tolerate unschedulable nodes).
        var nodeSelector = LabelSelector.FromMap(Json.StringMap(ds.Object.At("spec", "template", "spec", "nodeSelector")));
        var nodes = M.Store.List(M.Type("", "nodes").StorageKey).Where(n => nodeSelector.Matches(n.Object.Labels())).Select(n => n.Name).ToList();
        var pods = PodsOf(ds);
        foreach (var p in pods)
            if (RevisionOf(p) != revision || !nodes.Contains(p.Object.At("spec").Str("nodeName") ?? ""))
                DeletePod(p);
        pods = PodsOf(ds);
        foreach (var node in nodes)
        {
            if (pods.Any(p => p.Object.At("spec").Str("nodeName") == node)) continue;
            CreatePod(rt, ds, $"{ds.Name}-{ResourceService.NewSuffix()}", new JsonObject
            {
                ["controller-revision-hash"] = revision,
                ["pod-template-generation"] = generation,
            }, nodeName: node);
        }
        pods = PodsOf(ds);
        var ready = Ready(pods);
        var updated = pods.Count(p => RevisionOf(p) == revision);
        SetStatus(rt, ds, (status, _) =>
        {
            status["currentNumberScheduled"] = pods.Count;
            status["desiredNumberScheduled"] = nodes.Count;
            status["numberMisscheduled"] = 0;
            status["numberReady"] = ready;
            status["updatedNumberScheduled"] = updated;
            status["numberAvailable"] = ready;
            if (nodes.Count - ready > 0) status["numberUnavailable"] = nodes.Count - ready;
            else status.Remove("numberUnavailable");
            if (ready == 0) status.Remove("numberAvailable");
        });
    }
}

public sealed class JobController(ControllerManager m) : PodOwnerController(m)
{
    public void Reconcile(WorkItem item)
    {
        var rt = M.Type("batch", "jobs");
        if (Live(rt, item) is not { } job) return;
        var completions = job.Object.At("spec").Long("completions") ?? 1;
        var parallelism = job.Object.At("spec").Long("parallelism") ?? 1;
        var pods = PodsOf(job);
        var succeeded = pods.Count(p => p.Object.At("status").Str("phase") == "Succeeded");
        var active = pods.Count(p => p.Object.At("status").Str("phase") is not ("Succeeded" or "Failed"));
        var suspended = job.Object.At("spec").Bool("suspend") == true;
        if (!suspended && succeeded < completions)
        {
            var labels = new JsonObject();
            for (var i = active; i < Math.Min(parallelism, completions - succeeded); i++, active++)
                CreatePod(rt, job, $"{job.Name}-{ResourceService.NewSuffix()}", labels);
        }
        var done = succeeded >= completions;
        var ready = Ready(pods);
        SetStatus(rt, job, (status, _) =>
        {
            status["startTime"] ??= Json.Now();
            status["active"] = done ? 0 : active;
            if (done || status.Long("active") == 0) status.Remove("active");
            status["succeeded"] = succeeded;
            if (succeeded == 0) status.Remove("succeeded");
            status["ready"] = ready;
            status["terminating"] = 0;
            status["uncountedTerminatedPods"] = new JsonObject();
            if (done)
            {
                status["completionTime"] ??= Json.Now();
                Conditions.Set(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", probeTime: true);
                Conditions.Set(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", probeTime: true);
            }
            status.Remove("observedGeneration");
        });
    }
}
