BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
    $script:hasKubectl = Test-Kubectl
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:release = Get-TestIstioRelease
}

Describe 'The canary path: install, install canary, move, uninstall the old revision, verify' -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'installs the default revision and injects it into an enabled namespace' {
        $null = Install-Istio -ReleasePath $release -Kubeconfig $kc
        New-TestNamespace $cluster -Name shop
        Enable-IstioInjection shop -Kubeconfig $kc
        New-TestDeployment $cluster -Namespace shop -Name web -Replicas 2
        Wait-TestCondition { @(Get-TestPod $cluster shop).Count -eq 2 }
        Get-TestPod $cluster shop | ForEach-Object {
            $_.spec.containers.name | Should -Contain 'istio-proxy'
            $_.metadata.labels.'istio.io/rev' | Should -Be 'default'
        }
        (Get-IstioInjection shop -Kubeconfig $kc).PodsNeedingRestart | Should -Be 0
        # the gateway's own istio-proxy container is its workload, not a sidecar waiting for a restart
        (Get-IstioInjection istio-system -Kubeconfig $kc).PodsNeedingRestart | Should -Be 0
    }

    It 'installs revision canary beside it' {
        $r = Install-Istio -ReleasePath $release -Profile minimal -Revision canary -Kubeconfig $kc
        $r.Revision | Should -Be 'canary'
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'istiod-canary'
        (Get-IstioComponent istiod-canary -Kubeconfig $kc).Revision | Should -Be 'canary'
        (Get-IstioComponent -Kubeconfig $kc | Where-Object Name -eq istiod).Status | Should -Be 'Running'
    }

    It 'moves the namespace: PodsNeedingRestart counts the old pods, then drops to zero after -Restart -Wait' {
        $moved = Enable-IstioInjection shop -Revision canary -Kubeconfig $kc -PassThru -WarningVariable w -WarningAction SilentlyContinue
        $moved.State | Should -Be 'Revision'
        $moved.PodsNeedingRestart | Should -Be 2
        $w | Should -Match '-Restart'
        (Get-IstioInjection shop -Kubeconfig $kc).PodsNeedingRestart | Should -Be 2

        Enable-IstioInjection shop -Revision canary -Restart -Wait -Kubeconfig $kc
        Wait-TestCondition { (Get-IstioInjection shop -Kubeconfig $kc).PodsNeedingRestart -eq 0 -and @(Get-TestPod $cluster shop | Where-Object { -not $_.metadata.deletionTimestamp }).Count -eq 2 }
        Get-TestPod $cluster shop | Where-Object { -not $_.metadata.deletionTimestamp } | ForEach-Object { $_.metadata.labels.'istio.io/rev' | Should -Be 'canary' }
    }

    It 'refuses to remove a revision pods still use, with a warning naming them' {
        $err = $null
        try { Uninstall-Istio -Revision canary -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'RevisionInUse,IstioPS.Commands.UninstallIstioCommand'
        $w | Should -Match 'shop/web-'
        (Get-IstioComponent istiod-canary -Kubeconfig $kc) | Should -Not -BeNullOrEmpty
    }

    It 'writes nothing with -WhatIf' {
        Clear-SimRequest $cluster
        Uninstall-Istio -Revision default -Kubeconfig $kc -WhatIf
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'removes the old revision, its webhooks included, and keeps the canary and the app' {
        $result = Uninstall-Istio -Revision default -Kubeconfig $kc -Confirm:$false
        $result.GetType().FullName | Should -Be 'IstioPS.Engine.Uninstall.UninstallResult'
        $result.Deleted | Should -BeGreaterThan 10
        ($result.Objects | Where-Object Kind -eq MutatingWebhookConfiguration).Name | Should -Contain 'istio-sidecar-injector'
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Be @('istiod-canary')
        @(Get-TestPod $cluster shop).Count | Should -BeGreaterOrEqual 2
    }

    It 'verifies the canary installation: nothing missing, drifted or not ready' {
        Test-IstioInstallation -ReleasePath $release -Profile minimal -Revision canary -Kubeconfig $kc | Should -BeNullOrEmpty
        Test-IstioInstallation -ReleasePath $release -Profile minimal -Revision canary -Kubeconfig $kc -Quiet | Should -BeTrue
    }

    It 'purges everything, and kubectl finds no Istio CRDs, webhooks or istio-system' {
        $result = Uninstall-Istio -Purge -Force -Kubeconfig $kc -Confirm:$false
        $result.Objects.Kind | Should -Contain 'CustomResourceDefinition'
        $result.Objects | Where-Object { $_.Kind -eq 'Namespace' } | Select-Object -ExpandProperty Name | Should -Be 'istio-system'
        if ($hasKubectl) {
            @(Invoke-Kubectl $cluster get crds | Select-String 'istio.io').Count | Should -Be 0
            @(Invoke-Kubectl $cluster get 'mutatingwebhookconfigurations,validatingwebhookconfigurations' -o name | Select-String 'istio').Count | Should -Be 0
            Invoke-Kubectl $cluster get namespace istio-system
            $LASTEXITCODE | Should -Not -Be 0
        }
        else {
            { Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/istio-system" } | Should -Throw
        }
    }

    It 'installs again cleanly after the purge' {
        $again = Install-Istio -ReleasePath $release -Kubeconfig $kc
        $again.Created | Should -Be $again.Total
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'istiod'
    }
}

Describe 'Uninstall-Istio and the webhooks istioctl leaves behind' {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        $webhook = {
            param($kind, $name, $labels)
            $body = @{
                apiVersion = 'admissionregistration.k8s.io/v1'; kind = $kind; metadata = @{ name = $name; labels = $labels }
                webhooks = @(@{
                        name = 'rev.validation.istio.io'; admissionReviewVersions = @('v1'); sideEffects = 'None'
                        clientConfig = @{ service = @{ name = 'istiod'; namespace = 'istio-system'; path = '/validate' } }
                    })
            } | ConvertTo-Json -Depth 10
            $plural = $kind.ToLower() + 's'
            $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/apis/admissionregistration.k8s.io/v1/$plural" -Body $body -ContentType 'application/json'
        }
        # what istioctl installs (and its uninstall leaves): the default validator and revision tags
        & $webhook 'ValidatingWebhookConfiguration' 'istiod-default-validator' @{ 'istio.io/rev' = 'default' }
        & $webhook 'MutatingWebhookConfiguration' 'istio-revision-tag-default' @{ 'istio.io/rev' = 'canary'; 'istio.io/tag' = 'default' }
        & $webhook 'ValidatingWebhookConfiguration' 'someone-elses-validator' @{}
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'removes a revision''s leftovers with that revision, and every Istio webhook with -Purge, but nothing else' {
        $r = Uninstall-Istio -Revision default -Kubeconfig $kc -Confirm:$false
        $r.Objects.Name | Should -Be @('istiod-default-validator')
        $p = Uninstall-Istio -Purge -Kubeconfig $kc -Confirm:$false
        $p.Objects | Where-Object Kind -like '*WebhookConfiguration' | Select-Object -ExpandProperty Name | Should -Be @('istio-revision-tag-default')
        $left = (Invoke-RestMethod "$($cluster.Url)/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations").items.metadata.name
        $left | Should -Be @('someone-elses-validator')
    }
}

Describe 'Uninstall-Istio' {
    It 'declares ConfirmImpact High' {
        $attr = (Get-Command Uninstall-Istio).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attr.ConfirmImpact | Should -Be 'High'
    }

    It 'fails with KubeconfigNotFound for a missing kubeconfig' {
        { Uninstall-Istio -Kubeconfig '/nonexistent/kubeconfig' -Confirm:$false } | Should -Throw -ErrorId 'KubeconfigNotFound,IstioPS.Commands.UninstallIstioCommand'
    }
}
