@{
    Synopsis    = 'Verifies an Istio installation: renders what should be there, compares it with the cluster, and reports every difference.'
    Description = @'
Test-IstioInstallation computes the same plan as Install-Istio with the same parameters (a server-side apply dry run per object, compared with the live object; see Compare-IstioInstallation) and checks readiness. It emits one object per difference, with Kind, Namespace, Name and Problem:

Missing: the object is not there (the install would create it).
Drifted: the object is there but the install would change it; Fields lists the changed paths. Fields that other field managers own and the install does not set are not differences.
Stale: IstioPS installed the object for this revision and a component of this input, and the input no longer has it (the install would prune it).
NotReady: a Deployment, DaemonSet, StatefulSet or Job is not ready, or a CRD is not Established.

It emits nothing when all is well. With -Quiet it returns $true or $false instead, for scripts. It sends only reads and dry runs.
'@
    Parameters  = @{
        LiteralPath  = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *). Get-ChildItem output binds here by its PSPath.'
        Version      = 'An Istio version (x.y.z or latest): the release is taken from the cache, downloaded when missing.'
        ManifestPath = 'Files or folders of YAML that should be installed. Wildcards are allowed; accepts paths from the pipeline.'
        ReleasePath  = 'An extracted Istio release to render what should be installed.'
        Profile      = 'The profile that was installed. Default: default.'
        Set          = 'The istioctl-style overrides that were used at install time.'
        ValuesFile   = 'The IstioOperator files that were used at install time.'
        Revision     = 'The revision to verify.'
        Component    = 'Verifies only these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        Addon        = 'Addons that should be installed (alone when no -Profile, -Set, -ValuesFile or -Component is given).'
        Namespace    = 'Where namespaced objects without a namespace are expected. Default: istio-system.'
        Recurse      = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
        Quiet        = 'Returns $true when everything is installed and ready, $false otherwise, instead of the differences.'
    }
    Examples    = @(
        @{
            Code    = 'Test-IstioInstallation -ReleasePath ./istio-1.30.3 -Profile demo'
            Remarks = 'Lists what is missing, drifted or not ready compared with the demo profile; nothing when all is well.'
        }
        @{
            Code    = 'if (-not (Test-IstioInstallation -ReleasePath ./istio-1.30.3 -Revision canary -Profile minimal -Quiet)) { throw ''canary is not healthy'' }'
            Remarks = 'Fails a pipeline step when the canary control plane is not installed as rendered and ready.'
        }
    )
}
