BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
    $script:hasKubectl = Test-Kubectl
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:new = Get-TestIstioRelease
    # 1.29.6 as released, plus one object its istiod chart renders and 1.30.3's does not (every object of 1.29.6's
    # own profiles is still rendered by 1.30.3): the upgrade must prune it. A copy in a temp folder named as a
    # release folder; the shared data stays untouched.
    $shipped = Join-Path (Get-IstioData) 'releases/istio-1.29.6'
    $script:copyRoot = New-TestDirectory
    $script:old = Join-Path $copyRoot 'istio-1.29.6'
    $null = New-Item -ItemType Directory -Path $old
    Copy-Item (Join-Path $shipped 'manifest.yaml'), (Join-Path $shipped 'manifests') -Destination $old -Recurse
    Set-Content -Path (Join-Path $old 'manifests/charts/istio-control/istio-discovery/templates/zz-retired-settings.yaml') -Value @'
apiVersion: v1
kind: ConfigMap
metadata:
  name: istio-retired-settings{{ if .Values.revision }}-{{ .Values.revision }}{{ end }}
  namespace: {{ .Release.Namespace }}
data:
  note: rendered by this 1.29.6 only
'@
}

AfterAll { Remove-Item $copyRoot -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Install-Istio in place: 1.29.6 -> 1.30.3' -Skip:(-not $hasIstio -or -not $hasKubectl) {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        $script:installed = Install-Istio -ReleasePath $old -Kubeconfig $kc -Timeout 120
        # Refused installs must fail before any write, whatever their message.
        $script:refuse = {
            param($release, $pattern)
            Clear-SimRequest $cluster
            $err = $null
            try { Install-Istio -ReleasePath $release -Kubeconfig $kc -Timeout 60 } catch { $err = $_ }
            $err.FullyQualifiedErrorId | Should -Be 'UnsupportedUpgrade,IstioPS.Commands.InstallIstioCommand'
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -Match $pattern
            $err.Exception.Message | Should -Match 'Install-Istio -Revision 1-(29-6|30-3)'
            Get-SimWrite $cluster | Should -BeNullOrEmpty
        }
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'installs 1.29.6 with its 14 CRDs, every component at 1.29.6' {
        ($installed.Objects | Where-Object Kind -eq CustomResourceDefinition) | Should -HaveCount 14
        (Invoke-Kubectl $cluster get crd -o name | Where-Object { $_ -match 'istio\.io$' }) | Should -HaveCount 14
        Invoke-Kubectl $cluster -n istio-system get configmap istio-retired-settings -o name | Should -Be 'configmap/istio-retired-settings'
        (Get-IstioComponent -Kubeconfig $kc) | ForEach-Object { $_.Version | Should -Be '1.29.6' }
    }

    It 'refuses a jump of two minor versions (istiod set to 1.28.4 with kubectl) and writes nothing' {
        Invoke-Kubectl $cluster -n istio-system set image deployment/istiod discovery=docker.io/istio/pilot:1.28.4 | Out-Null
        $LASTEXITCODE | Should -Be 0
        (Get-IstioComponent istiod -Kubeconfig $kc).Version | Should -Be '1.28.4'
        & $refuse $new 'runs Istio 1\.28\.4; installing 1\.30\.3 over it in place would be a jump of 2 minor versions'
        # 1.28.4 -> 1.29.6 is one minor version up: allowed, and it puts istiod back to 1.29.6.
        $null = Install-Istio -ReleasePath $old -Kubeconfig $kc -Timeout 120
        (Get-IstioComponent istiod -Kubeconfig $kc).Version | Should -Be '1.29.6'
    }

    It 'upgrades in place: CRDs first with the new one, istiod then the gateway at 1.30.3, nothing of 1.29.6 left, Test-IstioInstallation clean' {
        Clear-SimRequest $cluster
        $result = Install-Istio -ReleasePath $new -Kubeconfig $kc -Timeout 120
        $result.Waited | Should -BeTrue
        Invoke-Kubectl $cluster get crd trafficextensions.extensions.istio.io -o name | Should -Be 'customresourcedefinition.apiextensions.k8s.io/trafficextensions.extensions.istio.io'
        (Invoke-Kubectl $cluster get crd -o name | Where-Object { $_ -match 'istio\.io$' }) | Should -HaveCount 15
        $components = Get-IstioComponent -Kubeconfig $kc
        $components.Name | Should -Be @('istio-ingressgateway', 'istiod')
        $components | ForEach-Object { $_.Version | Should -Be '1.30.3'; $_.Ready | Should -Be '1/1' }
        # Order of the writes: every CRD before istiod's Deployment, istiod's before the gateway's.
        $writes = @(Get-SimWrite $cluster | ForEach-Object { $_.path })
        $lastCrd = ($writes | Select-String '/customresourcedefinitions/' | Select-Object -Last 1).LineNumber
        $istiod = ($writes | Select-String '/deployments/istiod(\?|$)' | Select-Object -First 1).LineNumber
        $gateway = ($writes | Select-String '/deployments/istio-ingressgateway(\?|$)' | Select-Object -First 1).LineNumber
        $lastCrd | Should -BeLessThan $istiod
        $istiod | Should -BeLessThan $gateway
        # Nothing IstioPS manages that the new release does not render, kind by kind.
        $rendered = Export-IstioManifest -ReleasePath $new
        foreach ($kind in $rendered.Kind | Sort-Object -Unique) {
            $want = @($rendered | Where-Object Kind -eq $kind | ForEach-Object { $_.Name }) | Sort-Object
            $have = @(Invoke-Kubectl $cluster get $kind -A -l istiops.io/managed-by=istiops -o 'jsonpath={range .items[*]}{.metadata.name}{"\n"}{end}' | Where-Object { $_ }) | Sort-Object
            $have | Should -Be $want -Because "the cluster's managed $kind objects are the new release's"
        }
        # What 1.29.6 rendered and 1.30.3 does not is pruned, and gone.
        ($result.Objects | Where-Object Action -eq Pruned | ForEach-Object { "$($_.Kind)/$($_.Name)" }) | Should -Be 'ConfigMap/istio-retired-settings'
        Invoke-Kubectl $cluster -n istio-system get configmap istio-retired-settings -o name | Should -Match 'NotFound'
        Test-IstioInstallation -ReleasePath $new -Kubeconfig $kc | Should -BeNullOrEmpty
    }

    It 'refuses the downgrade back to 1.29.6 and writes nothing; -Force -WhatIf gets past the check and still writes nothing' {
        & $refuse $old 'runs Istio 1\.30\.3; installing 1\.29\.6 over it in place would be a downgrade'
        Clear-SimRequest $cluster
        $null = Install-Istio -ReleasePath $old -Kubeconfig $kc -Force -WhatIf
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }
}
