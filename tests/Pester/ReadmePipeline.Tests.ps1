# The README's "Use in Azure DevOps" pipeline, run the way an agent would: the YAML is parsed, the tasks that
# need Azure (AzureCLI@2 with az and kubelogin, KubeloginInstaller, ManualValidation) are skipped, and every
# inline PowerShell step runs in a fresh pwsh with TF_BUILD=True against the simulated cluster, its $(macros)
# expanded and the module installed from a feed (a file repository holding the package this build makes).
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:hasIstio = [bool](Get-IstioData)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = Get-RepoRoot
    $script:dir = New-TestDirectory

    # The YAML block of the README's "Use in Azure DevOps" section.
    $readme = Get-Content -Raw (Join-Path $root 'README.md')
    $section = $readme.Substring($readme.IndexOf('## Use in Azure DevOps'))
    $script:yamlText = [regex]::Match($section, '(?s)```yaml\r?\n(.*?)\r?\n```').Groups[1].Value

    # YamlDotNet from NuGet (the test's own copy, not the module's private one).
    $nuget = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $yamlDll = @((Join-Path $root 'out/test-assets/YamlDotNet.dll'), (Join-Path $nuget 'yamldotnet/13.7.1/lib/net6.0/YamlDotNet.dll')) | Where-Object { Test-Path $_ } | Select-Object -First 1
    Add-Type -Path $yamlDll
    $script:pipeline = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build().Deserialize([string]$yamlText)

    # Every step of every job in order, with the job it belongs to (deployment jobs keep theirs under strategy).
    function Get-PipelineStep($Pipeline) {
        foreach ($stage in $Pipeline['stages']) {
            foreach ($job in $stage['jobs']) {
                $jobName = if ($job['job']) { $job['job'] } else { $job['deployment'] }
                $steps = if ($job['steps']) { $job['steps'] } else { $job['strategy']['runOnce']['deploy']['steps'] }
                foreach ($step in $steps) { [pscustomobject]@{ Stage = $stage['stage']; Job = "$($stage['stage']).$jobName"; Step = $step } }
            }
        }
    }

    # Istio 1.30.3 already in a release cache, as a previous Save-IstioRelease would leave it (no download in tests).
    function New-SeededCache {
        $cache = Join-Path $dir "cache-$([guid]::NewGuid().ToString('n'))"
        $null = New-Item -ItemType Directory (Join-Path $cache '1.30.3')
        $null = New-Item -ItemType SymbolicLink -Path (Join-Path $cache '1.30.3/istio-1.30.3') -Target (Get-TestIstioRelease)
        Set-Content (Join-Path $cache '1.30.3/release.json') '{"version":"1.30.3","platform":"linux-amd64","sha256":"0"}'
        $cache
    }

    # $(name) as the agent expands it; unknown names stay as written.
    function Expand-Macro([string] $Text, [hashtable] $Variables) {
        [regex]::Replace($Text, '\$\(([A-Za-z0-9_.]+)\)', { param($m) if ($Variables.ContainsKey($m.Groups[1].Value)) { $Variables[$m.Groups[1].Value] } else { $m.Value } })
    }
}

AfterAll {
    Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'The README pipeline' {
    It 'has AKS credentials (az aks get-credentials, kubelogin), a plan stage, an approval and the install' {
        $steps = @(Get-PipelineStep $pipeline)
        @($pipeline['stages'] | ForEach-Object { $_['stage'] }) | Should -Be @('Plan', 'Approve', 'Install')
        $cli = @($steps | Where-Object { $_.Step['task'] -eq 'AzureCLI@2' })
        $cli | Should -HaveCount 2
        $cli | ForEach-Object {
            $_.Step['inputs']['inlineScript'] | Should -Match 'az aks get-credentials'
            $_.Step['inputs']['inlineScript'] | Should -Match 'kubelogin convert-kubeconfig'
        }
        $steps | Where-Object { $_.Step['task'] -like 'ManualValidation@*' } | Should -HaveCount 1
        $scripts = { param($Stage) ($steps | Where-Object { $_.Stage -eq $Stage -and $_.Step['pwsh'] } | ForEach-Object { $_.Step['pwsh'] }) -join "`n" }
        & $scripts 'Plan' | Should -Match 'Compare-IstioInstallation'
        & $scripts 'Plan' | Should -Match 'Test-IstioPrerequisite'
        & $scripts 'Plan' | Should -Match 'Install-PSResource IstioPS -Repository feed'
        & $scripts 'Install' | Should -Match 'Install-Istio -Version'
        & $scripts 'Install' | Should -Match 'Install-PSResource IstioPS -Repository feed'
    }

    It 'runs its PowerShell with TF_BUILD=True against the simulated cluster: plan, install, report' -Skip:(-not $hasIstio) {
        # The feed: the package this build makes, in a file repository.
        $feed = Join-Path $dir 'feed'
        $build = Join-Path $root 'build.ps1'
        $log = @(Invoke-ChildPwsh "& '$build' -Task Package -NoBuild -PackageOutput '$feed' *>&1 | ForEach-Object { `"`$_`" }")
        Get-ChildItem $feed -Filter *.nupkg | Should -Not -BeNullOrEmpty -Because ($log -join "`n")

        $cache = New-SeededCache

        $cluster = Start-TestCluster
        try {
            $variables = @{}
            foreach ($key in $pipeline['variables'].Keys) { $variables[$key] = [string]$pipeline['variables'][$key] }
            $variables['feedUri'] = $feed
            $variables['System.AccessToken'] = 'not-a-real-token'
            $ran = [System.Collections.Generic.List[object]]::new()
            $skipped = [System.Collections.Generic.List[string]]::new()
            $jobDirs = @{}
            foreach ($entry in Get-PipelineStep $pipeline) {
                $step = $entry.Step
                if (-not $jobDirs[$entry.Job]) {
                    # A fresh agent per job: its own HOME (module path, repositories) and temp folder, where the
                    # skipped AzureCLI@2 step would have written the kubeconfig.
                    $jobDir = New-Item -ItemType Directory (Join-Path $dir "agent-$($jobDirs.Count)")
                    $null = New-Item -ItemType Directory (Join-Path $jobDir 'temp'), (Join-Path $jobDir 'home/.local/share')
                    Copy-Item $cluster.Kubeconfig (Join-Path $jobDir 'temp/kubeconfig')
                    $jobDirs[$entry.Job] = $jobDir.FullName
                }
                $jobDir = $jobDirs[$entry.Job]
                $variables['Agent.TempDirectory'] = Join-Path $jobDir 'temp'
                if ($step['task']) { $skipped.Add($step['task']); continue }
                $step['pwsh'] | Should -Not -BeNullOrEmpty

                $script = Join-Path $jobDir "step-$($ran.Count).ps1"
                Set-Content $script (Expand-Macro $step['pwsh'] $variables)
                $stepEnv = [ordered]@{
                    TF_BUILD = 'True'; AGENT_TEMPDIRECTORY = $variables['Agent.TempDirectory']; HOME = Join-Path $jobDir 'home'
                    XDG_DATA_HOME = Join-Path $jobDir 'home/.local/share'
                    ISTIOPS_CACHE = $cache; ISTIOPS_STATUS_INTERVAL_SECONDS = '15'
                }
                if ($step['env']) { foreach ($k in $step['env'].Keys) { $stepEnv[$k] = Expand-Macro ([string]$step['env'][$k]) $variables } }
                $prelude = ($stepEnv.GetEnumerator() | ForEach-Object { "`$env:$($_.Key) = '$($_.Value.Replace("'", "''"))'" }) -join "`n"
                $userModules = Join-Path $stepEnv['HOME'] '.local/share/powershell/Modules'
                $out = @(Invoke-ChildPwsh "$prelude`n`$env:PSModulePath = '$userModules' + [IO.Path]::PathSeparator + `$env:PSModulePath`n& '$script'" 2>&1 | ForEach-Object { "$_" })
                $code = $LASTEXITCODE
                $ran.Add([pscustomobject]@{ Stage = $entry.Stage; Name = $step['name']; Output = $out })
                $code | Should -Be 0 -Because "the step '$($step['displayName'])' failed:`n$($out -join "`n")"
                $out | Where-Object { $_ -like '##vso`[task.logissue type=error*' } | Should -BeNullOrEmpty
                # Output variables of a named step, as the agent offers them to later steps: $(name.variable).
                foreach ($line in $out) {
                    if ($step['name'] -and $line -match '^##vso\[task\.setvariable variable=([^;\]]+);isOutput=true\](.*)$') {
                        $variables["$($step['name']).$($Matches[1])"] = $Matches[2]
                    }
                }
            }

            @($skipped | Sort-Object) | Should -Be @('AzureCLI@2', 'AzureCLI@2', 'KubeloginInstaller@0', 'KubeloginInstaller@0', 'ManualValidation@1')
            $ran | Should -HaveCount 3

            $plan = $ran[0].Output
            $planned = $plan | Where-Object { $_ -match '^(\d+) objects would be created, changed, pruned or recreated by Install-Istio 1\.30\.3 \(default\)\.$' }
            $planned | Should -HaveCount 1
            [int]([regex]::Match($planned, '^\d+').Value) | Should -BeGreaterThan 0
            $plan | Should -Contain "##vso[task.setvariable variable=IstioChanges;isOutput=true]$([regex]::Match($planned, '^\d+').Value)"
            # The diff view: one '+' line per object to create (an empty cluster), istiod among them.
            $plan | Where-Object { $_ -match '^\+ deployment\.apps/istiod \(namespace istio-system\)$' } | Should -HaveCount 1
            # Two summaries: the prerequisites (none failed on this cluster), then the plan.
            $uploads = @($plan | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })
            $uploads | Should -HaveCount 2
            Get-Content -Raw $uploads[0].Substring(25) | Should -Match '(?m)^### Test-IstioPrerequisite: succeeded$'
            $summary = Get-Content -Raw $uploads[1].Substring(25)
            $summary | Should -Match '(?m)^### Compare-IstioInstallation: succeeded$'
            $summary | Should -Match '(?m)^\| Create \| Deployment \| istio-system \| istiod \| '

            $install = $ran[1].Output
            $install | Should -Contain '##vso[task.setvariable variable=IstioRevision;isOutput=true]default'
            @($install | Where-Object { $_ -like '##`[group]*' }).Count | Should -BeGreaterThan 1
            @($install | Where-Object { $_ -like '##vso`[task.uploadsummary]*' }) | Should -HaveCount 1
            $summary = Get-Content -Raw (@($install | Where-Object { $_ -like '##vso`[task.uploadsummary]*' })[0].Substring(25))
            $summary | Should -Match '(?m)^### Install-Istio: succeeded$'

            $variables['install.IstioVersion'] | Should -Not -BeNullOrEmpty
            $ran[2].Output | Should -Contain "Istio $($variables['install.IstioVersion']), revision default, is installed."

            # What the pipeline installed is what the plan compared against.
            Import-Module (Get-ModulePath) -Force
            Test-IstioInstallation -ReleasePath (Get-TestIstioRelease) -Profile default -Kubeconfig $cluster.Kubeconfig -Quiet | Should -BeTrue
        }
        finally { Stop-TestCluster $cluster }
    }
}

Describe "The README's first example" {
    It 'runs clean on a cluster: no error, no warning, kube-* and istio-system left alone' -Skip:(-not $hasIstio) {
        $readme = Get-Content -Raw (Join-Path $root 'README.md')
        $example = [regex]::Match($readme, '(?s)```powershell\r?\n(.*?)\r?\n```').Groups[1].Value
        $example | Should -Match '^Install-PSResource IstioPS'
        # The module comes from this build instead of the gallery; the rest runs as written.
        $body = ($example -split '\r?\n' | Select-Object -Skip 1) -join "`n"
        $cluster = Start-TestCluster
        try {
            $script = @"
`$ErrorActionPreference = 'Stop'
`$WarningPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$env:KUBECONFIG = '$($cluster.Kubeconfig)'
`$env:ISTIOPS_CACHE = '$(New-SeededCache)'
Import-Module '$(Get-ModulePath)'
$body
"@
            $out = @(Invoke-ChildPwsh $script 2>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $whatIf = @($out | Where-Object { $_ -like 'What if:*' })
            $whatIf | Should -HaveCount 1
            $whatIf[0] | Should -Match 'namespace/default'
            $out | Where-Object { $_ -match 'kube-|WARNING|Error' } | Should -BeNullOrEmpty
        }
        finally { Stop-TestCluster $cluster }
    }
}
