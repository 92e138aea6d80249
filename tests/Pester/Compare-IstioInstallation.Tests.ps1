BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Directory

    # Every request a plan sends is a read or a dry run (Install-Istio's prerequisite check adds access reviews,
    # which store nothing): nothing that could change the cluster.
    function Assert-OnlyReadsAndDryRuns {
        param($Cluster)
        $requests = Get-SimRequest $Cluster
        $requests.Count | Should -BeGreaterThan 0
        Get-SimWrite $Cluster | Should -BeNullOrEmpty
        @($requests | Where-Object { $_.method -ne 'GET' }).Count | Should -BeGreaterThan 0 -Because 'the plan asks the API server (dry runs), not a client-side guess'
    }
}

AfterAll { Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue }

Describe 'Compare-IstioInstallation' -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'plans every object Create on an empty cluster, and sends only reads' {
        Clear-SimRequest $cluster
        $plan = Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $kc
        $plan[0].GetType().FullName | Should -Be 'IstioPS.Engine.Plan.PlannedObject'
        $plan | ForEach-Object { $_.Action | Should -Be 'Create' }
        ($plan | Where-Object Kind -eq Namespace).Name | Should -Be 'istio-system'
        $plan.Name | Should -Contain 'istiod'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        ($plan | Out-String) | Should -Match '(?m)^\+ deployment\.apps/istiod \(namespace istio-system\)'
    }

    It 'finds nothing to change right after an install; -IncludeUnchanged lists every object Unchanged' {
        $installed = Install-Istio -ReleasePath $release -Profile demo -Kubeconfig $kc
        Clear-SimRequest $cluster
        Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $kc | Should -BeNullOrEmpty
        Assert-OnlyReadsAndDryRuns $cluster
        $all = Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $kc -IncludeUnchanged
        $all.Count | Should -Be ($installed.Objects | Where-Object Kind -ne Namespace).Count
        $all | ForEach-Object { $_.Action | Should -Be 'Unchanged' }
        ($all | Out-String) | Should -Match '(?m)^= service/istiod \(namespace istio-system\) \(unchanged\)'
    }

    It 'names the one changed field of istiod, with its live and planned values' {
        Clear-SimRequest $cluster
        $plan = Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $kc -Set values.pilot.resources.requests.cpu=123m
        Assert-OnlyReadsAndDryRuns $cluster
        $istiod = @($plan | Where-Object { $_.Kind -eq 'Deployment' -and $_.Name -eq 'istiod' })
        $istiod | Should -HaveCount 1
        $istiod[0].Action | Should -Be 'Configure'
        $istiod[0].Changes | Should -HaveCount 1
        $istiod[0].Changes[0].Path | Should -Be 'spec.template.spec.containers[discovery].resources.requests.cpu'
        $istiod[0].Changes[0].Live | Should -Be '10m'
        $istiod[0].Changes[0].Planned | Should -Be '123m'
        # The only other change is Istio's own record of the values it was installed with.
        $others = @($plan | Where-Object { $_ -ne $istiod[0] })
        $others | ForEach-Object { "$($_.Action) $($_.Kind)/$($_.Name)" } | Should -Be @('Configure ConfigMap/values')
        $others[0].Changes.Path | Should -Be @('data.original-values', 'data.merged-values')
        ($plan | Out-String) | Should -Match '(?m)^~ deployment\.apps/istiod \(namespace istio-system\)\s+spec\.template\.spec\.containers\[discovery\]\.resources\.requests\.cpu: 10m -> 123m'
        ($plan | Out-String) | Should -Match 'data\.merged-values: \{ "affinity.*\.\.\. -> '
    }

    It 'Install-Istio -WhatIf prints one line per object from the plan, and sends only reads and dry runs' {
        Clear-SimRequest $cluster
        $command = "Import-Module '$(Get-ModulePath)'; Install-Istio -ReleasePath '$release' -Profile demo -Kubeconfig '$kc' -Set values.pilot.resources.requests.cpu=123m -WhatIf"
        $lines = @(Invoke-ChildPwsh -Command $command | Where-Object { $_ -like 'What if:*' })
        $lines.Count | Should -Be 42
        $lines | Where-Object { $_ -match 'deployment.apps/istiod ' } | Should -Be 'What if: Performing the operation "Configure: spec.template.spec.containers[discovery].resources.requests.cpu" on target "deployment.apps/istiod (namespace istio-system)".'
        @($lines | Where-Object { $_ -match '"Unchanged' }).Count | Should -Be 40
        Assert-OnlyReadsAndDryRuns $cluster
    }

    It 'plans the objects of a disabled gateway Prune; -NoPrune keeps them, Install-Istio deletes them' {
        $egress = @('Deployment/istio-egressgateway', 'Role/istio-egressgateway-sds', 'RoleBinding/istio-egressgateway-sds',
            'Service/istio-egressgateway', 'ServiceAccount/istio-egressgateway-service-account')
        $off = @{ ReleasePath = $release; Profile = 'demo'; Set = 'components.egressGateways[0].enabled=false'; Kubeconfig = $kc }
        Clear-SimRequest $cluster
        $plan = Compare-IstioInstallation @off
        Assert-OnlyReadsAndDryRuns $cluster
        $plan | ForEach-Object { $_.Action | Should -Be 'Prune' }
        $plan | ForEach-Object { "$($_.Kind)/$($_.Name)" } | Sort-Object | Should -Be $egress
        ($plan | Out-String) | Should -Match '(?m)^- deployment\.apps/istio-egressgateway \(namespace istio-system\)'
        $stale = Test-IstioInstallation @off
        $stale | ForEach-Object { $_.Problem | Should -Be 'Stale' }
        $stale.Count | Should -Be $egress.Count

        $kept = Install-Istio @off -NoPrune
        $kept.Pruned | Should -Be 0
        $kept.Total | Should -Be 37
        Invoke-RestMethod "$($cluster.Url)/apis/apps/v1/namespaces/istio-system/deployments/istio-egressgateway" | Should -Not -BeNullOrEmpty
        Compare-IstioInstallation @off -NoPrune | Should -BeNullOrEmpty

        $pruned = Install-Istio @off
        $pruned.Pruned | Should -Be $egress.Count
        ($pruned.Objects | Where-Object Action -eq Pruned).Name | Should -Contain 'istio-egressgateway'
        { Invoke-RestMethod "$($cluster.Url)/apis/apps/v1/namespaces/istio-system/deployments/istio-egressgateway" } | Should -Throw '*404*'
        { Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/istio-system/serviceaccounts/istio-egressgateway-service-account" } | Should -Throw '*404*'
        Compare-IstioInstallation @off | Should -BeNullOrEmpty
    }

    It 'plans a changed gateway selector Recreate; nothing is written without -Force, the gateway is replaced and ready with it' {
        $values = Join-Path $dir 'gateway.yaml'
        Set-Content $values @'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
spec:
  components:
    ingressGateways:
    - name: istio-ingressgateway
      enabled: true
      label:
        team: edge
'@
        $relabel = @{ ReleasePath = $release; Profile = 'demo'; Set = 'components.egressGateways[0].enabled=false'; ValuesFile = $values; Kubeconfig = $kc }
        $plan = Compare-IstioInstallation @relabel
        $recreate = @($plan | Where-Object Action -eq Recreate)
        $recreate | ForEach-Object { "$($_.Kind)/$($_.Name)" } | Should -Be @('Deployment/istio-ingressgateway')
        $recreate[0].Changes[0].Path | Should -Be 'spec.selector'
        $recreate[0].Changes[0].Planned | Should -Match '"team":"edge"'
        ($plan | Out-String) | Should -Match '(?m)^! deployment\.apps/istio-ingressgateway \(namespace istio-system\)\s+spec\.selector: '

        Clear-SimRequest $cluster
        { Install-Istio @relabel -ErrorAction Stop } | Should -Throw -ErrorId 'RecreateRequired,IstioPS.Commands.InstallIstioCommand'
        $Error[0].Exception.Message | Should -Match 'deployment.apps/istio-ingressgateway \(namespace istio-system\): spec.selector'
        Get-SimWrite $cluster | Should -BeNullOrEmpty

        $result = Install-Istio @relabel -Force
        ($result.Objects | Where-Object Action -eq Recreated).Name | Should -Be 'istio-ingressgateway'
        $result.Waited | Should -BeTrue
        $live = Invoke-RestMethod "$($cluster.Url)/apis/apps/v1/namespaces/istio-system/deployments/istio-ingressgateway"
        $live.spec.selector.matchLabels.team | Should -Be 'edge'
        $live.status.availableReplicas | Should -BeGreaterThan 0
        Compare-IstioInstallation @relabel | Should -BeNullOrEmpty
    }
}

Describe 'Install-Istio ownership' {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        New-TestNamespace $cluster 'apps'
        $body = @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'user-config' }; data = @{ owner = 'a user' } } | ConvertTo-Json
        $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/api/v1/namespaces/apps/configmaps" -Body $body -ContentType 'application/json'
        $script:manifest = Join-Path $dir 'apps.yaml'
        Set-Content $manifest @'
apiVersion: v1
kind: ConfigMap
metadata:
  name: fresh-config
  namespace: apps
data: {a: b}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: user-config
  namespace: apps
data: {owner: istiops}
'@
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'stops before any write when an object exists that IstioPS did not create, and names it' {
        Clear-SimRequest $cluster
        { Install-Istio -ManifestPath $manifest -Kubeconfig $kc -ErrorAction Stop } | Should -Throw -ErrorId 'ObjectNotOwned,IstioPS.Commands.InstallIstioCommand'
        $Error[0].Exception.Message | Should -Match 'configmap/user-config \(namespace apps\)'
        $Error[0].Exception.Message | Should -Not -Match 'fresh-config'
        $Error[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        (Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/apps/configmaps/user-config").data.owner | Should -Be 'a user'
        (Compare-IstioInstallation -ManifestPath $manifest -Kubeconfig $kc | Where-Object Name -eq 'user-config').Action | Should -Be 'Adopt'
    }

    It 'takes it over with -Adopt, reports it Adopted and annotates it adopted; what it creates is annotated created' {
        $result = Install-Istio -ManifestPath $manifest -Kubeconfig $kc -Adopt
        ($result.Objects | Where-Object Name -eq 'user-config').Action | Should -Be 'Adopted'
        ($result.Objects | Where-Object Name -eq 'fresh-config').Action | Should -Be 'Created'
        $adopted = Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/apps/configmaps/user-config"
        $adopted.metadata.annotations.'istiops.io/ownership' | Should -Be 'adopted'
        $adopted.data.owner | Should -Be 'istiops'
        (Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/apps/configmaps/fresh-config").metadata.annotations.'istiops.io/ownership' | Should -Be 'created'
        Compare-IstioInstallation -ManifestPath $manifest -Kubeconfig $kc | Should -BeNullOrEmpty
    }
}
