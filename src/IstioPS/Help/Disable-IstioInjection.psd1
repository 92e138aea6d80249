@{
    Synopsis    = 'Turns off Istio sidecar injection for namespaces: removes the injection labels, or sets istio-injection=disabled.'
    Description = @'
Disable-IstioInjection removes the istio-injection and istio.io/rev labels from namespaces, or with -Explicit sets istio-injection=disabled (which also wins over a revision label added later).

It takes namespace names from the pipeline by value and by property name, collects them, then patches them concurrently. kube-system, kube-public and kube-node-lease are refused unless -Force is given. Running pods keep their sidecar until they are re-created.
'@
    Parameters  = @{
        Namespace   = 'The namespaces to change. Accepts names from the pipeline by value and by property name (Namespace, Name).'
        InputObject = 'Namespace objects emitted by Get-IstioInjection.'
        Explicit    = 'Sets istio-injection=disabled instead of removing the label.'
        Force       = 'Allows changing kube-system, kube-public and kube-node-lease.'
        PassThru    = 'Emits each namespace as changed, with PodsNeedingRestart: the running pods whose sidecar (or its revision) does not match the namespace''s new labels.'
        Restart     = 'Then does a rolling restart of the namespaces'' Deployments, StatefulSets and DaemonSets (the kubectl.kubernetes.io/restartedAt pod-template annotation kubectl rollout restart uses), so running pods pick up the change.'
        Wait        = 'With -Restart: waits until every restarted workload is rolled out.'
        Timeout     = 'With -Restart -Wait: how long to wait, as seconds (300), a time span or text such as 5m. Default: 5 minutes.'
    }
    Examples    = @(
        @{
            Code    = 'Disable-IstioInjection -Namespace bookinfo'
            Remarks = 'Removes the injection labels from bookinfo.'
        }
        @{
            Code    = 'Get-IstioInjection | Where-Object State -eq Enabled | Disable-IstioInjection -Explicit -Confirm:$false'
            Remarks = 'Marks every enabled namespace as explicitly disabled, without asking.'
        }
    )
}
