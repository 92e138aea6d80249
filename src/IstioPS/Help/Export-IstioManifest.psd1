@{
    Synopsis    = 'Renders an Istio release (or one Helm chart) natively, without helm or istioctl: what istioctl manifest generate or helm template prints.'
    Description = @'
With -ReleasePath, Export-IstioManifest does what istioctl manifest generate does: it starts from the release's default profile, overlays the chosen profile, then the IstioOperator files of -ValuesFile in order, then every -Set path=value (istioctl's path syntax and value typing), translates the result into Helm values per component (base, pilot, ingress and egress gateways, cni, ztunnel), renders each component's chart into its namespace with IstioPS's own Go template engine, and orders the objects as istioctl does (CRDs first, Services last).

With -ChartPath it does what helm template does for one chart, with Helm values files and --set syntax.

It takes the same source parameters as Install-Istio, Compare-IstioInstallation, Test-IstioInstallation and Test-IstioPrerequisite (-ReleasePath or -Version with -Profile, -Set, -ValuesFile, -Revision, -Component and -Addon; or -ManifestPath/-LiteralPath), so what it writes is exactly what those cmdlets would apply or compare. With -ManifestPath or -LiteralPath it reads and checks the files as Install-Istio reads them (every problem reported with its file and line) and writes their objects. It never connects to a cluster; with -Version under -WhatIf nothing is downloaded and nothing is rendered.

By default it emits one object per Kubernetes object (Component, Kind, Namespace, Name, Yaml). -AsYaml emits one multi-document YAML string; -OutFile writes that string to a file. Malformed templates, unknown profiles and bad -Set paths are reported with the template file and line, or the flag, that is wrong.
'@
    Parameters  = @{
        Version     = 'An Istio version (x.y.z, or latest): the release is taken from the per-user cache, downloaded, verified and cached first when missing.'
        ReleasePath = 'An extracted Istio release (the folder holding manifests/charts and manifests/profiles), for example one that Save-IstioRelease downloaded.'
        ManifestPath = 'Files or folders of pre-rendered YAML (a folder''s .yaml, .yml and .json files; its subfolders only with -Recurse); wildcards allowed. Accepts Get-ChildItem output from the pipeline. The objects are read and checked as Install-Istio reads them and written in file order.'
        LiteralPath  = 'Files or folders of YAML taken exactly as written: no wildcard expansion (for names holding [ or *).'
        Recurse      = 'Reads the subfolders of the folders given to -ManifestPath or -LiteralPath too, as Get-ChildItem -Recurse does.'
        Addon        = 'Addons from the release''s samples/addons (Prometheus, Grafana, Jaeger, Kiali, Loki), written after Istio''s objects. Given without -Profile, -Set, -ValuesFile or -Component, only the addons are written.'
        ChartPath   = 'One Helm chart folder (Chart.yaml, values.yaml, templates/) to render like helm template.'
        Profile     = 'The IstioOperator profile: default, demo, minimal, empty, remote, preview, ambient, openshift, openshift-ambient, stable (see Get-IstioProfile). Default: default.'
        Set         = 'Overrides, each path=value. With -ReleasePath in istioctl''s syntax (values.global.hub=my.registry, components.egressGateways[0].enabled=true, meshConfig.accessLogFile=/dev/stdout); with -ChartPath in Helm''s --set syntax.'
        ValuesFile  = 'With -ReleasePath: IstioOperator YAML files, merged in order. With -ChartPath: Helm values files, merged in order.'
        Revision    = 'The control plane revision (istioctl --revision): revisioned istiod, webhooks and labels, for canary upgrades.'
        Component   = 'Renders only these components: Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel.'
        ReleaseName = 'The Helm release name for -ChartPath. Default: istio.'
        Namespace   = 'The namespace the chart is rendered into for -ChartPath. Default: istio-system.'
        IsUpgrade   = 'Renders the chart as an upgrade (.Release.IsUpgrade) rather than an install.'
        AsYaml      = 'Emits one multi-document YAML string instead of one object per Kubernetes object.'
        OutFile     = 'Writes the multi-document YAML to this file instead of the pipeline.'
    }
    Examples    = @(
        @{
            Code    = 'Export-IstioManifest -ReleasePath ./istio-1.30.3 -Profile demo | Group-Object Component'
            Remarks = 'Renders the demo profile and counts the objects of each component.'
        }
        @{
            Code    = 'Export-IstioManifest ./istio-1.30.3 -Set values.global.hub=registry.example.com/istio -OutFile istio.yaml'
            Remarks = 'Writes the default profile, pulling images from a private registry, to istio.yaml.'
        }
        @{
            Code    = 'Export-IstioManifest -Version 1.30.3 -Addon Prometheus, Kiali -AsYaml'
            Remarks = 'Writes only the two addons of the 1.30.3 release (downloaded into the cache first when missing).'
        }
        @{
            Code    = 'Export-IstioManifest -ChartPath ./istio-1.30.3/manifests/charts/gateway -ReleaseName ingress -Namespace istio-ingress -AsYaml'
            Remarks = 'Renders the gateway chart like helm template would.'
        }
    )
}
