@{
    Synopsis    = 'Removes what IstioPS installed and owns for a revision; -Purge removes every revision, the CRDs and the namespace IstioPS created, keeping users'' data.'
    Description = @'
Uninstall-Istio finds what Install-Istio applied for a revision by the labels it puts on every object (istiops.io/managed-by and istiops.io/revision) and deletes it, webhooks first and RBAC last. It deletes only objects IstioPS owns: those that also carry the annotation istiops.io/ownership (created, or adopted with Install-Istio -Adopt). Objects that only look like IstioPS's, and the webhooks istioctl leaves behind (istiod-default-validator, revision tags), are left alone and named in a warning. Istio's base (CRDs and shared RBAC) belongs to every revision and is removed only by -Purge. A revision with nothing installed is an error (RevisionNotInstalled).

-Purge removes every revision and the Istio CRDs (unless -KeepCrds). When users' custom resources of those CRDs still exist, it refuses before deleting anything (CustomResourcesExist, with their counts, kinds and namespaces) unless -Force. The namespace is deleted only if IstioPS created it and nothing else is left in it: every namespaced resource type the server lists is checked, apart from what IstioPS deletes and what Kubernetes and istiod create by themselves (kube-root-ca.crt, the default ServiceAccount, istio-ca-root-cert). Otherwise the namespace stays and a warning names what is left. It waits until a deleted namespace is gone, so a fresh Install-Istio works right after.

It refuses, with a warning naming them, to remove a revision that pods still use (pods with that revision's sidecar outside the mesh namespace), unless -Force. ConfirmImpact is High: it asks once for the whole removal ("Remove revision default: 23 objects?") unless -Confirm:$false; -WhatIf lists every object it would delete. A delete that fails (after retries) is reported as an error naming the object, and the others go on.
'@
    Parameters  = @{
        Revision  = 'The revision to remove. Default: default.'
        Purge     = 'Removes every revision, the Istio CRDs (unless -KeepCrds) and the namespace if IstioPS created it and nothing else is left in it.'
        KeepCrds  = 'With -Purge: keeps the Istio CRDs (and so every Istio resource users created).'
        Force     = 'Removes the revision even though pods still use it; with -Purge, also deletes the CRDs when users'' custom resources of them still exist (and those resources with them).'
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
            Remarks = 'Removes Istio entirely: every revision, the CRDs and the webhooks IstioPS installed, and istio-system if IstioPS created it and nothing else is left in it.'
        }
    )
}
