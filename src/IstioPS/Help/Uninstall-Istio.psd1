@{
    Synopsis    = 'Removes what Install-Istio applied for a revision, including the webhooks istioctl leaves behind; -Purge removes every revision, the CRDs and the namespace.'
    Description = @'
Uninstall-Istio finds what Install-Istio applied for a revision by the labels it puts on every object (istiops.io/managed-by and istiops.io/revision) and deletes it, webhooks first and RBAC last. It also removes the cluster-scoped webhooks of that revision that istioctl leaves behind (istiod-default-validator, the revision's injector and validator, revision tags pointing at it). Istio's base (CRDs and shared RBAC) belongs to every revision and is removed only by -Purge.

-Purge removes every revision, the Istio CRDs (unless -KeepCrds) and the namespace when nothing else is left in it, and waits until the namespace is gone, so a fresh Install-Istio works right after.

It refuses, with a warning naming them, to remove a revision that pods still use (pods with that revision's sidecar outside the mesh namespace), unless -Force. ConfirmImpact is High: it asks before each deletion unless -Confirm:$false.
'@
    Parameters  = @{
        Revision  = 'The revision to remove. Default: default.'
        Purge     = 'Removes every revision, the Istio CRDs (unless -KeepCrds) and the namespace when it is empty.'
        KeepCrds  = 'With -Purge: keeps the Istio CRDs (and so every Istio resource users created).'
        Force     = 'Removes the revision even though pods still use it.'
        Namespace = 'The mesh namespace. Default: istio-system.'
        Timeout   = 'How long to wait for the namespace to be deleted with -Purge. Default: 2 minutes.'
    }
    Examples    = @(
        @{
            Code    = 'Uninstall-Istio -Revision default -Confirm:$false'
            Remarks = 'After moving every namespace to the canary revision, removes the old control plane.'
        }
        @{
            Code    = 'Uninstall-Istio -Purge -Confirm:$false'
            Remarks = 'Removes Istio entirely: every revision, the CRDs, the webhooks and istio-system.'
        }
    )
}
