BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
    $script:profiles = @('demo', 'default', 'minimal')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile
}

Describe 'Install-Istio -ReleasePath -Profile <_>' -ForEach $profiles -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:profile = $_
        $script:cluster = Start-TestCluster
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'installs and its components become ready' {
        $result = Install-Istio -ReleasePath $release -Profile $profile -Kubeconfig $cluster.Kubeconfig -Timeout 120
        $result.Created | Should -Be $result.Total
        ($result.Objects | Where-Object Kind -eq CustomResourceDefinition).Count | Should -BeGreaterOrEqual 15
        $expected = @{ demo = 'istio-egressgateway', 'istio-ingressgateway', 'istiod'; default = 'istio-ingressgateway', 'istiod'; minimal = @('istiod') }[$profile]
        $components = Get-IstioComponent -Kubeconfig $cluster.Kubeconfig
        $components.Name | Should -Be $expected
        $components | ForEach-Object { $_.Ready | Should -Be '1/1'; $_.Status | Should -Be 'Running'; $_.Version | Should -Be '1.30.3' }
    }

    It 'changes nothing when run again' {
        $again = Install-Istio -ReleasePath $release -Profile $profile -Kubeconfig $cluster.Kubeconfig
        $again.Unchanged | Should -Be $again.Total
    }
}

Describe 'Install-Istio from a release: bad input' -Skip:(-not $hasIstio) {
    BeforeAll { $script:cluster = Start-TestCluster }
    AfterAll { Stop-TestCluster $cluster }

    It 'refuses an unknown profile and writes nothing' {
        Clear-SimRequest $cluster
        { Install-Istio -ReleasePath $release -Profile nope -Kubeconfig $cluster.Kubeconfig } | Should -Throw -ErrorId 'UnknownProfile,IstioPS.Commands.InstallIstioCommand'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'refuses a bad -Set and writes nothing' {
        Clear-SimRequest $cluster
        $err = $null
        try { Install-Istio -ReleasePath $release -Set 'spec.nope[=1' -Kubeconfig $cluster.Kubeconfig } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Match '^InvalidSet(Path|Value),IstioPS.Commands.InstallIstioCommand$'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'says plainly that the legacy 1.5 CRDs use an API the cluster does not serve, before writing anything' {
        Clear-SimRequest $cluster
        $err = $null
        try { Install-Istio -ReleasePath (Join-Path (Get-IstioData) 'legacy/1.5.1') -Kubeconfig $cluster.Kubeconfig } catch { $err = $_ }
        $err.Exception.Message | Should -Match 'apiextensions.k8s.io/v1beta1'
        $err.Exception.Message | Should -Match 'does not serve'
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'installs only the addons with -Addon alone, and shows them with their roles' {
        $result = Install-Istio -ReleasePath $release -Addon Prometheus, Kiali -Kubeconfig $cluster.Kubeconfig -Timeout 60
        ($result.Objects | Where-Object Kind -eq Deployment).Name | Sort-Object | Should -Be @('kiali', 'prometheus')
        $result.Objects.Kind | Should -Not -Contain 'CustomResourceDefinition'
        $c = Get-IstioComponent -Kubeconfig $cluster.Kubeconfig
        ($c | Where-Object Name -eq kiali).Role | Should -Match 'Kiali'
        ($c | Where-Object Name -eq prometheus).Status | Should -Be 'Running'
    }
}
