BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile
}

Describe 'Test-IstioInstallation' -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'reports every object Missing on an empty cluster, and -Quiet says $false' {
        $d = Test-IstioInstallation -ReleasePath $release -Profile minimal -Kubeconfig $kc
        $d[0].GetType().FullName | Should -Be 'IstioPS.Engine.Install.InstallationDifference'
        $d | ForEach-Object { $_.Problem | Should -Be 'Missing' }
        $d.Name | Should -Contain 'istiod'
        Test-IstioInstallation -ReleasePath $release -Profile minimal -Kubeconfig $kc -Quiet | Should -BeFalse
    }

    It 'reports nothing right after an install, and sends only reads and dry runs' {
        $null = Install-Istio -ReleasePath $release -Profile minimal -Kubeconfig $kc
        Clear-SimRequest $cluster
        Test-IstioInstallation -ReleasePath $release -Profile minimal -Kubeconfig $kc | Should -BeNullOrEmpty
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'reports a drifted field and a missing object' {
        $patch = '{"data":{"mesh":"changed: true"}}'
        $null = Invoke-RestMethod -Method Patch -Uri "$($cluster.Url)/api/v1/namespaces/istio-system/configmaps/istio" -Body $patch -ContentType 'application/merge-patch+json'
        $null = Invoke-RestMethod -Method Delete -Uri "$($cluster.Url)/api/v1/namespaces/istio-system/services/istiod"
        $d = Test-IstioInstallation -ReleasePath $release -Profile minimal -Kubeconfig $kc
        $drifted = $d | Where-Object Problem -eq Drifted
        $drifted.Name | Should -Be 'istio'
        $drifted.Fields | Should -Contain 'data.mesh'
        ($d | Where-Object Problem -eq Missing).Name | Should -Be 'istiod'
        ($d | Where-Object Problem -eq Missing).Kind | Should -Be 'Service'
    }

    It 'reports NotReady workloads, with the reason' {
        $failing = Start-TestCluster -FailImage 'pilot'
        try {
            $null = Install-Istio -ReleasePath $release -Profile minimal -Kubeconfig $failing.Kubeconfig -NoWait
            $d = Test-IstioInstallation -ReleasePath $release -Profile minimal -Kubeconfig $failing.Kubeconfig
            $nr = $d | Where-Object Problem -eq NotReady
            $nr.Name | Should -Be 'istiod'
            $nr.Kind | Should -Be 'Deployment'
        }
        finally { Stop-TestCluster $failing }
    }

    It 'verifies manifest files too' {
        $d = Test-IstioInstallation -ManifestPath "$release/samples/addons/kiali.yaml" -Kubeconfig $kc
        ($d | Where-Object Kind -eq Deployment).Problem | Should -Be 'Missing'
    }
}
