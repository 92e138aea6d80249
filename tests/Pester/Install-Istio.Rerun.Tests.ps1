# Re-running Install-Istio over a live control plane: istiod (simulated by KubeSim --istiod) switches its
# validating webhooks to failurePolicy Fail and writes caBundle into its webhooks; a re-install renders as
# `helm upgrade` does (.Release.IsUpgrade) and must neither take those fields back nor report them as drift.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile
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
        # Nothing was written to the webhooks: their resourceVersions stand, and the request log holds no write
        # (PATCH, PUT, POST, DELETE that is not a dry run) to a mutating or validating webhook configuration,
        # not even a no-op apply; the plan's dry runs did reach them.
        & $versions | Should -Be $versionsBefore
        $webhookRequests = @(Get-SimRequest $cluster | Where-Object { $_.path -match '/(mutating|validating)webhookconfigurations(/|$)' })
        @($webhookRequests | Where-Object { $_.method -eq 'PATCH' -and $_.query -match '(^|&)dryRun=All' }).Count | Should -BeGreaterOrEqual 4
        $webhookRequests | Where-Object { $_.method -in 'PATCH', 'PUT', 'POST', 'DELETE' -and $_.query -notmatch '(^|&)dryRun=All' } | Should -BeNullOrEmpty
        Test-IstioInstallation -ReleasePath $release -Profile default -Kubeconfig $cluster.Kubeconfig -Quiet | Should -BeTrue
    }
}
