@{
    Synopsis    = 'Installs Istio (or any set of manifests) into a cluster: namespace, CRDs, components in order, then waits until they are ready.'
    Description = @'
Install-Istio does what the classic walkthrough does by hand, in one idempotent, previewable and resumable call, in four stages:

Sources: the release is rendered natively (or the manifest files are read); every object remembers its file and line or chart template.
Plan: the whole input is validated, its kinds resolved through discovery and ordered, and for each object the API server itself is asked what a server-side apply would change (a dry run with the same field manager, "istiops", and force as the real apply). Each object gets an action: Create, Configure (with the changed fields), Unchanged, Prune (installed by IstioPS for this revision and component, and no longer rendered), Recreate (an immutable field such as a Deployment's spec.selector would change) or Adopt (it exists and IstioPS did not create it). Compare-IstioInstallation shows this plan.
Apply: namespaces the input needs are created, CustomResourceDefinitions applied first and waited for until Established, then everything else in dependency order, component by component (base, istiod, gateways), several requests in flight; objects marked Prune are deleted last. Unchanged objects are not written.
Wait: Deployments available, DaemonSets and StatefulSets ready and Jobs complete, component by component.

Before the plan, the prerequisites are checked as Test-IstioPrerequisite checks them (the Kubernetes version, permission for every write and for the watches of the waits, a managed or competing control plane, overlapping injection webhooks, Gateway API CRDs); any Error stops the install before its first write (PrerequisiteNotMet), unless -SkipPrerequisiteCheck.

Nothing is written when any part of the input is invalid (every problem is reported with its file and line), when an object exists that IstioPS did not create (unless -Adopt), or when an immutable field would change (unless -Force). Every object IstioPS creates carries the labels istiops.io/managed-by, istiops.io/revision and istiops.io/component and the annotation istiops.io/ownership=created (adopted with -Adopt); only such objects are ever pruned or uninstalled.

Installing a release over a control plane of the same revision is an in-place upgrade: the installed version (istiod's version label or image tag) may be the same, a patch or one minor version older; a downgrade or a jump of more than one minor version is refused unless -Force. A release's version (its manifest.yaml, else its folder name istio-VERSION) is the default image tag, as its istioctl has it compiled in.

Running it again on the same input writes nothing and reports every object as unchanged; after an interruption (Ctrl+C, a lost connection) running it again completes the install. -WhatIf sends only reads and dry runs, and prints one line per object with its action and changed fields.

It emits one result object with every object and what happened to it (Created, Configured, Unchanged, Adopted, Recreated, Pruned), the totals and the time taken.
'@
    Parameters  = @{
        LiteralPath  = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *). Get-ChildItem output binds here by its PSPath.'
        Version      = 'An Istio version (x.y.z, or latest for the newest stable release): the release is taken from the per-user cache (see Get-IstioRelease) and downloaded, verified and cached first when missing (see Save-IstioRelease). With -ReleasePath nothing is downloaded.'
        ManifestPath = 'Files or folders of pre-rendered YAML (multi-document files allowed; a folder''s .yaml, .yml and .json files are read, its subfolders only with -Recurse). Wildcards are allowed. Accepts paths from the pipeline (for example from Get-ChildItem). Manifest files prune nothing.'
        Recurse      = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
        Adopt        = 'Takes over objects of the input that exist and were not created by IstioPS (when moving from istioctl or Helm): they are annotated istiops.io/ownership=adopted and reported as Adopted. Without it, Install-Istio stops before its first write and names them.'
        Force        = 'Deletes and creates again objects whose immutable fields change (a Deployment''s spec.selector, a Service''s clusterIP), waiting after each delete until the old object is gone (a cloud load balancer''s finalizer can hold a Service for a while; past -Timeout the error names the finalizers, RecreateTimeout); without it, Install-Istio stops before its first write and lists those objects and fields (RecreateRequired). Also upgrades in place when the revision''s installed istiod is newer than the release (a downgrade) or more than one minor version older; without it such an install is refused (UnsupportedUpgrade) before anything is written: install the new version as a new revision instead (Install-Istio -Revision 1-30-3), move the namespaces to it, then uninstall the old one.'
        SkipPrerequisiteCheck = 'Installs without checking the prerequisites first. By default Install-Istio runs Test-IstioPrerequisite''s checks (Kubernetes version, permissions for every write and for the watches of the waits, a managed or competing control plane, overlapping injection webhooks, Gateway API CRD versions) before anything is written: any Error stops it (PrerequisiteNotMet, listing each finding), warnings are written as warnings. An unsupported in-place upgrade is still refused without -Force.'
        NoPrune      = 'Keeps objects that an earlier install of this revision created for a component of this install and that the input no longer has (for example a gateway disabled since). Without it they are deleted after everything else is applied.'
        Namespace    = 'The namespace Istio is installed into and where namespaced objects without a namespace go. Created if missing. Default: istio-system.'
        Timeout      = 'How long to wait for CRDs and workloads to become ready: seconds (300), a time span (00:05:00) or text such as 5m. Default: 5 minutes. On timeout the error gives the -Timeout, names every object that is not ready with its pods'' waiting reasons (for example ImagePullBackOff), and the components never applied.'
        NoWait       = 'Returns as soon as everything is applied, without waiting for workloads to become ready (CRDs are still waited for, since later objects need them).'
        Concurrency  = 'How many requests (dry runs and writes) are in flight at once. Default: 64, enough for each tier of an Istio install to go out in one round trip.'
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
            Code    = 'Install-Istio -ReleasePath ./istio-1.30.3 -Profile demo -Set components.egressGateways[0].enabled=false -WhatIf'
            Remarks = 'Shows, one line per object, what disabling the egress gateway would do: its objects are pruned, everything else is unchanged.'
        }
        @{
            Code    = '$r = Install-Istio ./manifests -Timeout 10m -Verbose; $r.Objects | Where-Object Action -ne Unchanged'
            Remarks = 'Installs, then lists only the objects that were created or changed.'
        }
    )
}
