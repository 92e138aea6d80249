# What a PowerShell user expects of any module: tab completion from the cluster, kubectl's names on the
# pipeline, table headers that are property names, real time values, and complete help.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasKubectl = Test-Kubectl
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-TestFile -Cluster
    New-TestNamespace $cluster -Name 'habits-a', 'habits-b'
    New-TestDeployment $cluster -Namespace 'habits-a' -Name 'web' -Replicas 2
    Wait-TestCondition { @(Get-TestPod $cluster -Namespace 'habits-a' | Where-Object { $_.status.phase -eq 'Running' }).Count -ge 2 }

    # What tab completion offers for the input (the cursor at its end).
    function Get-Completion([string] $InputScript) {
        @((TabExpansion2 -inputScript $InputScript -cursorColumn $InputScript.Length).CompletionMatches | ForEach-Object CompletionText)
    }

    # The engine's types live in the module's own load context: find them through a cmdlet's assembly references.
    function Get-ModuleType([string] $FullName) {
        [AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetType($FullName) } | Where-Object { $_ } | Select-Object -First 1
    }
}

AfterAll {
    Stop-TestCluster $cluster
}

Describe 'Tab completion' {
    It 'completes namespaces from the cluster for -Namespace and for the names of Enable-IstioInjection' {
        # The first Tab of a fresh process may pay for loading the client (answering nothing after 2 s); its read
        # still fills the cache, so the next Tab answers.
        Wait-TestCondition { (Get-Completion "Get-IstioInjection -Kubeconfig '$kc' -Namespace habits-").Count -gt 0 }
        Get-Completion "Get-IstioInjection -Kubeconfig '$kc' -Namespace habits-" | Should -Be @('habits-a', 'habits-b')
        Get-Completion "Enable-IstioInjection -Kubeconfig '$kc' habits-" | Should -Be @('habits-a', 'habits-b')
        Get-Completion "Get-IstioComponent -Kubeconfig '$kc' -Namespace kube-" | Should -Contain 'kube-system'
    }

    It 'completes contexts from the kubeconfig' {
        # As above: on a loaded machine the first Tab may run out of its 2 s budget, and fills the cache for the next.
        Wait-TestCondition { (Get-Completion "Get-IstioInjection -Kubeconfig '$kc' -Context ").Count -gt 0 }
        Get-Completion "Get-IstioInjection -Kubeconfig '$kc' -Context " | Should -Be @('kubesim')
    }

    It 'completes installed revisions and tags' {
        foreach ($hook in @(@{ name = 'istio-sidecar-injector-canary'; labels = @{ 'istio.io/rev' = 'canary' } }, @{ name = 'istio-revision-tag-stable'; labels = @{ 'istio.io/rev' = 'canary'; 'istio.io/tag' = 'stable' } })) {
            $body = @{ apiVersion = 'admissionregistration.k8s.io/v1'; kind = 'MutatingWebhookConfiguration'; metadata = $hook; webhooks = @() } | ConvertTo-Json -Depth 6
            $null = Invoke-RestMethod -Method Post -Uri "$($cluster.Url)/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations" -Body $body -ContentType 'application/json'
        }
        Get-Completion "Uninstall-Istio -Kubeconfig '$kc' -Revision " | Should -Be @('canary', 'stable')
        Get-Completion "Enable-IstioInjection x -Kubeconfig '$kc' -Revision s" | Should -Be @('stable')
    }

    It 'completes component and workload names for Get-IstioComponent -Name, and pod names with -Pod' {
        Get-Completion "Get-IstioComponent -Kubeconfig '$kc' -Namespace habits-a -Name w" | Should -Be @('web')
        $pods = Get-Completion "Get-IstioComponent -Kubeconfig '$kc' -Namespace habits-a -Pod -Name web-"
        $pods | Should -HaveCount 2
        $pods | ForEach-Object { $_ | Should -BeLike 'web-*' }
    }

    It 'completes versions from the release cache, and latest' {
        $cache = Join-Path (New-TestDirectory) 'cache'
        $null = New-Item -ItemType Directory (Join-Path $cache '1.29.0/istio-1.29.0'), (Join-Path $cache '1.30.3/istio-1.30.3'), (Join-Path $cache '1.4.0')
        Set-Content (Join-Path $cache '1.29.0/release.json') '{"version":"1.29.0","platform":"linux-amd64","sha256":"x"}'
        Set-Content (Join-Path $cache '1.30.3/release.json') '{"version":"1.30.3","platform":"linux-amd64","sha256":"x"}'
        $saved = $env:ISTIOPS_CACHE
        try {
            $env:ISTIOPS_CACHE = $cache
            $versions = Get-Completion 'Install-Istio -Version '
            $versions | Should -Contain 'latest'
            # Newest first; a folder without a saved release (1.4.0) is not offered.
            $versions | Should -Be @('1.30.3', '1.29.0', 'latest')
        }
        finally { $env:ISTIOPS_CACHE = $saved; Remove-Item (Split-Path $cache) -Recurse -Force }
    }

    It 'completes nothing, and throws nothing, when the cluster or the kubeconfig is missing' {
        Get-Completion "Get-IstioInjection -Kubeconfig '/nonexistent/kubeconfig' -Namespace " | Where-Object { $_ -notlike '*/*' } | Should -BeNullOrEmpty
        $dead = Join-Path (New-TestDirectory) 'dead'
        (Get-Content -Raw $kc) -replace 'server: \S+', 'server: http://127.0.0.1:9' | Set-Content $dead
        Get-Completion "Uninstall-Istio -Kubeconfig '$dead' -Revision " | Where-Object { $_ -notlike '*/*' } | Should -BeNullOrEmpty
    }
}

Describe 'kubectl names on the pipeline' {
    It 'takes namespace/x from kubectl get ns -o name as x' {
        $out = @('namespace/habits-b') | Enable-IstioInjection -Kubeconfig $kc -PassThru
        $out.Namespace | Should -Be 'habits-b'
        (Get-IstioInjection habits-b -Kubeconfig $kc).State | Should -Be 'Enabled'
        Disable-IstioInjection 'namespace/habits-b' -Kubeconfig $kc
        (Get-IstioInjection 'namespace/habits-b' -Kubeconfig $kc).State | Should -Be 'NotSet'
    }

    It 'works with the real kubectl' -Skip:(-not $hasKubectl) {
        $names = Invoke-Kubectl $cluster get ns -o name
        $names | Should -Contain 'namespace/habits-a'
        $out = $names | Where-Object { $_ -like 'namespace/habits-*' } | Enable-IstioInjection -Kubeconfig $kc -PassThru
        $out.Namespace | Sort-Object | Should -Be @('habits-a', 'habits-b')
        Disable-IstioInjection habits-a, habits-b -Kubeconfig $kc
    }
}

Describe 'Table views and values' {
    It 'has property names as the headers of every view' {
        [xml]$views = Get-Content -Raw (Join-Path (Split-Path (Get-ModulePath)) 'IstioPS.Format.ps1xml')
        foreach ($view in $views.Configuration.ViewDefinitions.View) {
            $type = Get-ModuleType $view.ViewSelectedBy.TypeName
            $type | Should -Not -BeNullOrEmpty -Because "the view $($view.Name) selects $($view.ViewSelectedBy.TypeName)"
            foreach ($label in $view.TableControl.TableHeaders.TableColumnHeader.Label) {
                $type.GetProperty($label) | Should -Not -BeNullOrEmpty -Because "'$label' is a header of the $($view.Name) view"
            }
        }
    }

    It 'shows PodsNeedingRestart as PodsNeedingRestart' {
        # In an 80-column console too (a CI log, a redirected script): the headers stay on one line.
        $text = Get-IstioInjection -Kubeconfig $kc | Format-Table | Out-String -Width 80
        $text | Should -MatchExactly '(?m)^Namespace\s+Status\s+Age\s+State\s+Revision\s+Pods\s+PodsNeedingRestart$'
        $text | Should -Not -Match 'NEED-RESTART'
    }

    It 'gives Created as a DateTime and Age as a TimeSpan, so sorting by age works' {
        $all = Get-IstioInjection -Kubeconfig $kc
        $all | ForEach-Object { $_.Created | Should -BeOfType [DateTime]; $_.Age | Should -BeOfType [TimeSpan] }
        ($all | Sort-Object Age | Select-Object -First 1).Namespace | Should -Be ($all | Sort-Object Created -Descending | Select-Object -First 1).Namespace
        $component = Get-IstioComponent -Namespace habits-a -Kubeconfig $kc
        $component.Created.Kind | Should -Be 'Utc'
        $component.Age | Should -BeGreaterThan ([TimeSpan]::Zero)
        $component.AgeText | Should -Match '^\d+s$|^\d+m'
    }

    It 'has numbers beside the ready column' {
        $component = Get-IstioComponent -Namespace habits-a -Kubeconfig $kc
        $component.Ready | Should -Be '2/2'
        $component.ReadyReplicas | Should -Be 2
        $component.Replicas | Should -Be 2
        $pods = Get-IstioComponent -Namespace habits-a -Pod -Kubeconfig $kc
        $pods | ForEach-Object { $_.ReadyContainers | Should -Be 1; $_.Containers | Should -Be 1; $_.Ready | Should -Be '1/1' }
        @(Get-IstioComponent -Namespace habits-a -Kubeconfig $kc | Where-Object ReadyReplicas -lt 1) | Should -BeNullOrEmpty
    }
}

Describe 'Help' {
    It 'shows -WhatIf and -Confirm where they apply, and only there' {
        $install = Get-Help Install-Istio -Full
        $install.parameters.parameter.name | Should -Contain 'WhatIf'
        $install.parameters.parameter.name | Should -Contain 'Confirm'
        ($install.syntax | Out-String) | Should -Match '-WhatIf'
        (Get-Help Get-IstioComponent -Full).parameters.parameter.name | Should -Not -Contain 'WhatIf'
    }

    It 'states the default of every parameter' {
        foreach ($name in (Get-Command -Module IstioPS -CommandType Cmdlet).Name) {
            foreach ($p in (Get-Help $name -Full).parameters.parameter) {
                "$($p.defaultValue)" | Should -Not -BeNullOrEmpty -Because "$name -$($p.name) needs a default in its help"
            }
        }
        $timeout = (Get-Help Install-Istio -Full).parameters.parameter | Where-Object name -eq 'Timeout'
        $timeout.defaultValue | Should -Be '00:05:00 (300 seconds)'
        ((Get-Help Install-Istio -Full).parameters.parameter | Where-Object name -eq 'Profile').defaultValue | Should -Be 'default'
        ((Get-Help Install-Istio -Full).parameters.parameter | Where-Object name -eq 'Kubeconfig').defaultValue | Should -BeLike '$env:KUBECONFIG*'
    }

    It 'fills INPUTS and OUTPUTS' {
        $enable = Get-Help Enable-IstioInjection -Full
        ($enable.inputTypes | Out-String) | Should -Match 'System.String\[\]'
        ($enable.inputTypes | Out-String) | Should -Match 'NamespaceInjection'
        ($enable.returnValues | Out-String) | Should -Match 'IstioPS.Engine.Injection.NamespaceInjection'
        ((Get-Help Get-IstioRelease -Full).returnValues | Out-String) | Should -Match 'IstioRelease'
    }

    It 'has an about_IstioPS topic on revisions, profiles, the simulated cluster and CI' {
        $about = Get-Help about_IstioPS | Out-String
        foreach ($topic in 'REVISIONS', 'RELEASES AND PROFILES', 'THE SIMULATED CLUSTER', 'USE IN CI', 'IstioPSCILogging') {
            $about | Should -Match $topic
        }
    }
}
