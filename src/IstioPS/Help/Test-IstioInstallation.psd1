@{
    Synopsis    = 'Verifies an Istio installation: renders what should be there, compares it with the cluster, and reports every difference.'
    Description = @'
Test-IstioInstallation renders what should be installed (from a release and profile, with the same -Set, -ValuesFile, -Revision, -Component and -Addon as Install-Istio, or from manifest files) and compares it with the cluster. It emits one object per difference, with Kind, Namespace, Name and Problem:

Missing: the object is not there (or its kind is not served, because its CRD is missing).
Drifted: the object is there but some values differ from the rendered ones; Fields lists their paths. Fields the API server or controllers add are not differences.
NotReady: a Deployment, DaemonSet, StatefulSet or Job is not ready, or a CRD is not Established.

It emits nothing when all is well. With -Quiet it returns $true or $false instead, for scripts. It only reads from the cluster.
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
