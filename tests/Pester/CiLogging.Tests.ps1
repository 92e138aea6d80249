# CI awareness: with TF_BUILD=True (Azure Pipelines) or GITHUB_ACTIONS=true every error and warning is
# also a logging command, progress is grouped per phase, results become output variables and a summary.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    # Pods become ready 2.5 s after they are created, so an install waits long enough for status lines.
    Initialize-TestFile -Cluster -ClusterOptions @{ ReadyAfterMs = 2500 } -Directory
    $script:ciAssembly = (Get-Command Install-Istio).ImplementingType.Assembly

    # A manifest of one Deployment (and its namespace); the name differs per test so that each install waits.
    function New-AppManifest([string] $Name, [string] $FileName = "$Name.yaml") {
        $path = Join-Path $dir $FileName
        Set-Content -LiteralPath $path @"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $Name
  namespace: ci-apps
spec:
  selector:
    matchLabels: {app: $Name}
  template:
    metadata:
      labels: {app: $Name}
    spec:
      containers:
      - name: $Name
        image: example/$($Name):1.0
"@
        $path
    }

    # Everything a command wrote, by stream; a terminating error ends up in Errors with the rest kept.
    function Invoke-Captured([scriptblock] $Command) {
        $records = [System.Collections.Generic.List[object]]::new()
        try { & $Command *>&1 | ForEach-Object { $records.Add($_) } }
        catch { $records.Add($_) }
        [pscustomobject]@{
            Lines    = @($records | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$($_.MessageData)" })
            Warnings = @($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            Errors   = @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Debug    = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
            Output   = @($records | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] -and $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.DebugRecord] -and $_ -isnot [System.Management.Automation.VerboseRecord] })
        }
    }

    # Installs a bad manifest file; returns the captured run and the (first) problem it reports.
    function Invoke-BadInstall([string] $Path) {
        $run = Invoke-Captured { Install-Istio -LiteralPath $Path -Kubeconfig $kc }
        $run.Errors | Should -HaveCount 1
        $inner = $run.Errors[0].Exception
        [pscustomobject]@{ Lines = $run.Lines; Problem = $(if ($inner.Errors) { $inner.Errors[0] } else { $inner }) }
    }

    # The host lines (Write-Host's stream) a command wrote.
    function Get-HostLine([scriptblock] $Command) { (Invoke-Captured $Command).Lines }

    function Clear-CiEnvironment {
        foreach ($name in 'TF_BUILD', 'GITHUB_ACTIONS', 'GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'AGENT_TEMPDIRECTORY', 'ISTIOPS_STATUS_INTERVAL_SECONDS') {
            Remove-Item "env:$name" -ErrorAction SilentlyContinue
        }
        Remove-Variable IstioPSCILogging -Scope Global -ErrorAction SilentlyContinue
    }
}

AfterAll {
    Clear-CiEnvironment
    Stop-TestCluster $cluster
    Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Escaping of logging commands' {
    It 'escapes Azure Pipelines properties and messages as azure-pipelines-task-lib does' {
        $azure = $ciAssembly.GetType('IstioPS.Ci.AzurePipelinesLog')
        $azure::EscapeProperty("a;b]c%d`re`nf") | Should -BeExactly 'a%3Bb%5Dc%AZP25d%0De%0Af'
        $azure::EscapeData("a;b]c%d`re`nf") | Should -BeExactly 'a;b]c%AZP25d%0De%0Af'
    }

    It 'escapes GitHub Actions properties and messages as @actions/core does' {
        $github = $ciAssembly.GetType('IstioPS.Ci.GitHubActionsLog')
        $github::EscapeProperty("C:\x,y%`r`n") | Should -BeExactly 'C%3A\x%2Cy%25%0D%0A'
        $github::EscapeData("C:\x,y%`r`n") | Should -BeExactly 'C:\x,y%25%0D%0A'
    }
}

Describe 'Azure Pipelines (TF_BUILD=True)' {
    BeforeEach {
        Clear-CiEnvironment
        $env:TF_BUILD = 'True'
        $env:AGENT_TEMPDIRECTORY = $dir
    }
    AfterEach { Clear-CiEnvironment }

    It 'reports each invalid document as an error issue with its file, line and error id, escaped' {
        # A file name with the characters the agent reads as delimiters.
        $bad = Join-Path $dir 'bad;50%].yaml'
        Set-Content -LiteralPath $bad "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: ok`n---`napiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: Bad_Name`n"
        $run = Invoke-BadInstall $bad
        $lines, $problem = $run.Lines, $run.Problem
        # The document that starts on line 6.
        $problem.Location.Line | Should -Be 9   # the line of the bad name, in the second document
        $escapedPath = $bad.Replace('%', '%AZP25').Replace(';', '%3B').Replace(']', '%5D')
        $message = $problem.Message.Replace('%', '%AZP25')
        $issues = @($lines | Where-Object { $_ -like '##vso`[task.logissue*' })
        $issues | Should -HaveCount 1
        $issues[0] | Should -BeExactly "##vso[task.logissue type=error;sourcepath=$escapedPath;linenumber=9;code=$($problem.ErrorId)]$message"
        $message | Should -Match '%AZP25\]\.yaml:9: '
    }

    It 'reports a warning with the calling script and line' {
        New-TestNamespace $cluster -Name 'ci-warn'
        New-TestDeployment $cluster -Namespace 'ci-warn' -Name 'old'
        Wait-TestCondition { @(Get-TestPod $cluster -Namespace 'ci-warn').Count -ge 1 }
        $run = Invoke-Captured { Enable-IstioInjection ci-warn -Kubeconfig $kc } # warning-call
        $lines = $run.Lines
        $warned = $run.Warnings
        $warned | Where-Object Message -like '*keep their old sidecar state*' | Should -HaveCount 1
        $callLine = (Select-String -LiteralPath $PSCommandPath -SimpleMatch '# warning-call' | Select-Object -First 1).LineNumber
        $escapedPath = $PSCommandPath.Replace('%', '%AZP25').Replace(';', '%3B').Replace(']', '%5D')
        # Every warning, and only the warnings, as an issue of the run.
        @($lines | Where-Object { $_ -like '##vso`[task.logissue*' }) | Should -HaveCount $warned.Count
        foreach ($w in $warned) {
            $lines | Should -Contain "##vso[task.logissue type=warning;sourcepath=$escapedPath;linenumber=$callLine]$($w.Message.Replace('%', '%AZP25'))"
        }
    }

    It 'groups phases, reports progress and a status line while waiting, sets output variables and attaches a summary' {
        $env:ISTIOPS_STATUS_INTERVAL_SECONDS = '0.5'
        $app = New-AppManifest 'web1'
        $lines = Get-HostLine { $script:result = Install-Istio -ManifestPath $app -Kubeconfig $kc -Timeout 60 }
        $result.Waited | Should -BeTrue

        $groups = @($lines | Where-Object { $_ -like '##`[group]*' })
        $groups | Should -Contain '##[group]Applying objects'
        $groups | Should -Contain '##[group]Waiting for 1 workloads'
        @($lines | Where-Object { $_ -eq '##[endgroup]' }).Count | Should -Be $groups.Count
        # Groups never nest: begin and end alternate.
        $marks = @($lines | Where-Object { $_ -like '##`[*group]*' } | ForEach-Object { $_ -like '##`[group]*' })
        for ($i = 0; $i -lt $marks.Count; $i++) { $marks[$i] | Should -Be ($i % 2 -eq 0) }

        $progress = @($lines | Where-Object { $_ -like '##vso`[task.setprogress*' })
        $progress | Should -Not -BeNullOrEmpty
        $progress | ForEach-Object { $_ | Should -Match '^##vso\[task\.setprogress value=(\d|[1-9]\d|100);\]\S' }
        $progress[-1] | Should -BeLike '##vso`[task.setprogress value=100;]*'

        $status = @($lines | Where-Object { $_ -like 'IstioPS `[*' })
        $status | Should -Not -BeNullOrEmpty
        $status | ForEach-Object { $_ | Should -Match '^IstioPS \[\d+s\] \S' }
        @($status | Where-Object { $_ -match '^IstioPS \[\d+s\] Waiting for workloads: 0 of 1 ready \(deployment/web1\)$' }).Count | Should -BeGreaterThan 0

        $lines | Should -Contain '##vso[task.setvariable variable=IstioRevision;isOutput=true]default'

        $upload = @($lines | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })
        $upload | Should -HaveCount 1
        $file = $upload[0].Substring('##vso[task.uploadsummary]'.Length)
        $file | Should -BeLike (Join-Path $dir '*.md')
        $markdown = Get-Content -Raw -LiteralPath $file
        $markdown | Should -Match '(?m)^### Install-Istio: succeeded$'
        $markdown | Should -Match '(?m)^\| Namespace \| Revision \| Total \| Created \| Configured \| Unchanged \| Waited \| DurationText \|$'
        $markdown | Should -Match "(?m)^\| $($result.Namespace) \| default \| $($result.Total) \| $($result.Created) \| 0 \| 0 \| True \| $([regex]::Escape($result.DurationText)) \|$"
    }

    It 'sets the ingress gateway address when its load balancer has one' {
        $svc = Join-Path $dir 'gateway.yaml'
        Set-Content -LiteralPath $svc "apiVersion: v1`nkind: Service`nmetadata:`n  name: istio-ingressgateway`n  namespace: istio-system`nspec:`n  type: LoadBalancer`n  selector: {app: none}`n  ports:`n  - port: 80`n"
        $null = Install-Istio -ManifestPath $svc -Kubeconfig $kc 6>$null
        $patch = @{ status = @{ loadBalancer = @{ ingress = @(@{ ip = '203.0.113.7' }) } } } | ConvertTo-Json -Depth 6
        $null = Invoke-RestMethod -Method Patch -Uri "$($cluster.Url)/api/v1/namespaces/istio-system/services/istio-ingressgateway/status" -Body $patch -ContentType 'application/merge-patch+json' -SkipCertificateCheck
        $lines = Get-HostLine { $null = Install-Istio -ManifestPath $svc -Kubeconfig $kc }
        $lines | Should -Contain '##vso[task.setvariable variable=IstioIngressAddress;isOutput=true]203.0.113.7'
    }

    It 'summarises Test-IstioInstallation: its differences, or that there are none' {
        $app = New-AppManifest 'web2'
        $lines = Get-HostLine { $script:diffs = Test-IstioInstallation -ManifestPath $app -Kubeconfig $kc }
        $diffs | Should -Not -BeNullOrEmpty
        $lines | Should -Contain "##vso[task.setvariable variable=IstioDifferences;isOutput=true]$(@($diffs).Count)"
        $file = (@($lines | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })[0]).Substring(25)
        $markdown = Get-Content -Raw -LiteralPath $file
        $markdown | Should -Match '(?m)^\| Problem \| Kind \| Namespace \| Name \| Detail \|$'
        $markdown | Should -Match '(?m)^\| Missing \| Deployment \| ci-apps \| web2 \| '
    }

    It 'summarises Compare-IstioInstallation as a diff table and sets the count of changes' {
        $app = New-AppManifest 'cmp1'
        $null = Install-Istio -ManifestPath $app -Kubeconfig $kc -NoWait 6>$null
        # Nothing to change: the summary says so and the count is 0.
        $lines = Get-HostLine { $script:plan = Compare-IstioInstallation -ManifestPath $app -Kubeconfig $kc }
        $plan | Should -BeNullOrEmpty
        $lines | Should -Contain '##vso[task.setvariable variable=IstioChanges;isOutput=true]0'
        $upload = @($lines | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })
        $upload | Should -HaveCount 1
        $markdown = Get-Content -Raw -LiteralPath $upload[0].Substring('##vso[task.uploadsummary]'.Length)
        $markdown | Should -Match '(?m)^### Compare-IstioInstallation: succeeded$'
        $markdown | Should -Match '(?m)^No differences: the cluster matches the input\.$'

        # A new image: one Configure row naming the field with its old and new values, and a count of 1.
        (Get-Content -Raw $app).Replace('example/cmp1:1.0', 'example/cmp1:2.0') | Set-Content -LiteralPath $app
        $lines = Get-HostLine { $script:plan = Compare-IstioInstallation -ManifestPath $app -Kubeconfig $kc }
        @($plan) | Should -HaveCount 1
        $lines | Should -Contain '##vso[task.setvariable variable=IstioChanges;isOutput=true]1'
        $markdown = Get-Content -Raw -LiteralPath (@($lines | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })[0]).Substring(25)
        $markdown | Should -Match '(?m)^\| Action \| Kind \| Namespace \| Name \| Changes \|$'
        $markdown | Should -Match '(?m)^\| Configure \| Deployment \| ci-apps \| cmp1 \| spec\.template\.spec\.containers\[cmp1\]\.image: example/cmp1:1\.0 -> example/cmp1:2\.0 \|$'
    }

    It 'writes nothing of the kind when $IstioPSCILogging is Off' {
        $global:IstioPSCILogging = 'Off'
        $app = New-AppManifest 'web3'
        $lines = Get-HostLine { $null = Install-Istio -ManifestPath $app -Kubeconfig $kc -Timeout 60 }
        $lines | Where-Object { $_ -like '##*' -or $_ -like 'IstioPS `[*' } | Should -BeNullOrEmpty
    }

    It 'writes nothing of the kind outside CI' {
        Remove-Item env:TF_BUILD
        $bad = Join-Path $dir 'bad2.yaml'
        Set-Content -LiteralPath $bad "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: Bad_Name`n"
        $run = Invoke-BadInstall $bad
        $run.Lines | Where-Object { $_ -like '##*' } | Should -BeNullOrEmpty
    }
}

Describe 'GitHub Actions (GITHUB_ACTIONS=true)' {
    BeforeEach {
        Clear-CiEnvironment
        $env:GITHUB_ACTIONS = 'true'
        $env:GITHUB_OUTPUT = Join-Path $dir 'github-output.txt'
        $env:GITHUB_STEP_SUMMARY = Join-Path $dir 'github-summary.md'
        Set-Content $env:GITHUB_OUTPUT '' -NoNewline
        Set-Content $env:GITHUB_STEP_SUMMARY '' -NoNewline
    }
    AfterEach { Clear-CiEnvironment }

    It 'writes ::error with file, line and title, escaped' {
        $bad = Join-Path $dir 'bad,x.yaml'
        Set-Content -LiteralPath $bad "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: Bad_Name`n"
        $run = Invoke-BadInstall $bad
        $lines, $problem = $run.Lines, $run.Problem
        $file = $bad.Replace('%', '%25').Replace(':', '%3A').Replace(',', '%2C')
        $lines | Should -Contain "::error file=$file,line=4,title=$($problem.ErrorId)::$($problem.Message.Replace('%', '%25'))"
    }

    It 'groups phases and writes outputs and the step summary to their files' {
        $app = New-AppManifest 'web4'
        $lines = Get-HostLine { $null = Install-Istio -ManifestPath $app -Kubeconfig $kc -Timeout 60 }
        $lines | Should -Contain '::group::Applying objects'
        @($lines | Where-Object { $_ -eq '::endgroup::' }).Count | Should -Be @($lines | Where-Object { $_ -like '::group::*' }).Count
        $lines | Where-Object { $_ -like '##*' } | Should -BeNullOrEmpty
        Get-Content $env:GITHUB_OUTPUT | Should -Contain 'IstioRevision=default'
        Get-Content -Raw $env:GITHUB_STEP_SUMMARY | Should -Match '(?m)^### Install-Istio: succeeded$'
    }
}

Describe '-Debug request trace' {
    BeforeAll { Clear-CiEnvironment }

    It 'traces each request like kubectl -v=6: verb, URL, status, duration, and the retry' {
        Add-SimFault $cluster -Method GET -PathRegex '^/api/v1/namespaces$' -Kind Status503 -Count 1
        $debug = (Invoke-Captured { Get-IstioInjection -Kubeconfig $kc -Debug }).Debug
        $base = [regex]::Escape($cluster.Url)
        @($debug | Where-Object { $_ -match "^GET $base/api/v1/namespaces\?limit=\d+ 503 Service Unavailable in \d+ ms, retry 1 in \d+ ms$" }).Count | Should -Be 1
        @($debug | Where-Object { $_ -match "^GET $base/api/v1/namespaces\?limit=\d+ 200 OK in \d+ ms$" }).Count | Should -Be 1
    }

    It 'never shows the bearer token' {
        $secured = Start-TestCluster -Token 'sekrit-token-4711'
        try {
            $debug = (Invoke-Captured { Get-IstioInjection -Kubeconfig $secured.Kubeconfig -Debug }).Debug
            $debug | Should -Not -BeNullOrEmpty
            $debug | Where-Object { $_ -match 'sekrit|Bearer|Authorization' } | Should -BeNullOrEmpty
        }
        finally { Stop-TestCluster $secured }
    }

    It 'writes no debug output without -Debug' {
        $run = Invoke-Captured { Get-IstioInjection -Kubeconfig $kc }
        $run.Output | Should -Not -BeNullOrEmpty
        $run.Debug | Should -BeNullOrEmpty
    }
}
