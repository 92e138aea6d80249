BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../IstioPS.Releases.Tests/PesterSupport.psm1') -Force
    Import-Module (Get-ModulePath) -Force
}

Describe 'Install-Istio -Version: the release comes from the cache, downloaded when missing' -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:server = Start-ReleaseServer
        $script:scenario = New-ReleaseScenario
        $script:cache = New-TestDirectory
        $script:saved = @{ Base = $env:ISTIOPS_RELEASE_BASE_URI; Cache = $env:ISTIOPS_CACHE }
        $env:ISTIOPS_RELEASE_BASE_URI = "$($server.Url)$scenario/"
        $env:ISTIOPS_CACHE = $cache
        $script:cluster = Start-TestCluster
    }
    AfterAll {
        $env:ISTIOPS_RELEASE_BASE_URI = $saved.Base
        $env:ISTIOPS_CACHE = $saved.Cache
        Stop-TestCluster $cluster
        Stop-ReleaseServer $server
        Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'with -WhatIf neither downloads nor writes to the cluster' {
        Clear-SimRequest $cluster
        Install-Istio -Version 1.30.3 -Profile minimal -Kubeconfig $cluster.Kubeconfig -WhatIf | Should -BeNullOrEmpty
        Get-ReleaseServerArchiveDownload $server $scenario | Should -BeNullOrEmpty
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        IstioPS\Get-IstioRelease -Path $cache | Should -BeNullOrEmpty
    }

    It 'refuses a download beyond -MaxExtractedFileCount before writing anything' {
        Clear-SimRequest $cluster
        $err = $null
        $env:ISTIOPS_RELEASE_BASE_URI = "$($server.Url)$(New-ReleaseScenario)/" # its own download count
        try { Install-Istio -Version 1.30.3 -Profile minimal -Kubeconfig $cluster.Kubeconfig -MaxExtractedFileCount 10 } catch { $err = $_ }
        finally { $env:ISTIOPS_RELEASE_BASE_URI = "$($server.Url)$scenario/" }
        $err.FullyQualifiedErrorId | Should -Be 'ArchiveTooLarge,IstioPS.Commands.InstallIstioCommand'
        IstioPS\Get-IstioRelease -Path $cache | Should -BeNullOrEmpty
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'downloads once, installs, and the next call uses the cache' {
        $r = Install-Istio -Version 1.30.3 -Profile minimal -Kubeconfig $cluster.Kubeconfig
        $r.Created | Should -Be $r.Total
        (Get-IstioComponent -Kubeconfig $cluster.Kubeconfig).Name | Should -Be @('istiod')
        (IstioPS\Get-IstioRelease -Path $cache).Version | Should -Be '1.30.3'
        $again = Install-Istio -Version 1.30.3 -Profile minimal -Kubeconfig $cluster.Kubeconfig
        $again.Unchanged | Should -Be $again.Total
        Test-IstioInstallation -Version 1.30.3 -Profile minimal -Kubeconfig $cluster.Kubeconfig -Quiet | Should -BeTrue
        (Export-IstioManifest -Version 1.30.3 -Profile minimal | Where-Object Kind -eq Deployment).Name | Should -Be 'istiod'
        Get-ReleaseServerArchiveDownload $server $scenario | Should -HaveCount 1
    }

    It 'says a version that does not exist does not exist, with the URL tried' {
        $err = $null
        try { Install-Istio -Version 9.9.9 -Kubeconfig $cluster.Kubeconfig } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'ReleaseNotFound,IstioPS.Commands.InstallIstioCommand'
        $err.Exception.Message | Should -Match '9\.9\.9'
        $err.Exception.Message | Should -Match ([regex]::Escape($server.Url))
    }
}
