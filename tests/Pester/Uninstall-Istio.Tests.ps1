BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
    $script:hasKubectl = Test-Kubectl
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile
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

    It 'leaves them alone (IstioPS neither created nor adopted them) and names them in a warning' {
        Clear-SimRequest $cluster
        $p = Uninstall-Istio -Purge -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $p | Should -BeNullOrEmpty
        ($w -join "`n") | Should -Match 'istiod-default-validator'
        ($w -join "`n") | Should -Match 'istio-revision-tag-default'
        ($w -join "`n") | Should -Not -Match 'someone-elses-validator'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        $left = (Invoke-RestMethod "$($cluster.Url)/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations").items.metadata.name
        $left | Sort-Object | Should -Be @('istiod-default-validator', 'someone-elses-validator')
    }

    It 'says that nothing is installed for a revision (RevisionNotInstalled, ObjectNotFound)' {
        $err = $null
        try { Uninstall-Istio -Revision nope -Kubeconfig $kc -Confirm:$false -WarningAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'RevisionNotInstalled,IstioPS.Commands.UninstallIstioCommand'
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $err.TargetObject | Should -Be 'nope'
        $err.Exception.Message | Should -Match "revision 'nope'"
    }
}

Describe 'Uninstall-Istio deletes only what IstioPS owns' {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        $script:dir = New-TestDirectory
        $script:cms = Join-Path $dir 'cms.yaml'
        Set-Content $cms ((1..6 | ForEach-Object { "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: ours-$_`n  namespace: default`ndata:`n  n: '$_'" }) -join "`n---`n")
        $script:installed = Install-Istio -ManifestPath $cms -Kubeconfig $kc
        # a user's ConfigMap that carries IstioPS's labels (copied from ours) but not its ownership annotation
        $body = @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'users-lookalike'; labels = @{ 'istiops.io/managed-by' = 'istiops'; 'istiops.io/revision' = 'default' } }; data = @{ keep = 'me' } } | ConvertTo-Json -Depth 5
        $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/api/v1/namespaces/default/configmaps" -Body $body -ContentType 'application/json'
    }
    AfterAll {
        Stop-TestCluster $cluster
        Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'installs only into the namespace the input needs, and its summary names it' {
        $installed.Namespace | Should -Be 'default'
        $installed.Revision | Should -Be 'default'
        { Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/istio-system" } | Should -Throw
        $cm = Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/default/configmaps/ours-1"
        $cm.metadata.annotations.'istiops.io/ownership' | Should -Be 'created'
    }

    It 'lists every object under -WhatIf and asks once for the whole removal' {
        $module = Get-ModulePath
        $lines = Invoke-ChildPwsh "Import-Module '$module'; Uninstall-Istio -Kubeconfig '$kc' -WhatIf -WarningAction SilentlyContinue"
        $whatIf = @($lines | Where-Object { $_ -match '^What if:' })
        $whatIf[0] | Should -Match 'Remove revision default: 6 objects'
        @($whatIf | Where-Object { $_ -match 'configmap/ours-\d \(namespace default\)' }).Count | Should -Be 6
        @($whatIf | Where-Object { $_ -match 'users-lookalike' }).Count | Should -Be 0

        # Answer the one question with "No" through standard input: exactly one prompt, nothing deleted.
        Clear-SimRequest $cluster
        $dll = Join-Path $PSHOME 'pwsh.dll'
        $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        foreach ($a in @($dll, '-NoProfile', '-Command', "Import-Module '$module'; Uninstall-Istio -Kubeconfig '$kc' -WarningAction SilentlyContinue")) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $true
        $psi.RedirectStandardOutput = $true
        $psi.UseShellExecute = $false
        $child = [System.Diagnostics.Process]::Start($psi)
        $child.StandardInput.WriteLine('N')
        $child.StandardInput.Close()
        $out = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit(60000) | Should -BeTrue
        ([regex]::Matches($out, 'Remove revision default: 6 objects\?')).Count | Should -Be 1
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'deletes its own objects, reports a failed delete by name and goes on, and leaves the lookalike alone' {
        Add-SimFault $cluster -Method DELETE -PathRegex 'configmaps/ours-3$' -Count 50 -Kind DropConnection
        $r = Uninstall-Istio -Kubeconfig $kc -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue -WarningVariable w -WarningAction SilentlyContinue
        $r.Deleted | Should -Be 5
        ($r.Objects.Name | Sort-Object) | Should -Be @('ours-1', 'ours-2', 'ours-4', 'ours-5', 'ours-6')
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -Be 'ClusterUnreachable,IstioPS.Commands.UninstallIstioCommand'
        $e[0].TargetObject | Should -Be 'configmap/ours-3 (namespace default)'
        ($w -join "`n") | Should -Match 'configmap/users-lookalike \(namespace default\)'
        (Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/default/configmaps/users-lookalike").data.keep | Should -Be 'me'
        Invoke-RestMethod -Method Delete "$($cluster.Url)/_sim/faults" | Out-Null
        (Uninstall-Istio -Kubeconfig $kc -Confirm:$false -WarningAction SilentlyContinue).Objects.Name | Should -Be @('ours-3')
    }
}

Describe 'Uninstall-Istio -Purge keeps users'' data' {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        $script:dir = New-TestDirectory
        $crd = {
            param($group, $kind, $plural)
            "apiVersion: apiextensions.k8s.io/v1`nkind: CustomResourceDefinition`nmetadata:`n  name: $plural.$group`nspec:`n  group: $group`n  scope: Namespaced`n  names: {kind: $kind, plural: $plural, singular: $($kind.ToLower()), listKind: $($kind)List}`n  versions:`n  - name: v1`n    served: true`n    storage: true`n    schema:`n      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}"
        }
        $script:mesh = Join-Path $dir 'mesh.yaml'
        Set-Content $mesh ((& $crd 'networking.istio.io' 'VirtualService' 'virtualservices'), (& $crd 'security.istio.io' 'PeerAuthentication' 'peerauthentications'),
            "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: istio`ndata:`n  mesh: '{}'" -join "`n---`n")
        $script:post = {
            param($path, $object)
            $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)$path" -Body ($object | ConvertTo-Json -Depth 6) -ContentType 'application/json'
        }
        $script:exists = { param($path) try { $null = Invoke-RestMethod "$($cluster.Url)$path"; $true } catch { $false } }
        $script:addUserData = {
            & $post '/api/v1/namespaces/istio-system/configmaps' @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'user-settings' }; data = @{ a = 'b' } }
            & $post '/api/v1/namespaces/istio-system/secrets' @{ apiVersion = 'v1'; kind = 'Secret'; metadata = @{ name = 'cacerts' }; data = @{ 'ca-cert.pem' = 'Zm9v' } }
        }
        $script:addUserResources = {
            & $post '/apis/networking.istio.io/v1/namespaces/default/virtualservices' @{ apiVersion = 'networking.istio.io/v1'; kind = 'VirtualService'; metadata = @{ name = 'reviews' }; spec = @{ hosts = @('reviews') } }
            & $post '/apis/security.istio.io/v1/namespaces/istio-system/peerauthentications' @{ apiVersion = 'security.istio.io/v1'; kind = 'PeerAuthentication'; metadata = @{ name = 'default' }; spec = @{ mtls = @{ mode = 'STRICT' } } }
        }
        $null = Install-Istio -ManifestPath $mesh -Kubeconfig $kc
        & $addUserData
        & $addUserResources
    }
    AfterAll {
        Stop-TestCluster $cluster
        Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'marks the namespace it created as created' {
        (Invoke-RestMethod "$($cluster.Url)/api/v1/namespaces/istio-system").metadata.annotations.'istiops.io/ownership' | Should -Be 'created'
    }

    It 'refuses to delete CRDs that still have custom resources, names kinds, counts and namespaces, and writes nothing' {
        Clear-SimRequest $cluster
        $err = $null
        try { Uninstall-Istio -Purge -Kubeconfig $kc -Confirm:$false -WarningAction SilentlyContinue } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'CustomResourcesExist,IstioPS.Commands.UninstallIstioCommand'
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        $err.Exception.Message | Should -Match '2 custom resources'
        $err.Exception.Message | Should -Match '1 PeerAuthentication \(namespace istio-system\)'
        $err.Exception.Message | Should -Match '1 VirtualService \(namespace default\)'
        $err.TargetObject | Should -Contain 'VirtualService default/reviews'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'with -KeepCrds removes the rest and keeps the namespace, naming what is left in it' {
        $r = Uninstall-Istio -Purge -KeepCrds -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $r.Objects.Name | Should -Be @('istio')
        $text = $w -join "`n"
        $text | Should -Match 'namespace istio-system was kept'
        $text | Should -Match 'configmap/user-settings'
        $text | Should -Match 'secret/cacerts'
        $text | Should -Match 'peerauthentication.security.istio.io/default'
        $text | Should -Not -Match 'kube-root-ca.crt|serviceaccount/default'
        & $exists '/api/v1/namespaces/istio-system/secrets/cacerts' | Should -BeTrue
        & $exists '/apis/networking.istio.io/v1/namespaces/default/virtualservices/reviews' | Should -BeTrue
        & $exists '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualservices.networking.istio.io' | Should -BeTrue
    }

    It 'with -Force deletes the CRDs and their custom resources, and still keeps the namespace with the user''s ConfigMap and Secret' {
        $null = Install-Istio -ManifestPath $mesh -Kubeconfig $kc
        $r = Uninstall-Istio -Purge -Force -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        ($r.Objects | Where-Object Kind -eq CustomResourceDefinition).Name | Sort-Object | Should -Be @('peerauthentications.security.istio.io', 'virtualservices.networking.istio.io')
        $text = $w -join "`n"
        $text | Should -Match 'deletes 2 custom resources'
        $text | Should -Match 'namespace istio-system was kept: 2 objects'
        $r.Objects.Kind | Should -Not -Contain 'Namespace'
        & $exists '/api/v1/namespaces/istio-system/configmaps/user-settings' | Should -BeTrue
        & $exists '/api/v1/namespaces/istio-system/secrets/cacerts' | Should -BeTrue
        Wait-TestCondition { -not (& $exists '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualservices.networking.istio.io') }
    }

    It 'deletes the namespace it created once nothing of the user''s is left in it' {
        $null = Invoke-RestMethod -Method Delete "$($cluster.Url)/api/v1/namespaces/istio-system/configmaps/user-settings"
        $null = Invoke-RestMethod -Method Delete "$($cluster.Url)/api/v1/namespaces/istio-system/secrets/cacerts"
        $null = Install-Istio -ManifestPath $mesh -Kubeconfig $kc
        $r = Uninstall-Istio -Purge -Kubeconfig $kc -Confirm:$false
        ($r.Objects | Where-Object Kind -eq Namespace).Name | Should -Be 'istio-system'
        & $exists '/api/v1/namespaces/istio-system' | Should -BeFalse
    }

    It 'never deletes a namespace it did not create' {
        New-TestNamespace $cluster -Name mesh
        $null = Install-Istio -ManifestPath $mesh -Namespace mesh -Kubeconfig $kc
        $r = Uninstall-Istio -Purge -Namespace mesh -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $r.Objects.Kind | Should -Not -Contain 'Namespace'
        ($w -join "`n") | Should -Match 'namespace mesh was kept: IstioPS did not create it'
        & $exists '/api/v1/namespaces/mesh' | Should -BeTrue
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

Describe 'Uninstall-Istio with the source parameters of Install-Istio removes only what that input stands for' -Skip:(-not $hasIstio) {
    BeforeAll {
        $script:cluster = Start-TestCluster
        $script:kc = $cluster.Kubeconfig
        $script:dir = New-TestDirectory
        $null = Install-Istio -ReleasePath $release -Profile minimal -Addon Prometheus, Kiali -NoWait -Kubeconfig $kc
        $script:kiali = Export-IstioManifest $release -Addon Kiali
        $script:getObject = {
            param($entry)
            $group = if ($entry.ApiVersion -match '/') { "apis/$($entry.ApiVersion)" } else { "api/$($entry.ApiVersion)" }
            $plural = @{ ConfigMap = 'configmaps'; Service = 'services'; Deployment = 'deployments'; ServiceAccount = 'serviceaccounts'; ClusterRole = 'clusterroles'; ClusterRoleBinding = 'clusterrolebindings'; Role = 'roles'; RoleBinding = 'rolebindings' }[$entry.Kind]
            $ns = if ($entry.Kind -like 'Cluster*') { '' } else { "namespaces/$(if ($entry.Namespace) { $entry.Namespace } else { 'istio-system' })/" }
            try { Invoke-RestMethod -Uri "$($cluster.Url)/$group/$ns$plural/$($entry.Name)" -SkipCertificateCheck } catch { $null }
        }
    }
    AfterAll {
        Stop-TestCluster $cluster
        Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'takes -Revision first by position and the source parameters by name' {
        $p = (Get-Command Uninstall-Istio).Parameters
        $p.Revision.ParameterSets['Revision'].Position | Should -Be 0
        $p.ManifestPath.ParameterSets['Manifest'].Position | Should -BeLessThan 0
        foreach ($name in 'ReleasePath', 'Version', 'LiteralPath', 'Recurse', 'Profile', 'Set', 'ValuesFile', 'Component', 'Addon') { $p.Keys | Should -Contain $name }
    }

    It 'lists under -WhatIf exactly the Kiali objects, and writes nothing' {
        Clear-SimRequest $cluster
        # What-if lines go to the host: a child pwsh shows them as output.
        $lines = Invoke-ChildPwsh "Import-Module '$(Get-ModulePath)'; Uninstall-Istio -ReleasePath '$release' -Addon Kiali -Kubeconfig '$kc' -WhatIf"
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        $whatIf = @($lines | Where-Object { $_ -match '^What if:' })
        $whatIf[0] | Should -Match "Remove what the input installed \(revision default\): $($kiali.Count) objects"
        @($whatIf | Where-Object { $_ -match 'Performing the operation "Delete" on target "[a-z0-9.]+/kiali[ "]' }).Count | Should -Be $kiali.Count
        $whatIf.Count | Should -Be ($kiali.Count + 1)
    }

    It 'removes the Kiali addon only; Prometheus and istiod stay' {
        $kiali | ForEach-Object { & $getObject $_ | Should -Not -BeNullOrEmpty -Because "$_ was installed" }
        $result = Uninstall-Istio -ReleasePath $release -Addon Kiali -Kubeconfig $kc -Confirm:$false
        $result.Deleted | Should -Be $kiali.Count
        ($result.Objects | Where-Object Kind -eq Deployment).Name | Should -Be 'kiali'
        $kiali | ForEach-Object { & $getObject $_ | Should -BeNullOrEmpty -Because "$_ was removed" }
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'prometheus'
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'istiod'
    }

    It 'says NotInstalled when nothing of the input is left, and removes nothing' {
        Clear-SimRequest $cluster
        $err = $null
        try { Uninstall-Istio -ReleasePath $release -Addon Kiali -Kubeconfig $kc -Confirm:$false } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Be 'NotInstalled,IstioPS.Commands.UninstallIstioCommand'
        $err.Exception.Message | Should -Match 'installed revisions: default'
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'removes one component of a profile: the egress gateway goes, istiod stays' {
        $null = Install-Istio -ReleasePath $release -Profile demo -Component EgressGateways -NoWait -Kubeconfig $kc
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'istio-egressgateway'
        $egress = Export-IstioManifest $release -Profile demo -Component EgressGateways
        $result = Uninstall-Istio -ReleasePath $release -Profile demo -Component EgressGateways -Kubeconfig $kc -Confirm:$false
        $result.Deleted | Should -Be $egress.Count
        ($result.Objects | ForEach-Object { "$($_.Kind)/$($_.Name)" } | Sort-Object) | Should -Be ($egress | ForEach-Object { "$($_.Kind)/$($_.Name)" } | Sort-Object)
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Not -Contain 'istio-egressgateway'
        (Get-IstioComponent -Kubeconfig $kc).Name | Should -Contain 'istiod'
    }

    It 'removes the objects of manifest files it installed, and leaves a look-alike it did not install alone' {
        $file = Join-Path $dir 'app.yaml'
        Set-Content $file "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: app-settings`n  namespace: default`ndata:`n  a: '1'`n---`napiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: users-own`n  namespace: default`n"
        $null = Install-Istio -ManifestPath $file -Kubeconfig $kc -NoWait
        # The user's own object with the name of one in the file, and only IstioPS's labels (not its ownership annotation).
        Invoke-RestMethod -Method Delete -Uri "$($cluster.Url)/api/v1/namespaces/default/configmaps/users-own" -SkipCertificateCheck | Out-Null
        $body = @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'users-own'; labels = @{ 'istiops.io/managed-by' = 'istiops'; 'istiops.io/revision' = 'default' } } } | ConvertTo-Json -Depth 5
        Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/api/v1/namespaces/default/configmaps" -Body $body -ContentType 'application/json' -SkipCertificateCheck | Out-Null

        $result = Get-Item $file | Uninstall-Istio -Kubeconfig $kc -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $result.Objects.Name | Should -Be 'app-settings'
        $w | Should -Match 'configmap/users-own'
        { Invoke-RestMethod -Uri "$($cluster.Url)/api/v1/namespaces/default/configmaps/app-settings" -SkipCertificateCheck } | Should -Throw
        (Invoke-RestMethod -Uri "$($cluster.Url)/api/v1/namespaces/default/configmaps/users-own" -SkipCertificateCheck).metadata.name | Should -Be 'users-own'
    }

    It 'refuses an invalid input before removing anything, naming the file and line' {
        $bad = Join-Path $dir 'bad.yaml'
        Set-Content $bad "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: Not_Valid`n"
        Clear-SimRequest $cluster
        $err = $null
        try { Uninstall-Istio -ManifestPath $bad -Kubeconfig $kc -Confirm:$false } catch { $err = $_ }
        $err.Exception.Message | Should -Match 'nothing was removed'
        $err.Exception.Message | Should -Match ([regex]::Escape('bad.yaml:4'))
        Get-SimRequest $cluster | Should -BeNullOrEmpty
    }
}
