@{
    Synopsis    = 'Turns on Istio sidecar injection for namespaces: sets istio-injection=enabled (or istio.io/rev=REVISION).'
    Description = @'
Enable-IstioInjection labels namespaces so that Istio injects its sidecar into the pods created there from now on. Without -Revision it sets istio-injection=enabled and removes istio.io/rev; with -Revision it sets istio.io/rev=REVISION and removes istio-injection (which would otherwise win).

It takes namespace names from the pipeline by value and by property name (so Get-IstioInjection | Enable-IstioInjection works), collects them all, then patches them concurrently, so hundreds of namespaces take a moment. kube-system, kube-public and kube-node-lease are refused unless -Force is given. A namespace that fails (even after retries, for example a dropped connection) is reported as an error naming it, and the others are still labelled and passed through.

A -Revision that no control plane serves (no istiod Deployment with that istio.io/rev label, no injector webhook of that revision and no revision tag of that name) is refused with RevisionNotFound before any namespace is changed, unless -Force: new pods would otherwise start without sidecars. Without -Revision, when nothing serves the default revision, the namespaces are labelled and a warning says so (labelling before installing Istio is a common order of work).

Pods that are already running keep what they have: they get (or lose) the sidecar only when they are re-created, for example with kubectl rollout restart of their Deployments.
'@
    Parameters  = @{
        Namespace   = 'The namespaces to label. Accepts names from the pipeline by value and by property name (Namespace, Name).'
        InputObject = 'Namespace objects emitted by Get-IstioInjection.'
        Revision    = 'Sets istio.io/rev=REVISION instead of istio-injection=enabled, for revision-based (canary) control planes. "default" means istio-injection=enabled.'
        Force       = 'Allows changing kube-system, kube-public and kube-node-lease, and setting a -Revision that no control plane serves (yet).'
        PassThru    = 'Emits each namespace as changed, with PodsNeedingRestart: the running pods whose sidecar (or its revision) does not match the namespace''s new labels.'
        Restart     = 'Then does a rolling restart of the namespaces'' Deployments, StatefulSets and DaemonSets (the kubectl.kubernetes.io/restartedAt pod-template annotation kubectl rollout restart uses), so running pods pick up the change.'
        Wait        = 'With -Restart: waits until every restarted workload is rolled out.'
        Timeout     = 'With -Restart -Wait: how long to wait, as seconds (300), a time span or text such as 5m. Default: 5 minutes.'
    }
    Examples    = @(
        @{
            Code    = 'Enable-IstioInjection -Namespace bookinfo -PassThru'
            Remarks = 'Labels bookinfo with istio-injection=enabled and shows the result.'
        }
        @{
            Code    = 'Get-Content namespaces.txt | Enable-IstioInjection -Revision canary -WhatIf'
            Remarks = 'Shows which namespaces would be moved to the canary revision, without changing anything.'
        }
    )
}
