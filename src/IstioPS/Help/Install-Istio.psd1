@{
    Synopsis    = 'Installs Istio (or any set of manifests) into a cluster: namespace, CRDs, components in order, then waits until they are ready.'
    Description = @'
Install-Istio does what the classic walkthrough does by hand, in one idempotent, previewable and resumable call: it creates the target namespace (default istio-system) if it is missing, applies every CustomResourceDefinition first and waits until each is Established, then applies everything else in dependency order (namespaces, RBAC, configuration, webhooks, workloads, services) with server-side apply under the field manager "istiops", several requests in flight, and finally waits until Deployments are available, DaemonSets and StatefulSets ready and Jobs complete.

The whole input is validated before the first write: invalid YAML, a document without apiVersion, kind or metadata.name, an invalid name, or a kind the cluster does not serve and the input does not define is reported with its file and line, and nothing is written.

Installing a release over a control plane of the same revision is an in-place upgrade: the installed version (istiod's version label or image tag) may be the same, a patch or one minor version older; a downgrade or a jump of more than one minor version is refused unless -Force. A release's version (its manifest.yaml, else its folder name istio-VERSION) is the default image tag, as its istioctl has it compiled in.

Running it again on the same input changes nothing and reports every object as unchanged; after an interruption (Ctrl+C, a lost connection) running it again completes the install. -WhatIf sends no writing request at all.

It emits one result object with every object and what happened to it (Created, Configured, Unchanged), the totals and the time taken.
'@
    Parameters  = @{
        LiteralPath  = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *). Get-ChildItem output binds here by its PSPath.'
        Version      = 'An Istio version (x.y.z, or latest for the newest stable release): the release is taken from the per-user cache (see Get-IstioRelease) and downloaded, verified and cached first when missing (see Save-IstioRelease). With -ReleasePath nothing is downloaded.'
        ManifestPath = 'Files or folders of pre-rendered YAML (multi-document files allowed; folders are read recursively for .yaml, .yml and .json). Wildcards are allowed. Accepts paths from the pipeline (for example from Get-ChildItem).'
        Namespace    = 'The namespace Istio is installed into and where namespaced objects without a namespace go. Created if missing. Default: istio-system.'
        Timeout      = 'How long to wait for CRDs and workloads to become ready: seconds (300), a time span (00:05:00) or text such as 5m. Default: 5 minutes. On timeout the error names every object that is not ready and its pods'' waiting reasons (for example ImagePullBackOff).'
        NoWait       = 'Returns as soon as everything is applied, without waiting for workloads to become ready (CRDs are still waited for, since later objects need them).'
        Concurrency  = 'How many write requests are in flight at once. Default: 16.'
        Force        = 'Upgrades in place even when the revision''s installed istiod is newer than the release (a downgrade) or more than one minor version older. Without it such an install is refused (UnsupportedUpgrade) before anything is written: install the new version as a new revision instead (Install-Istio -Revision 1-30-3), move the namespaces to it, then uninstall the old one.'
        ReleasePath  = 'An extracted Istio release to render natively (no helm or istioctl needed), for example one that Save-IstioRelease downloaded. The legacy Istio 1.5 layout is recognised: its apiextensions.k8s.io/v1beta1 CRDs are refused plainly, before anything is written, by clusters that no longer serve that API.'
        Profile      = 'The IstioOperator profile to install: default, demo, minimal, ambient, ... (see Get-IstioProfile). Default: default.'
        Set          = 'istioctl-style overrides, each path=value (values.global.hub=my.registry, components.egressGateways[0].enabled=true, meshConfig.accessLogFile=/dev/stdout).'
        ValuesFile   = 'IstioOperator YAML files merged over the profile, in order.'
        Revision     = 'Installs a revisioned control plane (istiod-REVISION and its webhooks) beside any existing one, for canary upgrades. Objects are labelled with the revision so Uninstall-Istio -Revision removes exactly them.'
        Component    = 'Installs only these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        Addon        = 'Addons from the release''s samples/addons (Prometheus, Grafana, Jaeger, Kiali, Loki), applied after Istio and waited for. Given without -Profile, -Set, -ValuesFile or -Component, only the addons are installed.'
    }
    Examples    = @(
        @{
            Code    = 'Install-Istio -ReleasePath ./istio-1.30.3 -Profile demo'
            Remarks = 'Renders the demo profile natively and installs it: base with its CRDs, then istiod, then the gateways, waiting for each.'
        }
        @{
            Code    = 'Install-Istio -ReleasePath ./istio-1.30.3 -Addon Prometheus, Kiali'
            Remarks = 'Installs only the Prometheus and Kiali addons of the release.'
        }
        @{
            Code    = 'Install-Istio -ManifestPath ./istio-1.30.3/manifests/charts/base/files/crd-all.gen.yaml, ./istio-1.30.3/samples/addons'
            Remarks = 'Applies the Istio CRDs, waits until they are established, then applies the addons and waits until their pods are ready.'
        }
        @{
            Code    = 'Get-ChildItem ./manifests -Filter *.yaml | Install-Istio -WhatIf'
            Remarks = 'Shows what would be applied, validating every file against the cluster''s API, without writing anything.'
        }
        @{
            Code    = '$r = Install-Istio ./manifests -Timeout 10m -Verbose; $r.Objects | Where-Object Action -ne Unchanged'
            Remarks = 'Installs, then lists only the objects that were created or changed.'
        }
    )
}
