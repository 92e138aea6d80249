BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Cluster
    New-TestNamespace $cluster -Name on -Labels @{ 'istio-injection' = 'enabled' }
    New-TestNamespace $cluster -Name off -Labels @{ 'istio-injection' = 'disabled' }
    New-TestNamespace $cluster -Name canary -Labels @{ 'istio.io/rev' = 'canary' }
    New-TestNamespace $cluster -Name both -Labels @{ 'istio.io/rev' = 'canary'; 'istio-injection' = 'enabled' }
}

AfterAll { Stop-TestCluster $cluster }

Describe 'Get-IstioInjection' {
    It 'emits one NamespaceInjection per namespace with its state' {
        $all = Get-IstioInjection -Kubeconfig $kc
        $all[0].GetType().FullName | Should -Be 'IstioPS.Engine.Injection.NamespaceInjection'
        $all.Namespace | Should -Contain 'default'
        $all.Namespace | Should -Contain 'kube-system'
        ($all | Where-Object Namespace -eq on).State | Should -Be 'Enabled'
        ($all | Where-Object Namespace -eq on).Revision | Should -Be 'default'
        ($all | Where-Object Namespace -eq off).State | Should -Be 'Disabled'
        ($all | Where-Object Namespace -eq canary).State | Should -Be 'Revision'
        ($all | Where-Object Namespace -eq canary).Revision | Should -Be 'canary'
        ($all | Where-Object Namespace -eq default).State | Should -Be 'NotSet'
    }

    It 'lets istio-injection win over istio.io/rev' {
        $both = Get-IstioInjection both -Kubeconfig $kc
        $both.State | Should -Be 'Enabled'
        $both.Label | Should -Be 'istio-injection=enabled'
    }

    It 'filters with wildcards and takes names from the pipeline' {
        (Get-IstioInjection -Namespace 'o*' -Kubeconfig $kc).Namespace | Should -Be @('off', 'on')
        ('on', 'off' | Get-IstioInjection -Kubeconfig $kc).Namespace | Should -Be @('on', 'off')
    }

    It 'writes NamespaceNotFound for a missing exact name' {
        Get-IstioInjection nope -Kubeconfig $kc -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,IstioPS.Commands.GetIstioInjectionCommand'
    }

    It 'looks like kubectl get namespace -L istio-injection, with property names as headers' {
        $text = Get-IstioInjection on -Kubeconfig $kc | Out-String
        $text | Should -MatchExactly 'Namespace\s+Status\s+Age\s+State\s+Revision\s+Pods\s+PodsNeedingRestart'
        $text | Should -Match 'on\s+Active\s+\S+\s+enabled'
    }

    It 'fails with a terminating error when the kubeconfig is missing' {
        { Get-IstioInjection -Kubeconfig '/nonexistent/config' } | Should -Throw -ErrorId 'KubeconfigNotFound,IstioPS.Commands.GetIstioInjectionCommand'
    }
}
