@{
    Synopsis    = 'Removes what IstioPS installed and owns for a revision, or only what a release''s components, addons or manifest files stand for; -Purge removes every revision, the CRDs and the namespace IstioPS created, keeping users'' data.'
    Description = @'
Uninstall-Istio finds what Install-Istio applied for a revision by the labels it puts on every object (istiops.io/managed-by and istiops.io/revision) and deletes it, webhooks first and RBAC last. It deletes only objects IstioPS owns: those that also carry the annotation istiops.io/ownership (created, or adopted with Install-Istio -Adopt). Objects that only look like IstioPS's, and the webhooks istioctl leaves behind (istiod-default-validator, revision tags), are left alone and named in a warning. Istio's base (CRDs and shared RBAC) belongs to every revision and is removed only by -Purge. A revision with nothing installed is an error (RevisionNotInstalled).

-Purge removes every revision and the Istio CRDs (unless -KeepCrds). When users' custom resources of those CRDs still exist, it refuses before deleting anything (CustomResourcesExist, with their counts, kinds and namespaces) unless -Force. The namespace is deleted only if IstioPS created it and nothing else is left in it: every namespaced resource type the server lists is checked, apart from what IstioPS deletes and what Kubernetes and istiod create by themselves (kube-root-ca.crt, the default ServiceAccount, istio-ca-root-cert). Otherwise the namespace stays and a warning names what is left. It waits until a deleted namespace is gone, so a fresh Install-Istio works right after.

With the source parameters of Install-Istio (-ReleasePath or -Version with -Profile, -Set, -ValuesFile, -Revision, -Component and -Addon; or -ManifestPath/-LiteralPath), it removes only the objects that input stands for, as istioctl uninstall -f does: the input is rendered or read exactly as Install-Istio would (nothing is removed when any part of it is invalid), and of its objects, those that exist and IstioPS owns for the revision (or shares between revisions, such as the CRDs, but those only when no other revision is installed: otherwise they are kept and named in a warning) are deleted; the others are named in a warning. -Addon Kiali alone removes only Kiali; -Component EgressGateways only the egress gateway; -ManifestPath the objects of those files. The CRDs the input names are deleted too, unless -KeepCrds (refused while users'' custom resources of them exist, unless -Force); the namespace stays. Nothing of the input installed is an error (NotInstalled).

It refuses, with a warning naming them, to remove a revision that pods still use (pods with that revision's sidecar outside the mesh namespace), unless -Force. ConfirmImpact is High: it asks once for the whole removal ("Remove revision default: 23 objects?") unless -Confirm:$false; -WhatIf lists every object it would delete. A delete that fails (after retries) is reported as an error naming the object, and the others go on.
'@
    Parameters  = @{
        Revision  = 'The revision to remove (with -ReleasePath or -Version: the revision the release was installed as). Default: default.'
        ManifestPath = 'Removes the objects of these files or folders of YAML (a folder''s .yaml, .yml and .json files; its subfolders only with -Recurse) that IstioPS installed; wildcards allowed. Get-ChildItem output binds to -LiteralPath.'
        LiteralPath  = 'Files or folders of YAML taken exactly as written (no wildcard expansion); Get-ChildItem output binds here by its PSPath.'
        Recurse      = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
        ReleasePath  = 'An extracted Istio release: removes the objects it renders for -Profile, -Set, -ValuesFile, -Component and -Revision (and its -Addon addons), as Install-Istio would have applied them.'
        Version      = 'An Istio version (x.y.z, or latest): its release is taken from the per-user cache, downloaded first when missing; then as -ReleasePath.'
        Profile      = 'The profile the release was installed with (default, demo, minimal, ...). Default: default.'
        Set          = 'The istioctl-style overrides the release was installed with (path=value).'
        ValuesFile   = 'The IstioOperator files the release was installed with.'
        Component    = 'Removes only these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        Addon        = 'Removes these addons of the release''s samples/addons (Prometheus, Grafana, Jaeger, Kiali, Loki); given without -Profile, -Set, -ValuesFile or -Component, only them.'
        Purge     = 'Removes every revision, the Istio CRDs (unless -KeepCrds) and the namespace if IstioPS created it and nothing else is left in it.'
        KeepCrds  = 'With -Purge, or with an input that names CRDs: keeps the CRDs (and so every resource users created of them).'
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
            Code    = 'Uninstall-Istio -ReleasePath ./istio-1.30.3 -Addon Kiali, Grafana -Confirm:$false'
            Remarks = 'Removes only the Kiali and Grafana addons that Install-Istio -Addon installed; the mesh stays.'
        }
        @{
            Code    = 'Uninstall-Istio -Purge -Confirm:$false'
            Remarks = 'Removes Istio entirely: every revision, the CRDs and the webhooks IstioPS installed, and istio-system if IstioPS created it and nothing else is left in it.'
        }
    )
}
