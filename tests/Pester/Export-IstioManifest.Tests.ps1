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
