# Test-IstioPrerequisite, and Install-Istio refusing before its first write when a prerequisite is not met.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
    $script:hasKubectl = Test-Kubectl
    $script:gatewayApi = Join-Path (Get-RepoRoot) '../shared/gateway-api/v1.5.1/standard-install.yaml'
    $script:hasGatewayApi = Test-Path $gatewayApi
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile
    $script:old = if (Get-IstioData) { Join-Path (Get-IstioData) 'releases/istio-1.29.6' }
    $script:gatewayApi = Join-Path (Get-RepoRoot) '../shared/gateway-api/v1.5.1/standard-install.yaml'
    # Install-Istio must stop with PrerequisiteNotMet and nothing written (access reviews store nothing).
    $script:refused = {
        param($cluster, [string] $category, [string] $pattern, [string] $path = $release)
        Clear-SimRequest $cluster
        $err = $null
        try { Install-Istio -ReleasePath $path -Kubeconfig $cluster.Kubeconfig -Timeout 60 } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Be 'PrerequisiteNotMet,IstioPS.Commands.InstallIstioCommand'
        $err.CategoryInfo.Category | Should -Be $category
        $err.Exception.Message | Should -Match 'nothing was written'
        $err.Exception.Message | Should -Match $pattern
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        # The check asked the API server, with SelfSubjectAccessReviews, about the install's writes.
        @(Get-SimRequest $cluster | Where-Object path -eq '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews').Count | Should -BeGreaterThan 10
    }
}

Describe 'Test-IstioPrerequisite on a cluster that meets every prerequisite' -Skip:(-not $hasIstio) {
    BeforeAll { $script:cluster = Start-TestCluster }
    AfterAll { Stop-TestCluster $cluster }

    It 'reports only information: the Kubernetes version against the release''s minimum, and where that minimum comes from' {
        Clear-SimRequest $cluster
        $findings = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig)
        $findings | Should -Not -BeNullOrEmpty
        $findings | ForEach-Object { $_ | Should -BeOfType 'IstioPS.Engine.Prerequisites.PrerequisiteFinding' }
        $findings.Severity | Sort-Object -Unique | Should -Be 'Info'
        $version = $findings | Where-Object Code -eq 'KubernetesVersion'
        $version.Message | Should -Match 'runs Kubernetes 1\.32 .*Istio 1\.30\.3 needs 1\.32 or later \(MinK8SVersion of istioctl 1\.30, istioctl/pkg/install/k8sversion/version\.go\)'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        # The default view: severity, code and message; the remedy below.
        ($findings | Out-String -Width 300) | Should -Match '(?m)^Info +KubernetesVersion: The cluster runs Kubernetes 1\.32'
    }
}

Describe 'A cluster older than the release supports' -Skip:(-not $hasIstio) {
    BeforeAll { $script:cluster = Start-TestCluster -ServerVersion 1.31 }
    AfterAll { Stop-TestCluster $cluster }

    It 'finds Kubernetes 1.31 too old for Istio 1.30.3 (it needs 1.32) and old enough for 1.29.6 (it needs 1.30)' {
        $error130 = Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Severity -eq Error
        $error130.Code | Should -Be 'KubernetesVersionUnsupported'
        $error130.Message | Should -Match 'runs Kubernetes 1\.31 \(v1\.31\.0.*\); Istio 1\.30\.3 needs Kubernetes 1\.32 or later'
        $error130.Remedy | Should -Match 'Upgrade the cluster to Kubernetes 1\.32 or later, or install Istio 1\.29'
        $ok129 = Test-IstioPrerequisite -ReleasePath $old -Kubeconfig $cluster.Kubeconfig
        $ok129 | Where-Object Severity -eq Error | Should -BeNullOrEmpty
        ($ok129 | Where-Object Code -eq 'KubernetesVersion').Message | Should -Match 'Istio 1\.29\.6 needs 1\.30 or later'
    }

    It 'refuses Install-Istio 1.30.3 before any write; -SkipPrerequisiteCheck -WhatIf gets past the check and still writes nothing' {
        & $refused $cluster 'InvalidOperation' 'KubernetesVersionUnsupported: .*needs Kubernetes 1\.32'
        Clear-SimRequest $cluster
        $null = Install-Istio -ReleasePath $release -Kubeconfig $cluster.Kubeconfig -SkipPrerequisiteCheck -WhatIf
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        Get-SimRequest $cluster | Where-Object path -match 'selfsubjectaccessreviews' | Should -BeNullOrEmpty
    }
}

Describe 'A user denied create clusterroles' -Skip:(-not $hasIstio) {
    BeforeAll { $script:cluster = Start-TestCluster -User 'ci@example.com' -Deny 'create:clusterroles.rbac.authorization.k8s.io' }
    AfterAll { Stop-TestCluster $cluster }

    It 'gets one finding naming the verb, the resource, the scope and the objects' {
        $findings = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Severity -eq Error)
        $findings | Should -HaveCount 1
        $findings[0].Code | Should -Be 'PermissionMissing'
        $findings[0].Target | Should -Be 'create clusterroles.rbac.authorization.k8s.io'
        $findings[0].Message | Should -Match "may not create clusterroles\.rbac\.authorization\.k8s\.io at the cluster scope, which the install needs for 3 object\(s\): .*istiod-clusterrole-istio-system"
        $findings[0].Remedy | Should -Match 'ClusterRole'
        if ($hasKubectl) {
            # kubectl, asking the same question, gets the same answer.
            Invoke-Kubectl $cluster auth can-i create clusterroles | Select-Object -Last 1 | Should -Be 'no'
        }
    }

    It 'refuses Install-Istio before any write, as PermissionDenied' {
        & $refused $cluster 'PermissionDenied' 'PermissionMissing: .*may not create clusterroles'
    }
}

Describe 'Two users of one cluster, the rules about one of them' -Skip:(-not $hasIstio) {
    BeforeAll {
        # A cluster with a client CA, as kind and kubeadm make: each kubeconfig's certificate names its user (CN) and groups (O).
        $ca = New-Ca 'kubernetes'
        $caFile = Join-Path (New-TestDirectory) 'ca.crt'
        Set-Content -LiteralPath $caFile -Value $ca.ExportCertificatePem()
        $script:cluster = Start-TestCluster -Tls -ClientCaFile $caFile -Deny 'create:clusterroles.rbac.authorization.k8s.io@alice'
        $serverCa = (Get-Content -Raw $cluster.Kubeconfig) -match 'certificate-authority-data: (\S+)' | ForEach-Object { [Text.Encoding]::ASCII.GetString([Convert]::FromBase64String($Matches[1])) }
        $script:alice = New-Kubeconfig $cluster.Url (New-ClientCertUser $ca 'alice' 'ci') -CaPem $serverCa
        $script:bob = New-Kubeconfig $cluster.Url (New-ClientCertUser $ca 'bob') -CaPem $serverCa
        $script:kubectlAs = { param($kubeconfig) & kubectl --kubeconfig $kubeconfig --cache-dir $cluster.CacheDir @args 2>&1 | ForEach-Object { "$_" } }
    }
    AfterAll { Stop-TestCluster $cluster }

    It 'names the missing permission for the denied user (each asked about as itself), and the other passes' {
        Clear-SimRequest $cluster
        $denied = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $alice | Where-Object Severity -eq Error)
        $denied.Code | Should -Be 'PermissionMissing'
        $denied.Target | Should -Be 'create clusterroles.rbac.authorization.k8s.io'
        $denied.Message | Should -Match 'may not create clusterroles\.rbac\.authorization\.k8s\.io at the cluster scope'
        Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $bob | Where-Object Severity -eq Error | Should -BeNullOrEmpty
        $reviews = @(Get-SimRequest $cluster | Where-Object path -eq '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')
        ($reviews.user | Sort-Object -Unique) -join ',' | Should -Be 'alice,bob'
    }

    It 'kubectl, as either user (and bob impersonating alice), gets the same answers' -Skip:(-not $hasKubectl) {
        # (kubectl warns first that clusterroles are not namespaced, as it does against any cluster.)
        & $kubectlAs $alice auth can-i create clusterroles | Select-Object -Last 1 | Should -Be 'no'
        & $kubectlAs $bob auth can-i create clusterroles | Select-Object -Last 1 | Should -Be 'yes'
        & $kubectlAs $bob auth can-i create clusterroles --as alice | Select-Object -Last 1 | Should -Be 'no'
        & $kubectlAs $alice create clusterrole reader --verb=get --resource=pods | Should -Be 'Error from server (Forbidden): clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot create resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope'
        & $kubectlAs $bob create clusterrole reader --verb=get --resource=pods | Should -Be 'clusterrole.rbac.authorization.k8s.io/reader created'
    }

    It 'a rule added while the cluster runs, for a group, denies its members only' {
        Add-SimDeny $cluster 'create:namespaces' -Group 'ci'
        $denied = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $alice | Where-Object Severity -eq Error)
        $denied.Target | Sort-Object | Should -Be @('create clusterroles.rbac.authorization.k8s.io', 'create namespaces')
        Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $bob | Where-Object Severity -eq Error | Should -BeNullOrEmpty
        $err = $null
        try { Install-Istio -ReleasePath $release -Kubeconfig $alice -Timeout 60 } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'PrerequisiteNotMet,IstioPS.Commands.InstallIstioCommand'
        $err.Exception.Message | Should -Match 'PermissionMissing: .*may not create namespaces'
    }
}

Describe 'Another control plane, overlapping injection webhooks, Gateway API CRDs' -Skip:(-not $hasIstio -or -not $hasKubectl) {
    BeforeAll { $script:cluster = Start-TestCluster }
    AfterAll { Stop-TestCluster $cluster }

    It 'warns about Gateway API CRDs the release''s istiod ignores: v1.5.1''s TLSRoute is too new for 1.29.6, an old BackendTLSPolicy too old for 1.30.3' -Skip:(-not $hasGatewayApi) {
        # The bundle's CRDs (its ValidatingAdmissionPolicy left out), applied as its README says.
        $docs = (Get-Content -Raw $gatewayApi) -split '(?m)^---\s*$' | Where-Object { $_ -match '(?m)^kind: CustomResourceDefinition' }
        $file = Join-Path $cluster.Directory 'gateway-api-crds.yaml'
        Set-Content -Path $file -Value ($docs -join "`n---`n")
        Invoke-Kubectl $cluster apply --server-side -f $file | Out-Null
        $LASTEXITCODE | Should -Be 0

        Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Code -like 'GatewayApi*' | Should -BeNullOrEmpty
        $tooNew = @(Test-IstioPrerequisite -ReleasePath $old -Kubeconfig $cluster.Kubeconfig | Where-Object Code -like 'GatewayApi*')
        $tooNew | Should -HaveCount 1
        $tooNew[0].Code | Should -Be 'GatewayApiCrdTooNew'
        $tooNew[0].Severity | Should -Be 'Warning'
        $tooNew[0].Target | Should -Be 'customresourcedefinition/tlsroutes.gateway.networking.k8s.io'
        $tooNew[0].Message | Should -Match 'bundle version v1\.5\.1; Istio 1\.29\.6 accepts at most 1\.4\.1'

        Invoke-Kubectl $cluster annotate --overwrite crd backendtlspolicies.gateway.networking.k8s.io gateway.networking.k8s.io/bundle-version=v1.3.0 | Out-Null
        $tooOld = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Code -like 'GatewayApi*')
        $tooOld.Code | Should -Be 'GatewayApiCrdTooOld'
        $tooOld.Message | Should -Match 'backendtlspolicies\.gateway\.networking\.k8s\.io is at bundle version v1\.3\.0; Istio 1\.30\.3 needs 1\.4\.0 or later'
        Invoke-Kubectl $cluster annotate --overwrite crd backendtlspolicies.gateway.networking.k8s.io gateway.networking.k8s.io/bundle-version=v1.5.1 | Out-Null
    }

    It 'warns when a stored injection webhook would inject into the same namespaces as the one the install writes, and installs anyway with the warning' {
        # An istioctl-era webhook left behind under another name: it injects into istio-injection=enabled namespaces,
        # as the default revision's webhook does.
        $stale = @{
            apiVersion = 'admissionregistration.k8s.io/v1'; kind = 'MutatingWebhookConfiguration'
            metadata = @{ name = 'istio-sidecar-injector-old' }
            webhooks = @(@{
                name = 'namespace.sidecar-injector.istio.io'; admissionReviewVersions = @('v1'); sideEffects = 'None'
                clientConfig = @{ service = @{ name = 'istiod-old'; namespace = 'istio-old'; path = '/inject' } }
                rules = @(@{ operations = @('CREATE'); apiGroups = @(''); apiVersions = @('v1'); resources = @('pods') })
                namespaceSelector = @{ matchExpressions = @(@{ key = 'istio-injection'; operator = 'In'; values = @('enabled') }) }
                objectSelector = @{ matchExpressions = @(@{ key = 'sidecar.istio.io/inject'; operator = 'NotIn'; values = @('false') }) }
            })
        } | ConvertTo-Json -Depth 10
        $file = Join-Path $cluster.Directory 'stale-webhook.json'
        Set-Content -Path $file -Value $stale
        Invoke-Kubectl $cluster create -f $file | Out-Null
        $LASTEXITCODE | Should -Be 0

        $overlap = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Code -eq 'InjectionWebhooksOverlap')
        $overlap | Should -HaveCount 1
        $overlap[0].Severity | Should -Be 'Warning'
        $overlap[0].Target | Should -Be 'mutatingwebhookconfiguration/istio-sidecar-injector, mutatingwebhookconfiguration/istio-sidecar-injector-old'
        $overlap[0].Message | Should -Match 'which this install writes\) would both be called for pods .* in namespaces labelled istio-injection=enabled'

        $result = Install-Istio -ReleasePath $release -Kubeconfig $cluster.Kubeconfig -Timeout 120 -WarningVariable warnings -WarningAction SilentlyContinue
        $result.Created | Should -Be $result.Total
        @($warnings | Where-Object { "$_" -match '^InjectionWebhooksOverlap: ' }) | Should -HaveCount 1

        # Installed: still the one overlap, and nothing else (the revision's own webhooks are disjoint).
        $after = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Severity -ne Info)
        $after.Code | Should -Be 'InjectionWebhooksOverlap'
        # Another revision's install leaves the default one in place: the two stored configurations are both called.
        (Test-IstioPrerequisite -ReleasePath $release -Revision canary -Kubeconfig $cluster.Kubeconfig | Where-Object Code -eq 'InjectionWebhooksOverlap').Message |
            Should -Match 'istio-sidecar-injector\) and .*istio-sidecar-injector-old\) are both called'
        Invoke-Kubectl $cluster delete mutatingwebhookconfiguration istio-sidecar-injector-old | Out-Null
        Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Severity -ne Info | Should -BeNullOrEmpty
    }

    It 'finds another revision beside it as information, and the AKS add-on''s namespace as an error that stops the install' {
        $canary = @(Test-IstioPrerequisite -ReleasePath $release -Revision canary -Kubeconfig $cluster.Kubeconfig)
        ($canary | Where-Object Code -eq 'OtherRevisionInstalled').Message | Should -Match 'Revision default of Istio 1\.30\.3 runs beside it'
        $canary | Where-Object Severity -ne Info | Should -BeNullOrEmpty

        New-TestNamespace $cluster aks-istio-system
        $managed = @(Test-IstioPrerequisite -ReleasePath $release -Kubeconfig $cluster.Kubeconfig | Where-Object Severity -eq Error)
        $managed | Should -HaveCount 1
        $managed[0].Code | Should -Be 'ManagedIstioPresent'
        $managed[0].Target | Should -Be 'namespace/aks-istio-system'
        $managed[0].Message | Should -Match 'the AKS Istio add-on'
        $managed[0].Remedy | Should -Match 'az aks mesh disable'
        & $refused $cluster 'InvalidOperation' 'ManagedIstioPresent: The namespace aks-istio-system exists'
    }
}
