@{
    Synopsis    = 'Shows which namespaces ask for Istio sidecar injection: kubectl get namespace -L istio-injection, as objects.'
    Description = @'
Get-IstioInjection emits one object per namespace with Namespace, State (Enabled, Disabled, Revision or NotSet), Revision (the control plane revision that injects: "default" for istio-injection=enabled, or the istio.io/rev label), Label (the label that decides), Status and Age. istio-injection wins over istio.io/rev, as in Istio.

It also reads the namespace's pods and reports PodsNeedingRestart (and StalePods, their names): running pods whose sidecar presence or revision does not match what the namespace asks for now, by Istio's rules (namespace istio-injection=disabled beats a pod's sidecar.istio.io/inject=false, which beats namespace enabled or a revision, which beats a pod's own opt-in). Restart their workloads, for example with Enable-IstioInjection -Restart, to bring them in line.

Exact names are read one by one; wildcards (or no name) read all namespaces with one paged list.
'@
    Parameters  = @{
        Namespace = 'Namespaces to show. Wildcards are allowed. Default: all. Accepts names from the pipeline.'
    }
    Examples    = @(
        @{
            Code    = 'Get-IstioInjection'
            Remarks = 'Lists every namespace with its injection state.'
        }
        @{
            Code    = 'Get-IstioInjection team-* | Where-Object State -eq NotSet | Enable-IstioInjection'
            Remarks = 'Enables injection on every team namespace that has not decided yet.'
        }
    )
}
