@{
    Synopsis    = 'Installs Istio (or any set of manifests) into a cluster: namespace, CRDs, components in order, then waits until they are ready.'
    Description = @'
Install-Istio does what the classic walkthrough does by hand, in one idempotent, previewable and resumable call: it creates the target namespace (default istio-system) if it is missing, applies every CustomResourceDefinition first and waits until each is Established, then applies everything else in dependency order (namespaces, RBAC, configuration, webhooks, workloads, services) with server-side apply under the field manager "istiops", several requests in flight, and finally waits until Deployments are available, DaemonSets and StatefulSets ready and Jobs complete.

The whole input is validated before the first write: invalid YAML, a document without apiVersion, kind or metadata.name, an invalid name, or a kind the cluster does not serve and the input does not define is reported with its file and line, and nothing is written.

Running it again on the same input changes nothing and reports every object as unchanged; after an interruption (Ctrl+C, a lost connection) running it again completes the install. -WhatIf sends no writing request at all.

It emits one result object with every object and what happened to it (Created, Configured, Unchanged), the totals and the time taken.
'@
    Parameters  = @{
        ManifestPath = 'Files or folders of pre-rendered YAML (multi-document files allowed; folders are read recursively for .yaml, .yml and .json). Wildcards are allowed. Accepts paths from the pipeline (for example from Get-ChildItem).'
        Namespace    = 'The namespace Istio is installed into and where namespaced objects without a namespace go. Created if missing. Default: istio-system.'
        Timeout      = 'How long to wait for CRDs and workloads to become ready: seconds (300), a time span (00:05:00) or text such as 5m. Default: 5 minutes. On timeout the error names every object that is not ready and its pods'' waiting reasons (for example ImagePullBackOff).'
        NoWait       = 'Returns as soon as everything is applied, without waiting for workloads to become ready (CRDs are still waited for, since later objects need them).'
        Concurrency  = 'How many write requests are in flight at once. Default: 8.'
    }
    Examples    = @(
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
