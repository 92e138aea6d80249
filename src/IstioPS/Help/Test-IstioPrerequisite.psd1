@{
    Synopsis    = 'Checks whether the cluster meets what an Istio install with the same parameters needs, before anything is written.'
    Description = @'
Test-IstioPrerequisite reads the same sources as Install-Istio (a release with a profile, -Set, -ValuesFile, -Revision, -Component, -Addon, or manifest files), surveys the writes the install would make, and checks the cluster against them. It emits one PrerequisiteFinding per finding, with Severity (Error, Warning or Info), a stable Code, a Message, a Remedy and the Target:

KubernetesVersionUnsupported (Error): the cluster's Kubernetes version (/version) is older than the release supports (Istio 1.30 needs 1.32, 1.29 needs 1.30). The minimum is read from a kubeVersion constraint in the release's charts when one is there, else from IstioPS's table of istioctl's MinK8SVersion per release; the message says which.
PermissionMissing (Error): the kubeconfig's user may not make one of the install's writes (create, patch or delete of a resource in a namespace or at the cluster scope), or the watches and lists its waits need (CRDs until Established; the workloads until ready, unless -NoWait), asked with one SelfSubjectAccessReview per verb, resource and namespace. One finding names each. Install-Istio -Force also asks, after the plan, for the deletes of what it recreates.
ManagedIstioPresent (Error): an Istio run by someone else: the AKS add-on (namespace aks-istio-system), OpenShift Service Mesh 2 (ServiceMeshControlPlanes), OpenShift Service Mesh 3 or the Sail operator (Istio resources), Google's managed Cloud Service Mesh. MeshOperatorPresent (Warning): such an operator's CRD with nothing using it.
UnsupportedUpgrade (Error): the revision is installed at a version an in-place upgrade cannot reach (a downgrade, or more than one minor version). InPlaceUpgrade, OtherRevisionInstalled (Info); RevisionInOtherNamespace (Warning).
InjectionWebhooksOverlap (Warning): two MutatingWebhookConfigurations (stored, or the one this install writes) whose sidecar-injection webhooks match the same pods in the same namespaces (their namespaceSelectors and objectSelectors compared), revision tags and the default webhook included.
GatewayApiCrdTooOld, GatewayApiCrdTooNew, GatewayApiCrdUnversioned (Warning): Gateway API CRDs whose gateway.networking.k8s.io/bundle-version is outside what the release's istiod accepts (it ignores those CRDs).

Install-Istio runs the same check first unless -SkipPrerequisiteCheck: any Error stops it before its first write (PrerequisiteNotMet), warnings are written as warnings and Info findings as verbose messages. Test-IstioPrerequisite sends only reads and SelfSubjectAccessReviews, which store nothing.
'@
    Parameters  = @{
        LiteralPath  = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *). Get-ChildItem output binds here by its PSPath.'
        Version      = 'An Istio version (x.y.z or latest): the release is taken from the cache, downloaded when missing.'
        ManifestPath = 'Files or folders of YAML to be installed. Wildcards are allowed; accepts paths from the pipeline.'
        ReleasePath  = 'An extracted Istio release to render the install from.'
        Profile      = 'The profile to be installed. Default: default.'
        Set          = 'istioctl-style overrides, as Install-Istio takes them.'
        ValuesFile   = 'IstioOperator files, as Install-Istio takes them.'
        Revision     = 'The revision to be installed.'
        Component    = 'Checks only for these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        Addon        = 'Addons to be installed (alone when no -Profile, -Set, -ValuesFile or -Component is given).'
        Namespace    = 'Where namespaced objects without a namespace go. Default: istio-system.'
        Recurse      = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
    }
    Outputs     = @{
        PrerequisiteFinding = 'One object per finding: Severity (Error, Warning, Info), Code, Message, Remedy and Target. The default view shows severity, code and message, and the remedy below them.'
    }
    Examples    = @(
        @{
            Code    = 'Test-IstioPrerequisite -ReleasePath ./istio-1.30.3 -Profile demo'
            Remarks = 'Lists what stands in the way of installing the demo profile of Istio 1.30.3, with what to do about each.'
        }
        @{
            Code    = 'if (Test-IstioPrerequisite -Version 1.30.3 | Where-Object Severity -eq Error) { throw ''the cluster is not ready for Istio 1.30.3'' }'
            Remarks = 'Fails a pipeline step before the install when any prerequisite is not met.'
        }
    )
}
