@{
    Synopsis    = 'Shows what Install-Istio would change, object by object and field by field, before anything changes.'
    Description = @'
Compare-IstioInstallation takes the same source parameters as Install-Istio and computes its plan: the input is validated and ordered, and for each object the API server itself is asked what a server-side apply would do (a dry run with the same field manager, "istiops", and force as the real apply), and the answer is compared with the live object. Defaulting, admission and merging are the server's own, and fields that other field managers own and the install does not set are never differences.

It emits one record per object that would change, with Action, Kind, Namespace, Name and Changes (each with Path, Live and Planned), in apply order. The actions:

+ Create: the object does not exist.
~ Configure: the object exists and the listed fields change (path: live -> planned; long values shortened).
- Prune: IstioPS installed the object for this revision and a component of this input, and the input no longer has it (Install-Istio deletes it unless -NoPrune).
! Recreate: the server refuses the change because an immutable field would change (Install-Istio needs -Force).
? Adopt: the object exists and IstioPS did not create it (Install-Istio needs -Adopt).

Nothing is emitted when the cluster already is what the input says; -IncludeUnchanged emits every object, the unchanged ones with Action Unchanged. It sends only reads and dry-run requests.
'@
    Parameters  = @{
        LiteralPath      = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *). Get-ChildItem output binds here by its PSPath.'
        Version          = 'An Istio version (x.y.z or latest): the release is taken from the cache, downloaded when missing.'
        ManifestPath     = 'Files or folders of YAML to compare with the cluster. Wildcards are allowed; accepts paths from the pipeline.'
        Recurse          = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
        ReleasePath      = 'An extracted Istio release to render natively.'
        Profile          = 'The profile to compare with. Default: default.'
        Set              = 'istioctl-style overrides, each path=value, as for Install-Istio.'
        ValuesFile       = 'IstioOperator YAML files merged over the profile, in order.'
        Revision         = 'The revision the install is for.'
        Component        = 'Compares only these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        Addon            = 'Addons from the release''s samples/addons (alone when no -Profile, -Set, -ValuesFile or -Component is given).'
        Namespace        = 'Where namespaced objects without a namespace go. Default: istio-system.'
        IncludeUnchanged = 'Also emits the objects that would not change, with Action Unchanged.'
        NoPrune          = 'Leaves out the objects Install-Istio -NoPrune would keep (Action Prune).'
        Concurrency      = 'How many requests are in flight at once. Default: 64.'
    }
    Examples    = @(
        @{
            Code    = 'Compare-IstioInstallation -ReleasePath ./istio-1.30.3 -Profile demo -Set values.pilot.resources.requests.cpu=123m'
            Remarks = 'Shows "~ deployment.apps/istiod (namespace istio-system)" and the one changed field, with its live and planned values.'
        }
        @{
            Code    = 'Compare-IstioInstallation -ReleasePath ./istio-1.30.3 -Profile demo -IncludeUnchanged | Group-Object Action'
            Remarks = 'Counts the objects by what the install would do to them.'
        }
        @{
            Code    = 'if (Compare-IstioInstallation -Version 1.30.3 -Profile default) { Install-Istio -Version 1.30.3 -Profile default -Confirm:$false }'
            Remarks = 'Installs only when something would change.'
        }
    )
}
