BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:cluster = Start-TestCluster
    $script:kc = $cluster.Kubeconfig
    $script:names = 1..120 | ForEach-Object { 'app-{0:000}' -f $_ }
    New-TestNamespace $cluster -Name $names
}

AfterAll { Stop-TestCluster $cluster }

Describe 'Enable-IstioInjection' {
    It 'writes nothing with -WhatIf' {
        Clear-SimRequest $cluster
        $names | Enable-IstioInjection -Kubeconfig $kc -WhatIf
        Get-SimWrite $cluster | Should -BeNullOrEmpty
    }

    It 'labels many namespaces from the pipeline and passes them through' {
        $out = $names | Enable-IstioInjection -Kubeconfig $kc -PassThru
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
}
