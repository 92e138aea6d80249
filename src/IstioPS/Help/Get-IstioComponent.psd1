@{
    Synopsis    = 'Shows what runs in the mesh namespace: istiod, gateways, CNI, ztunnel, addons and older split components, with role, readiness, status, restarts, age and version.'
    Description = @'
Get-IstioComponent emits one object per Deployment, DaemonSet and StatefulSet of the mesh namespace (default istio-system) with Name, Namespace, Kind, Component, Role, Ready ("1/1"), Status, Restarts, Age, Version and Revision. Role explains each component in plain words: today's (istiod, istio-ingressgateway, istio-egressgateway, istio-cni-node, ztunnel), the addons (prometheus, grafana, jaeger/tracing, kiali, loki) and the split control plane of Istio 1.0 to 1.4 (istio-pilot, istio-citadel, istio-galley, istio-sidecar-injector, istio-policy, istio-telemetry). Workloads it does not know still appear.

Status is Running when the workload is ready; otherwise it shows the first pod problem (ImagePullBackOff, CrashLoopBackOff, ...) or Progressing/Pending.

With -Pod it emits the pods instead, shaped like kubectl get pods (NAME, READY, STATUS, RESTARTS, AGE).
'@
    Parameters  = @{
        Name      = 'Names of workloads (or pods, with -Pod) or component names to show. Wildcards are allowed. Default: all.'
        Namespace = 'The mesh namespace. Default: istio-system. A namespace that does not exist is an error (NamespaceNotFound, ObjectNotFound); an empty one gives no output.'
        Pod       = 'Emits the namespace''s pods instead of its workloads.'
    }
    Examples    = @(
        @{
            Code    = 'Get-IstioComponent'
            Remarks = 'Lists the workloads of istio-system with their readiness and role.'
        }
        @{
            Code    = 'Get-IstioComponent -Pod | Where-Object Status -ne Running'
            Remarks = 'Shows the pods of istio-system that are not running.'
        }
        @{
            Code    = 'Get-IstioComponent istio*gateway | Select-Object Name, Ready, Version'
            Remarks = 'Shows the gateways and their versions.'
        }
    )
}
