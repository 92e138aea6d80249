@{
    Synopsis    = 'Renders an Istio release (or one Helm chart) natively, without helm or istioctl: what istioctl manifest generate or helm template prints.'
    Description = @'
With -ReleasePath, Export-IstioManifest does what istioctl manifest generate does: it starts from the release's default profile, overlays the chosen profile, then the IstioOperator files of -ValuesFile in order, then every -Set path=value (istioctl's path syntax and value typing), translates the result into Helm values per component (base, pilot, ingress and egress gateways, cni, ztunnel), renders each component's chart into its namespace with IstioPS's own Go template engine, and orders the objects as istioctl does (CRDs first, Services last).

With -ChartPath it does what helm template does for one chart, with Helm values files and --set syntax.

By default it emits one object per Kubernetes object (Component, Kind, Namespace, Name, Yaml). -AsYaml emits one multi-document YAML string; -OutFile writes that string to a file. Malformed templates, unknown profiles and bad -Set paths are reported with the template file and line, or the flag, that is wrong.
'@
    Parameters  = @{
        Version     = 'An Istio version (x.y.z, or latest): the release is taken from the per-user cache, downloaded, verified and cached first when missing.'
        ReleasePath = 'An extracted Istio release (the folder holding manifests/charts and manifests/profiles), for example one that Save-IstioRelease downloaded.'
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
            Code    = 'Export-IstioManifest -ChartPath ./istio-1.30.3/manifests/charts/gateway -ReleaseName ingress -Namespace istio-ingress -AsYaml'
            Remarks = 'Renders the gateway chart like helm template would.'
        }
    )
}
