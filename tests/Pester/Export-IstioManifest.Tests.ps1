BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Directory
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Export-IstioManifest' -Skip:(-not $hasIstio) {
    It 'renders the default profile as objects, CRDs first and Services last' {
        $objects = Export-IstioManifest -ReleasePath $release
        $objects[0].GetType().FullName | Should -Be 'IstioPS.Engine.Sources.ManifestEntry'
        $objects[0].Kind | Should -Be 'CustomResourceDefinition'
        $objects[-1].Kind | Should -Be 'Service'
        ($objects | Where-Object Kind -eq CustomResourceDefinition).Count | Should -BeGreaterOrEqual 15
        ($objects.Component | Sort-Object -Unique) | Should -Be @('Base', 'IngressGateways', 'Pilot')
        ($objects | Where-Object { $_.Kind -eq 'Deployment' }).Name | Should -Contain 'istiod'
        $objects | ForEach-Object { $_.Yaml | Should -Match "kind: $($_.Kind)" }
    }

    It 'adds the egress gateway for the demo profile and nothing of gateways for minimal' {
        (Export-IstioManifest $release -Profile demo).Component | Should -Contain 'EgressGateways'
        (Export-IstioManifest $release -Profile minimal).Component | Sort-Object -Unique | Should -Be @('Base', 'Pilot')
    }

    It 'applies -Set with istioctl paths' {
        $d = Export-IstioManifest $release -Set 'values.global.hub=registry.example.com/istio', 'values.global.tag=9.9.9' -Component Pilot |
            Where-Object { $_.Kind -eq 'Deployment' -and $_.Name -eq 'istiod' }
        $d.Yaml | Should -Match 'image: registry.example.com/istio/pilot:9.9.9'
    }

    It "stamps the release's version as the default image tag, as its istioctl does; -Set tag and -Set hub win" {
        $images = { param($objects) ($objects | Where-Object Kind -eq Deployment).Yaml -split "`n" | Where-Object { $_ -match '^\s+image: ' } | ForEach-Object { ($_ -split 'image: ')[1].Trim('"') } }
        & $images (Export-IstioManifest $release) | Should -Be @('docker.io/istio/proxyv2:1.30.3', 'docker.io/istio/pilot:1.30.3')
        & $images (Export-IstioManifest (Join-Path (Get-IstioData) 'releases/istio-1.29.6') -Component Pilot) | Should -Be 'docker.io/istio/pilot:1.29.6'
        & $images (Export-IstioManifest $release -Component Pilot -Set tag=1.2.3, hub=registry.example/istio) | Should -Be 'registry.example/istio/pilot:1.2.3'
        # The sidecar injector's template takes the same default tag for the proxies it injects.
        (Export-IstioManifest $release -Component Pilot | Where-Object { $_.Kind -eq 'ConfigMap' -and $_.Name -eq 'istio-sidecar-injector' }).Yaml | Should -Match '"tag": "1\.30\.3"'
    }

    It 'renders a revision' {
        $objects = Export-IstioManifest $release -Revision canary -Component Pilot
        ($objects | Where-Object Kind -eq Deployment).Name | Should -Be 'istiod-canary'
    }

    It 'writes one YAML string with -AsYaml and a file with -OutFile' {
        $yaml = Export-IstioManifest $release -Profile minimal -AsYaml
        $yaml | Should -BeOfType [string]
        $yaml | Should -Match '(?m)^---$'
        $file = Join-Path $dir 'minimal.yaml'
        Export-IstioManifest $release -Profile minimal -OutFile $file | Should -BeNullOrEmpty
        Get-Content -Raw $file | Should -Be $yaml
    }

    It 'renders one chart like helm template' {
        $objects = Export-IstioManifest -ChartPath "$release/manifests/charts/gateway" -ReleaseName ingress -Namespace istio-ingress
        ($objects | Where-Object Kind -eq Deployment).Name | Should -Be 'ingress'
        ($objects | Where-Object Kind -eq Deployment).Namespace | Should -Be 'istio-ingress'
    }

    It 'fails with UnknownProfile for a profile the release does not have' {
        { Export-IstioManifest $release -Profile nope } | Should -Throw -ErrorId 'UnknownProfile,IstioPS.Commands.ExportIstioManifestCommand'
    }

    It 'fails with InvalidSetPath for a bad -Set path' {
        $err = $null
        try { Export-IstioManifest $release -Set 'spec.nope[=1' } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Match '^InvalidSet(Path|Value),IstioPS.Commands.ExportIstioManifestCommand$'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'fails with ReleaseNotFound for a folder that is not a release' {
        { Export-IstioManifest $dir } | Should -Throw -ErrorId 'ReleaseNotFound,IstioPS.Commands.ExportIstioManifestCommand'
    }

    It 'names the template file and line of a malformed template' {
        $copy = Join-Path $dir 'broken'
        Copy-Item "$release/manifests/charts/gateway" $copy -Recurse
        Add-Content (Join-Path $copy 'templates/service.yaml') "`n{{ if .Values.x }}`nunterminated"
        $err = $null
        try { Export-IstioManifest -ChartPath $copy } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Match 'Template.*Error,IstioPS.Commands.ExportIstioManifestCommand'
        $err.Exception.Message | Should -Match 'service\.yaml'
    }
}

Describe 'Export-IstioManifest takes the source parameters of Install-Istio' -Skip:(-not $hasIstio) {
    It 'declares every source parameter Install-Istio declares, in the same parameter sets' {
        $sources = 'ManifestPath', 'LiteralPath', 'Recurse', 'ReleasePath', 'Version', 'MaxExtractedSize', 'MaxExtractedFileCount',
            'Profile', 'Set', 'ValuesFile', 'Revision', 'Component', 'Addon'
        $install = (Get-Command Install-Istio).Parameters
        $export = (Get-Command Export-IstioManifest).Parameters
        foreach ($name in $sources) {
            $export.Keys | Should -Contain $name
            $sets = { param($p) ($p.ParameterSets.Keys | Where-Object { $_ -ne 'Chart' } | Sort-Object) -join ',' }
            & $sets $export[$name] | Should -Be (& $sets $install[$name]) -Because "-$name"
        }
        # It renders offline: no cluster parameters.
        $export.Keys | Should -Not -Contain 'Kubeconfig'
        $export.Keys | Should -Not -Contain 'Context'
    }

    It 'writes only the addons when -Addon comes alone, and Istio then the addons otherwise' {
        $addons = Export-IstioManifest $release -Addon Prometheus, Kiali
        ($addons.Component | Sort-Object -Unique) | Should -Be 'Addons'
        $addons.Source | ForEach-Object { $_ | Should -Match 'samples[\\/]addons[\\/](prometheus|kiali)\.yaml:\d+' }
        ($addons | Where-Object Kind -eq Deployment).Name | Sort-Object | Should -Be @('kiali', 'prometheus')
        $both = Export-IstioManifest $release -Profile minimal -Addon Kiali
        ($both.Component | Select-Object -Unique) | Should -Be @('Base', 'Pilot', 'Addons')
    }

    It 'reads manifest files as Install-Istio reads them, and Get-ChildItem output by its PSPath' {
        $objects = Export-IstioManifest -ManifestPath "$release/samples/addons" 
        ($objects.Component | Sort-Object -Unique) | Should -Be 'Manifests'
        $piped = Get-ChildItem "$release/samples/addons" -Filter *.yaml | Export-IstioManifest
        $piped.Count | Should -Be $objects.Count
        ($piped | ForEach-Object { "$_" }) | Should -Be ($objects | ForEach-Object { "$_" })
        # The same objects Install-Istio -WhatIf would plan, by kind and name.
        $yaml = Export-IstioManifest -LiteralPath "$release/samples/addons/kiali.yaml" -AsYaml
        $yaml | Should -Match '(?m)^kind: Deployment$'
    }

    It 'reports every problem of the files with its file and line and exports nothing' {
        $bad = Join-Path $dir 'bad.yaml'
        Set-Content $bad "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: Bad_Name`n---`nkind: Secret`nmetadata:`n  name: s"
        $out = Join-Path $dir 'bad-out.yaml'
        $err = $null
        try { Export-IstioManifest -ManifestPath $bad -OutFile $out } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'ManifestInvalid,IstioPS.Commands.ExportIstioManifestCommand'
        $err.Exception.Message | Should -Match 'nothing was exported'
        $err.Exception.Message | Should -Match ([regex]::Escape("bad.yaml:4") + '.*Bad_Name')
        $err.Exception.Message | Should -Match ([regex]::Escape("bad.yaml:6") + '.*apiVersion')
        $out | Should -Not -Exist
    }

    It 'renders each release that comes down the pipeline by its Path' {
        $older = Join-Path (Get-IstioData) 'releases/istio-1.29.6'
        $images = [pscustomobject]@{ Path = $release }, [pscustomobject]@{ Path = $older } |
            Export-IstioManifest -Component Pilot | Where-Object Kind -eq Deployment |
            ForEach-Object { [regex]::Match($_.Yaml, 'image: (\S+)').Groups[1].Value }
        $images | Should -Be @('docker.io/istio/pilot:1.30.3', 'docker.io/istio/pilot:1.29.6')
    }
}

Describe 'Get-IstioProfile' -Skip:(-not $hasIstio) {
    It 'lists the profiles with their components' {
        $profiles = Get-IstioProfile $release
        $profiles[0].GetType().FullName | Should -Be 'IstioPS.Engine.Sources.IstioProfile'
        $profiles.Name | Should -Contain 'default'
        $profiles.Name | Should -Contain 'demo'
        $profiles.Name | Should -Contain 'minimal'
        ($profiles | Where-Object Name -eq demo).Components | Should -Contain 'EgressGateways'
        ($profiles | Where-Object Name -eq ambient).Components | Should -Contain 'Ztunnel'
    }

    It 'filters by wildcard' {
        (Get-IstioProfile $release -Name 'open*').Name | Should -Be @('openshift', 'openshift-ambient')
    }

    It 'completes -Profile from the release''s own profiles' {
        $line = "Install-Istio -ReleasePath '$release' -Profile de"
        $names = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $names | Should -Be @('default', 'demo')
        $line = 'Export-IstioManifest -ReleasePath . -Profile mi'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be @('minimal')
    }

    It 'writes UnknownProfile for a name that does not exist' {
        Get-IstioProfile $release -Name nope -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'UnknownProfile,IstioPS.Commands.GetIstioProfileCommand'
    }
}
