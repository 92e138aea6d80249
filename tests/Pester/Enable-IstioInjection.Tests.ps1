BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Cluster
    $script:names = 1..120 | ForEach-Object { 'app-{0:000}' -f $_ }
    New-TestNamespace $cluster -Name $names
    # What a control plane leaves in the cluster: the injector webhook of revision canary (no Istio is installed here).
    $script:newWebhook = {
        param($name, $labels)
        $body = @{
            apiVersion = 'admissionregistration.k8s.io/v1'; kind = 'MutatingWebhookConfiguration'; metadata = @{ name = $name; labels = $labels }
            webhooks = @(@{ name = 'rev.namespace.sidecar-injector.istio.io'; admissionReviewVersions = @('v1'); sideEffects = 'None'
                    clientConfig = @{ service = @{ name = 'istiod'; namespace = 'istio-system'; path = '/inject' } } })
        } | ConvertTo-Json -Depth 10
        $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations" -Body $body -ContentType 'application/json'
    }
    & $newWebhook 'istio-sidecar-injector-canary' @{ 'istio.io/rev' = 'canary' }
    # No default revision is served here: its warning is asserted in one test and kept out of the others' output.
    $PSDefaultParameterValues['Enable-IstioInjection:WarningAction'] = 'SilentlyContinue'
}

AfterAll {
    $PSDefaultParameterValues.Remove('Enable-IstioInjection:WarningAction')
    Stop-TestCluster $cluster
}

Describe 'Enable-IstioInjection' {
    It 'writes nothing with -WhatIf' {
        Clear-SimRequest $cluster
        $names | Enable-IstioInjection -Kubeconfig $kc -WhatIf -WarningAction SilentlyContinue
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'labels many namespaces from the pipeline and passes them through' {
        $out = $names | Enable-IstioInjection -Kubeconfig $kc -PassThru -WarningAction SilentlyContinue
        $out | Should -HaveCount 120
        $out[0].GetType().FullName | Should -Be 'IstioPS.Engine.Injection.NamespaceInjection'
        $out | ForEach-Object { $_.State | Should -Be 'Enabled' }
        (Get-IstioInjection 'app-*' -Kubeconfig $kc | Where-Object State -eq Enabled).Count | Should -Be 120
    }

    It 'emits nothing without -PassThru' {
        Enable-IstioInjection app-001 -Kubeconfig $kc | Should -BeNullOrEmpty
    }

    It 'binds by property name from Get-IstioInjection' {
        New-TestNamespace $cluster -Name piped
        $out = Get-IstioInjection piped -Kubeconfig $kc | Enable-IstioInjection -Kubeconfig $kc -PassThru
        $out.Namespace | Should -Be 'piped'
        $out.State | Should -Be 'Enabled'
        $out = [pscustomobject]@{ Name = 'piped' } | Enable-IstioInjection -Revision canary -Kubeconfig $kc -PassThru
        $out.State | Should -Be 'Revision'
    }

    It 'sets istio.io/rev and removes istio-injection with -Revision' {
        $out = Enable-IstioInjection app-002 -Revision canary -Kubeconfig $kc -PassThru
        $out.State | Should -Be 'Revision'
        $out.RevisionLabel | Should -Be 'canary'
        $out.InjectionLabel | Should -BeNullOrEmpty
        $back = Enable-IstioInjection app-002 -Kubeconfig $kc -PassThru
        $back.State | Should -Be 'Enabled'
        $back.RevisionLabel | Should -BeNullOrEmpty
    }

    It 'refuses kube-system without -Force' {
        Enable-IstioInjection kube-system -Kubeconfig $kc -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'ProtectedNamespace,IstioPS.Commands.EnableIstioInjectionCommand'
        $e[0].TargetObject | Should -Be 'kube-system'
        (Get-IstioInjection kube-system -Kubeconfig $kc).State | Should -Be 'NotSet'
        (Enable-IstioInjection kube-system -Force -Kubeconfig $kc -PassThru).State | Should -Be 'Enabled'
    }

    It 'writes NamespaceNotFound per missing namespace and goes on' {
        $out = 'missing-ns', 'app-003' | Enable-IstioInjection -Kubeconfig $kc -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $out.Namespace | Should -Be 'app-003'
        $e[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,IstioPS.Commands.EnableIstioInjectionCommand'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'does not block with -Confirm:$false' {
        (Enable-IstioInjection app-004 -Confirm:$false -Kubeconfig $kc -PassThru).State | Should -Be 'Enabled'
    }

    It 'refuses a revision no control plane serves, naming it, and writes nothing; -Force sets it anyway' {
        $err = $null
        New-TestNamespace $cluster -Name guarded
        Clear-SimRequest $cluster
        try { Enable-IstioInjection guarded -Revision nope -Kubeconfig $kc } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'RevisionNotFound,IstioPS.Commands.EnableIstioInjectionCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'nope'
        $err.Exception.Message | Should -Match "revision 'nope'.*-Force"
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        (Get-IstioInjection guarded -Kubeconfig $kc).State | Should -Be 'NotSet'
        (Enable-IstioInjection guarded -Revision nope -Force -Kubeconfig $kc -PassThru).RevisionLabel | Should -Be 'nope'
    }

    It 'accepts a revision tag' {
        & $newWebhook 'istio-revision-tag-prod' @{ 'istio.io/rev' = 'canary'; 'istio.io/tag' = 'prod' }
        (Enable-IstioInjection app-011 -Revision prod -Kubeconfig $kc -PassThru).RevisionLabel | Should -Be 'prod'
    }

    It 'warns (and still labels) when no control plane serves the default revision, and is quiet once one does' {
        $out = Enable-IstioInjection app-012 -Kubeconfig $kc -PassThru -WarningVariable w -WarningAction SilentlyContinue
        $out.State | Should -Be 'Enabled'
        ($w -join "`n") | Should -Match 'No control plane serves the default revision'
        & $newWebhook 'istio-revision-tag-default' @{ 'istio.io/rev' = 'canary'; 'istio.io/tag' = 'default' }
        $null = Enable-IstioInjection app-013 -Kubeconfig $kc -WarningVariable w2 -WarningAction SilentlyContinue
        $w2 | Should -BeNullOrEmpty
    }
}

Describe 'Enable-IstioInjection on a batch with dropped connections' {
    BeforeAll {
        $script:batch = 1..300 | ForEach-Object { 'batch-{0:000}' -f $_ }
        New-TestNamespace $cluster -Name $batch
    }

    It 'passes through the 299 namespaces that were labelled and names the one that failed after every retry' {
        # batch-150 loses its connection on every attempt; five others lose one attempt each and are retried.
        Add-SimFault $cluster -Method PATCH -PathRegex 'namespaces/batch-150$' -Count 100 -Kind DropConnection
        Add-SimFault $cluster -Method PATCH -PathRegex 'namespaces/batch-' -Count 5 -Kind DropConnection
        $out = $batch | Enable-IstioInjection -Revision canary -Kubeconfig $kc -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $null = Invoke-RestMethod -Method Delete "$($cluster.Url)/_sim/faults"
        $out | Should -HaveCount 299
        $out.Namespace | Should -Not -Contain 'batch-150'
        $e | Should -HaveCount 1
        $e[0].TargetObject | Should -Be 'batch-150'
        $e[0].FullyQualifiedErrorId | Should -Be 'ClusterUnreachable,IstioPS.Commands.EnableIstioInjectionCommand'
        $e[0].Exception.Message | Should -Match '^namespace/batch-150: '
        $labelled = Get-IstioInjection 'batch-*' -Kubeconfig $kc | Where-Object RevisionLabel -eq canary
        $labelled | Should -HaveCount 299
        @(Get-SimRequest $cluster | Where-Object { $_.method -eq 'PATCH' -and $_.path -match 'batch-150$' }).Count | Should -BeGreaterOrEqual 6 # every retry was tried
    }

    It 'restarts every workload it can with -Restart and names the one it could not' {
        New-TestNamespace $cluster -Name restarts
        1..3 | ForEach-Object { New-TestDeployment $cluster -Namespace restarts -Name "web-$_" }
        Add-SimFault $cluster -Method PATCH -PathRegex 'deployments/web-2$' -Count 100 -Kind DropConnection
        $out = Enable-IstioInjection restarts -Revision canary -Restart -Kubeconfig $kc -PassThru -ErrorVariable e -ErrorAction SilentlyContinue
        $null = Invoke-RestMethod -Method Delete "$($cluster.Url)/_sim/faults"
        $out.Namespace | Should -Be 'restarts'
        $e | Should -HaveCount 1
        $e[0].TargetObject | Should -Be 'deployment.apps/web-2 (namespace restarts)'
        $e[0].FullyQualifiedErrorId | Should -Be 'ClusterUnreachable,IstioPS.Commands.EnableIstioInjectionCommand'
        $restarted = (Invoke-RestMethod "$($cluster.Url)/apis/apps/v1/namespaces/restarts/deployments").items |
            Where-Object { $_.spec.template.metadata.annotations.'kubectl.kubernetes.io/restartedAt' }
        ($restarted.metadata.name | Sort-Object) | Should -Be @('web-1', 'web-3')
    }
}
