BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Cluster
    New-TestNamespace $cluster -Name a, b, c -Labels @{ 'istio-injection' = 'enabled' }
    New-TestNamespace $cluster -Name r -Labels @{ 'istio.io/rev' = 'canary' }
}

AfterAll { Stop-TestCluster $cluster }

Describe 'Disable-IstioInjection' {
    It 'writes nothing with -WhatIf' {
        Clear-SimRequest $cluster
        'a', 'b' | Disable-IstioInjection -Kubeconfig $kc -WhatIf
        Get-SimWrite $cluster | Should -BeNullOrEmpty
        (Get-IstioInjection a -Kubeconfig $kc).State | Should -Be 'Enabled'
    }

    It 'removes the labels' {
        $out = 'a', 'r' | Disable-IstioInjection -Kubeconfig $kc -PassThru
        $out | Should -HaveCount 2
        $out[0].GetType().FullName | Should -Be 'IstioPS.Engine.Injection.NamespaceInjection'
        $out | ForEach-Object { $_.State | Should -Be 'NotSet'; $_.Label | Should -BeNullOrEmpty }
    }

    It 'sets istio-injection=disabled with -Explicit' {
        (Disable-IstioInjection b -Explicit -Kubeconfig $kc -PassThru).State | Should -Be 'Disabled'
        (Get-IstioInjection b -Kubeconfig $kc).Label | Should -Be 'istio-injection=disabled'
    }

    It 'takes objects from Get-IstioInjection' {
        $out = Get-IstioInjection c -Kubeconfig $kc | Disable-IstioInjection -Kubeconfig $kc -PassThru
        $out.Namespace | Should -Be 'c'
        $out.State | Should -Be 'NotSet'
    }

    It 'refuses kube-public without -Force' {
        Disable-IstioInjection kube-public -Explicit -Kubeconfig $kc -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -Be 'ProtectedNamespace,IstioPS.Commands.DisableIstioInjectionCommand'
    }
}
