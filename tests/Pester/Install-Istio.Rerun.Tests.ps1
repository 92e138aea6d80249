# Re-running Install-Istio over a live control plane: istiod (simulated by KubeSim --istiod) switches its
# validating webhooks to failurePolicy Fail and writes caBundle into its webhooks; a re-install renders as
# `helm upgrade` does (.Release.IsUpgrade) and must neither take those fields back nor report them as drift.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:release = Get-TestIstioRelease
}

Describe 'Install-Istio run again over a live istiod' -Skip:(-not $hasIstio) {
    BeforeAll { $script:cluster = Start-TestCluster -Istiod }
    AfterAll { Stop-TestCluster $cluster }

    It 'reports every object Unchanged twice, keeps failurePolicy Fail and the caBundle, and writes nothing to the webhooks' {
        $first = Install-Istio -ReleasePath $release -Profile default -Kubeconfig $cluster.Kubeconfig -Timeout 120
        $first.Created | Should -Be $first.Total
        $policies = { "$(Invoke-Kubectl $cluster get validatingwebhookconfigurations -l istio.io/rev=default -o 'jsonpath={.items[*].webhooks[*].failurePolicy}')" }
        Wait-TestCondition { (& $policies) -match 'Fail' -and (& $policies) -notmatch 'Ignore' }
        $bundles = {
            $webhooks = (Invoke-Kubectl $cluster get 'validatingwebhookconfigurations,mutatingwebhookconfigurations' -l istio.io/rev=default -o json | Out-String | ConvertFrom-Json).items.webhooks
            $webhooks | ForEach-Object { "$($_.name)=$($_.clientConfig.caBundle)" }
        }
        Wait-TestCondition { $b = & $bundles; $b -and -not ($b | Where-Object { $_ -match '^[^=]+=$' }) }
        $before = & $bundles

        $versions = { "$(Invoke-Kubectl $cluster get 'validatingwebhookconfigurations,mutatingwebhookconfigurations' -l istio.io/rev=default -o 'jsonpath={.items[*].metadata.resourceVersion}')" }
        $versionsBefore = & $versions

        Clear-SimRequest $cluster
        foreach ($run in 2, 3) {
            $again = Install-Istio -ReleasePath $release -Profile default -Kubeconfig $cluster.Kubeconfig
            $again.Unchanged | Should -Be $again.Total -Because "run $run changes nothing istiod owns"
        }

        (& $policies) -split ' ' | Sort-Object -Unique | Should -Be 'Fail'
        & $bundles | Should -Be $before
        # Nothing was written to the webhooks: their resourceVersions stand, and no request but a no-op
        # server-side apply reached them.
        & $versions | Should -Be $versionsBefore
        $webhookWrites = Get-SimRequest $cluster | Where-Object {
            $_.method -ne 'GET' -and $_.query -notmatch '(^|&)dryRun=All' -and $_.path -match 'webhookconfigurations'
        }
        $webhookWrites | Where-Object { $_.method -ne 'PATCH' -or $_.contentType -ne 'application/apply-patch+yaml' } | Should -BeNullOrEmpty
        Test-IstioInstallation -ReleasePath $release -Profile default -Kubeconfig $cluster.Kubeconfig -Quiet | Should -BeTrue
    }
}
