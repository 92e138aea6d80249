BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Cluster -Directory
    $file = Join-Path $dir 'mesh.yaml'
    $deploy = {
        param($name, $labels, $image)
        @"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $name
  namespace: istio-system
  labels: $labels
spec:
  selector:
    matchLabels: {app: $name}
  template:
    metadata:
      labels: {app: $name}
    spec:
      containers:
      - name: main
        image: $image
---
"@
    }
    $yaml = @(
        & $deploy 'istiod' '{app: istiod, istio.io/rev: default}' 'docker.io/istio/pilot:1.30.3'
        & $deploy 'istio-ingressgateway' '{app: istio-ingressgateway, istio: ingressgateway}' 'docker.io/istio/proxyv2:1.30.3'
        & $deploy 'istio-pilot' '{app: pilot}' 'docker.io/istio/pilot:1.4.0'
        & $deploy 'my-tool' '{app: my-tool}' 'example/tool:2.0'
    ) -join "`n" 
    Set-Content $file $yaml
    $null = Install-Istio -ManifestPath $file -Kubeconfig $kc -Timeout 60
}

AfterAll {
    Stop-TestCluster $cluster
    Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-IstioComponent' {
    It 'emits one IstioComponent per workload with role, readiness and version' {
        $c = Get-IstioComponent -Kubeconfig $kc
        $c | Should -HaveCount 4
        $c[0].GetType().FullName | Should -Be 'IstioPS.Engine.Components.IstioComponent'
        $istiod = $c | Where-Object Name -eq istiod
        $istiod.Ready | Should -Be '1/1'
        $istiod.Status | Should -Be 'Running'
        $istiod.Version | Should -Be '1.30.3'
        $istiod.Revision | Should -Be 'default'
        $istiod.Role | Should -Match 'Control plane'
        ($c | Where-Object Name -eq istio-pilot).Role | Should -Match 'Envoy service discovery'
        ($c | Where-Object Name -eq istio-ingressgateway).Component | Should -Be 'ingressgateway'
        ($c | Where-Object Name -eq my-tool).Role | Should -Match 'Other'
    }

    It 'filters by wildcard and takes names from the pipeline' {
        (Get-IstioComponent -Name 'istio-*' -Kubeconfig $kc).Name | Should -Be @('istio-ingressgateway', 'istio-pilot')
        ('istiod', 'my-tool' | Get-IstioComponent -Kubeconfig $kc).Name | Should -Be @('istiod', 'my-tool')
    }

    It 'writes ComponentNotFound for a name that does not run' {
        Get-IstioComponent -Name nothing -Kubeconfig $kc -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'ComponentNotFound,IstioPS.Commands.GetIstioComponentCommand'
        $e[0].TargetObject | Should -Be 'nothing'
    }

    It 'says that a namespace does not exist (NamespaceNotFound, ObjectNotFound), and an empty one is just empty' {
        foreach ($pod in $false, $true) {
            Get-IstioComponent -Namespace nope -Pod:$pod -Kubeconfig $kc -ErrorVariable e -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $e | Should -HaveCount 1
            $e[0].FullyQualifiedErrorId | Should -Be 'NamespaceNotFound,IstioPS.Commands.GetIstioComponentCommand'
            $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $e[0].TargetObject | Should -Be 'nope'
            $e[0].Exception.Message | Should -Match "namespace 'nope' does not exist"
        }
        New-TestNamespace $cluster -Name empty-ns
        Get-IstioComponent -Namespace empty-ns -Kubeconfig $kc -ErrorVariable e2 | Should -BeNullOrEmpty
        $e2 | Should -BeNullOrEmpty
    }

    It 'shows pods like kubectl get pods with -Pod' {
        $pods = Get-IstioComponent -Pod -Kubeconfig $kc
        $pods | Should -HaveCount 4
        $pods[0].GetType().FullName | Should -Be 'IstioPS.Engine.Components.IstioPod'
        $pods | ForEach-Object { $_.Status | Should -Be 'Running'; $_.Ready | Should -Be '1/1' }
        $text = $pods | Out-String
        $text | Should -Match 'NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE'
    }

    It 'has a kubectl-like default view' {
        $text = Get-IstioComponent -Kubeconfig $kc | Out-String
        $text | Should -Match 'NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+VERSION\s+REVISION'
        $text | Should -Match 'istiod\s+1/1\s+Running\s+0\s+\S+\s+1.30.3\s+default'
    }
}
