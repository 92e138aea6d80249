using System.Text.Json.Nodes;
using System.Threading.Channels;
using KubeSim.Api;
using KubeSim.Storage;

namespace KubeSim.Controllers;

/// <summary>A unit of controller work: reconcile one object of one kind.</summary>
public readonly record struct WorkItem(string Kind, string Namespace, string Name);

/// <summary>
/// Runs the simulated controllers on one worker: store events become work items (deduplicated), each
/// reconciled by the controller for its kind; timers re-enqueue work later (pod start-up, CRD establishment).
/// </summary>
public sealed class ControllerManager : IAsyncDisposable
{
    readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    readonly HashSet<WorkItem> _pending = [];
    readonly CancellationTokenSource _stop = new();
    readonly Dictionary<string, Action<WorkItem>> _reconcilers = new();
    readonly List<Action<StoreEvent>> _observers = [];
    Task? _events, _worker;
    ObjectStore.Subscription? _subscription;

    public ControllerManager(ResourceService service, KubeSimOptions options)
    {
        Service = service;
        Options = options;
        Events = new EventRecorder(this);
        var gc = new GarbageCollector(this);
        _observers.Add(gc.Observe);
        _reconcilers["gc"] = gc.Reconcile;
        var namespaces = new NamespaceController(this);
        _reconcilers["namespace"] = namespaces.Reconcile;
        _reconcilers["namespace-finalize"] = namespaces.Finalize;
        var crd = new CrdController(this);
        _reconcilers["crd"] = crd.Reconcile;
        _reconcilers["crd-establish"] = crd.Establish;
        _reconcilers["crd-finalize"] = crd.Reconcile;
        _reconcilers["pod"] = new PodLifecycle(this).Reconcile;
        _reconcilers["replicaset"] = new ReplicaSetController(this).Reconcile;
        _reconcilers["deployment"] = new DeploymentController(this).Reconcile;
        _reconcilers["statefulset"] = new StatefulSetController(this).Reconcile;
        _reconcilers["daemonset"] = new DaemonSetController(this).Reconcile;
        _reconcilers["job"] = new JobController(this).Reconcile;
        var endpoints = new EndpointsController(this);
        _reconcilers["endpoints"] = endpoints.Reconcile;
        _reconcilers["endpoints-namespace"] = endpoints.ReconcileNamespace;
        _reconcilers["budgets"] = new BudgetAndScalerStatus(this).Reconcile;
        if (options.Istiod)
        {
            Istiod = new IstiodController(this);
            _observers.Add(Istiod.Observe);
            _reconcilers[IstiodController.Sweep.Kind] = Istiod.Reconcile;
        }
    }

    /// <summary>The simulated istiod, when <see cref="KubeSimOptions.Istiod"/> is on.</summary>
    public IstiodController? Istiod { get; }

    public ResourceService Service { get; }
    public EventRecorder Events { get; }
    public KubeSimOptions Options { get; }
    public ObjectStore Store => Service.Store;
    public ResourceRegistry Registry => Service.Registry;

    /// <summary>Last exception a reconciler threw (for diagnosis in tests).</summary>
    public Exception? LastError { get; private set; }

    public ResourceType Type(string group, string plural) => Registry.Get(group, plural);

    static readonly Dictionary<string, string> KindByStorage = new()
    {
        ["/namespaces"] = "namespace",
        ["apiextensions.k8s.io/customresourcedefinitions"] = "crd",
        ["/pods"] = "pod",
        ["apps/replicasets"] = "replicaset",
        ["apps/deployments"] = "deployment",
        ["apps/statefulsets"] = "statefulset",
        ["apps/daemonsets"] = "daemonset",
        ["batch/jobs"] = "job",
        ["/services"] = "endpoints",
    };

    static readonly Dictionary<string, string> KindByOwnerKind = new()
    {
        ["ReplicaSet"] = "replicaset",
        ["Deployment"] = "deployment",
        ["StatefulSet"] = "statefulset",
        ["DaemonSet"] = "daemonset",
        ["Job"] = "job",
    };

    public void Start()
    {
        _subscription = Store.Subscribe(null, Store.CurrentRv);
        _events = Task.Run(EventLoop);
        _worker = Task.Run(WorkLoop);
    }

    /// <summary>Enqueues work for every object that already exists (after bootstrap).</summary>
    public void EnqueueExisting()
    {
        foreach (var o in Store.All())
            if (KindByStorage.TryGetValue(o.StorageKey, out var kind)) Enqueue(new WorkItem(kind, o.Namespace, o.Name));
        if (Istiod is not null) Enqueue(IstiodController.Sweep);
    }

    async Task EventLoop()
    {
        try
        {
            await foreach (var e in _subscription!.Reader.ReadAllAsync(_stop.Token))
            {
                foreach (var observe in _observers) observe(e);
                var obj = e.Object;
                if (KindByStorage.TryGetValue(obj.StorageKey, out var kind))
                    Enqueue(new WorkItem(kind, obj.Namespace, obj.Name));
                if (obj.StorageKey == "/pods") Enqueue(new WorkItem("endpoints-namespace", obj.Namespace, ""));
                if (obj.StorageKey is "/pods" or "policy/poddisruptionbudgets" or "autoscaling/horizontalpodautoscalers" or "apps/deployments" or "apps/statefulsets")
                    Enqueue(new WorkItem("budgets", obj.Namespace, ""));
                if (ControllerOf(obj.Object) is { } owner && KindByOwnerKind.TryGetValue(owner.Str("kind") ?? "", out var ownerKind))
                    Enqueue(new WorkItem(ownerKind, obj.Namespace, owner.Str("name") ?? ""));
            }
        }
        catch (OperationCanceledException) { }
    }

    async Task WorkLoop()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stop.Token))
            {
                lock (_pending) _pending.Remove(item);
                if (!_reconcilers.TryGetValue(item.Kind, out var reconcile)) continue;
                try
                {
                    reconcile(item);
                }
                catch (Exception e) when (e is ApiException or InvalidOperationException or ArgumentException or NullReferenceException or KeyNotFoundException or FormatException)
                {
                    LastError = e;
                    if (e is ApiException { Code: 409 }) Enqueue(item, 10);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public void Enqueue(WorkItem item, int delayMs = 0)
    {
        if (delayMs > 0)
        {
            _ = Task.Delay(delayMs, _stop.Token).ContinueWith(t =>
            {
                if (!t.IsCanceled) Enqueue(item);
            }, TaskScheduler.Default);
            return;
        }
        lock (_pending)
            if (!_pending.Add(item)) return;
        _queue.Writer.TryWrite(item);
    }

    /// <summary>The ownerReference with controller=true, if any.</summary>
    public static JsonObject? ControllerOf(JsonObject obj) =>
        (obj.At("metadata", "ownerReferences") as JsonArray)?.OfType<JsonObject>().FirstOrDefault(r => r.Bool("controller") == true);

    public static JsonObject OwnerReference(ResourceType rt, JsonObject owner) => new()
    {
        ["apiVersion"] = rt.ApiVersion,
        ["kind"] = rt.Kind,
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>Objects of a resource in a namespace whose controller is the object with this uid.</summary>
    public List<StoredObject> Owned(string storageKey, string ns, string ownerUid) =>
        Store.List(storageKey, ns).Where(o => ControllerOf(o.Object)?.Str("uid") == ownerUid).ToList();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _subscription?.Dispose();
        _queue.Writer.TryComplete();
        foreach (var t in new[] { _events, _worker })
            if (t is not null)
                try { await t; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
