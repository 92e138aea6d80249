using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>
/// Scheduler and kubelet in one: new pods get a node and start as ContainerCreating; after ReadyAfterMs they
/// run and become Ready, complete (Job pods), or stay in ImagePullBackOff when an image matches FailImage.
/// </summary>
public sealed class PodLifecycle(ControllerManager m)
{
    int _nextNode;
    readonly Regex? _failImage = string.IsNullOrEmpty(m.Options.FailImage) ? null : new Regex(m.Options.FailImage);

    public static string NodeName(int i) => $"kubesim-node-{i + 1}";

    public void Reconcile(WorkItem item)
    {
        var podType = m.Type("", "pods");
        var pod = m.Store.Get(podType.StorageKey, item.Namespace, item.Name);
        if (pod is null || Conditions.IsTerminating(pod.Object)) return;
        var status = pod.Object["status"];
        if (status?["containerStatuses"] is null)
        {
            var scheduled = Schedule(podType, pod.Object);
            m.Enqueue(new WorkItem("pod", item.Namespace, item.Name), scheduled ? Math.Max(1, m.Options.ReadyAfterMs) : UnschedulableRetryMs);
            return;
        }
        var created = Json.ParseTime(status.Str("startTime")) ?? DateTimeOffset.UtcNow;
        var waiting = (status["containerStatuses"] as JsonArray)?.Any(c => c.At("state", "waiting").Str("reason") == "ContainerCreating") == true;
        if (!waiting) return;
        var due = created.AddMilliseconds(m.Options.ReadyAfterMs) - DateTimeOffset.UtcNow;
        if (due > TimeSpan.FromMilliseconds(2))
        {
            m.Enqueue(item, (int)Math.Ceiling(due.TotalMilliseconds));
            return;
        }
        Start(podType, item);
    }

    const int UnschedulableRetryMs = 250;

    /// <summary>Binds the pod to a node (schedulable, matching its nodeSelector) and starts it; false while none fits.</summary>
    bool Schedule(ResourceType podType, JsonObject pod)
    {
        var nodeName = pod.At("spec").Str("nodeName");
        if (string.IsNullOrEmpty(nodeName))
        {
            var nodes = m.Store.List(m.Type("", "nodes").StorageKey);
            var selector = LabelSelector.FromMap(Json.StringMap(pod.At("spec", "nodeSelector")));
            var fitting = nodes.Where(n => n.Object.At("spec").Bool("unschedulable") != true && selector.Matches(n.Object.Labels())).ToList();
            if (fitting.Count == 0)
            {
                var cordoned = nodes.Count(n => n.Object.At("spec").Bool("unschedulable") == true);
                var why = cordoned > 0 ? $"{cordoned} node(s) were unschedulable" : $"{nodes.Count} node(s) didn't match Pod's node affinity/selector";
                var message = $"0/{nodes.Count} nodes are available: {why}. preemption: 0/{nodes.Count} nodes are available: {nodes.Count} Preemption is not helpful for scheduling.";
                m.Service.Mutate(podType, pod.Namespace(), pod.Name(), o =>
                {
                    var status = o.Obj("status");
                    status["phase"] = "Pending";
                    Conditions.Set(status, "PodScheduled", "False", "Unschedulable", message, probeTime: true);
                    return true;
                }, "status", "kube-scheduler");
                return false;
            }
            nodeName = fitting[Interlocked.Increment(ref _nextNode) % fitting.Count].Name;
        }
        var node = nodeName;
        var ip = PodIp();
        m.Service.Mutate(podType, pod.Namespace(), pod.Name(), o =>
        {
            o.Obj("spec")["nodeName"] = node;
            return true;
        }, null, "kube-scheduler");
        m.Events.Normal(pod, "Scheduled", $"Successfully assigned {pod.Namespace()}/{pod.Name()} to {node}", "default-scheduler");
        m.Service.Mutate(podType, pod.Namespace(), pod.Name(), o =>
        {
            var status = o.Obj("status");
            var now = Json.Now();
            status["phase"] = "Pending";
            Conditions.Set(status, "PodReadyToStartContainers", "False", probeTime: true);
            Conditions.Set(status, "Initialized", "True", probeTime: true);
            Conditions.Set(status, "Ready", "False", "ContainersNotReady", "containers with unready status: [" + string.Join(" ", ContainerNames(o)) + "]", probeTime: true);
            Conditions.Set(status, "ContainersReady", "False", "ContainersNotReady", "containers with unready status: [" + string.Join(" ", ContainerNames(o)) + "]", probeTime: true);
            Conditions.Set(status, "PodScheduled", "True", probeTime: true);
            status["hostIP"] = NodeIp(node);
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = NodeIp(node) });
            status["podIP"] = ip;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            status["startTime"] = now;
            status["containerStatuses"] = new JsonArray([.. Containers(o).Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Str("name"),
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } },
                ["lastState"] = new JsonObject(),
                ["ready"] = false,
                ["restartCount"] = 0,
                ["image"] = c.Str("image"),
                ["imageID"] = "",
                ["started"] = false,
            })]);
            return true;
        }, "status", "kubelet");
        return true;
    }

    void Start(ResourceType podType, WorkItem item)
    {
        var started = m.Service.Mutate(podType, item.Namespace, item.Name, o =>
        {
            var status = o.Obj("status");
            var failing = Containers(o).Where(c => _failImage?.IsMatch(c.Str("image") ?? "") == true).Select(c => c.Str("name")).ToHashSet();
            var completes = ControllerManager.ControllerOf(o)?.Str("kind") == "Job" || o.At("spec").Str("restartPolicy") == "Never";
            var now = Json.Now();
            var statuses = new JsonArray();
            foreach (var c in Containers(o))
            {
                var name = c.Str("name");
                var image = c.Str("image") ?? "";
                JsonObject state;
                var ready = false;
                if (failing.Contains(name))
                    state = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ImagePullBackOff", ["message"] = $"Back-off pulling image \"{image}\"" } };
                else if (completes)
                    state = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = now, ["finishedAt"] = now, ["containerID"] = ContainerId(name) } };
                else
                {
                    state = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } };
                    ready = true;
                }
                var cs = new JsonObject
                {
                    ["name"] = name,
                    ["state"] = state,
                    ["lastState"] = new JsonObject(),
                    ["ready"] = ready,
                    ["restartCount"] = 0,
                    ["image"] = image,
                    ["imageID"] = failing.Contains(name) ? "" : "docker.io/library/" + image.Split('@')[0] + "@sha256:" + Conditions.Hash(c["image"]),
                    ["started"] = ready,
                };
                if (!failing.Contains(name)) cs["containerID"] = ContainerId(name);
                statuses.Add(cs);
            }
            status["containerStatuses"] = statuses;
            var names = string.Join(" ", failing.Order());
            if (failing.Count > 0)
            {
                status["phase"] = "Pending";
                Conditions.Set(status, "PodReadyToStartContainers", "True", probeTime: true);
                Conditions.Set(status, "Ready", "False", "ContainersNotReady", $"containers with unready status: [{names}]", probeTime: true);
                Conditions.Set(status, "ContainersReady", "False", "ContainersNotReady", $"containers with unready status: [{names}]", probeTime: true);
            }
            else if (completes)
            {
                status["phase"] = "Succeeded";
                Conditions.Set(status, "PodReadyToStartContainers", "False", probeTime: true);
                Conditions.Set(status, "Ready", "False", "PodCompleted", probeTime: true);
                Conditions.Set(status, "ContainersReady", "False", "PodCompleted", probeTime: true);
            }
            else
            {
                status["phase"] = "Running";
                Conditions.Set(status, "PodReadyToStartContainers", "True", probeTime: true);
                Conditions.Set(status, "Ready", "True", probeTime: true);
                Conditions.Set(status, "ContainersReady", "True", probeTime: true);
            }
            return true;
        }, "status", "kubelet");
        if (started is not null) RecordStart(started.Object);
    }

    void RecordStart(JsonObject pod)
    {
        var node = pod.At("spec").Str("nodeName");
        foreach (var c in Containers(pod))
        {
            var image = c.Str("image") ?? "";
            var name = c.Str("name");
            if (_failImage?.IsMatch(image) == true)
            {
                m.Events.Warning(pod, "Failed", $"Failed to pull image \"{image}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{image}\": not found", "kubelet", node);
                m.Events.Warning(pod, "Failed", "Error: ErrImagePull", "kubelet", node);
                m.Events.Normal(pod, "BackOff", $"Back-off pulling image \"{image}\"", "kubelet", node);
                m.Events.Warning(pod, "Failed", "Error: ImagePullBackOff", "kubelet", node);
                continue;
            }
            m.Events.Normal(pod, "Pulled", $"Container image \"{image}\" already present on machine", "kubelet", node);
            m.Events.Normal(pod, "Created", $"Created container {name}", "kubelet", node);
            m.Events.Normal(pod, "Started", $"Started container {name}", "kubelet", node);
        }
    }

    static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        (pod.At("spec", "containers") as JsonArray)?.OfType<JsonObject>() ?? [];

    static IEnumerable<string> ContainerNames(JsonObject pod) => Containers(pod).Select(c => c.Str("name") ?? "");

    static string ContainerId(string? name) => "containerd://" + Conditions.Hash(JsonValue.Create(name + Guid.NewGuid())) + Conditions.Hash(JsonValue.Create(name));

    int _nextIp;
    string PodIp()
    {
        var n = Interlocked.Increment(ref _nextIp);
        return $"10.244.{n / 250}.{n % 250 + 2}";
    }

    public static string NodeIp(string node) =>
        "172.18.0." + (int.TryParse(node.Split('-')[^1], out var i) ? i + 1 : 2);

    public static JsonObject NodeObject(int i)
    {
        var name = NodeName(i);
        var now = Json.Now();
        JsonObject Cond(string type, string status, string reason, string message) => new()
        {
            ["type"] = type, ["status"] = status, ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now, ["reason"] = reason, ["message"] = message,
        };
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["labels"] = new JsonObject
                {
                    ["beta.kubernetes.io/arch"] = "amd64", ["beta.kubernetes.io/os"] = "linux",
                    ["kubernetes.io/arch"] = "amd64", ["kubernetes.io/hostname"] = name, ["kubernetes.io/os"] = "linux",
                },
            },
            ["spec"] = new JsonObject { ["podCIDR"] = $"10.244.{i}.0/24", ["podCIDRs"] = new JsonArray($"10.244.{i}.0/24") },
            ["status"] = new JsonObject
            {
                ["capacity"] = new JsonObject { ["cpu"] = "8", ["memory"] = "16Gi", ["pods"] = "110" },
                ["allocatable"] = new JsonObject { ["cpu"] = "8", ["memory"] = "16Gi", ["pods"] = "110" },
                ["conditions"] = new JsonArray(
                    Cond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    Cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    Cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    Cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = NodeIp(name) },
                    new JsonObject { ["type"] = "Hostname", ["address"] = name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = "v1.32.0", ["kubeProxyVersion"] = "v1.32.0", ["osImage"] = "KubeSim Linux",
                    ["kernelVersion"] = "6.1.0", ["containerRuntimeVersion"] = "containerd://1.7.24", ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64", ["machineID"] = "", ["systemUUID"] = "", ["bootID"] = "",
                },
            },
        };
    }
}
