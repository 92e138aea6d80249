#Requires -Version 7.4
<#
.SYNOPSIS
    The timed harness of build.ps1 -Task Bench: IstioPS against kubectl, on the same input and the
    same simulated server (50 or 10 ms added per request where a row says so), in the same process tree.
    Prints every run's figures, never asserts. The big-cluster rows run after it (tests/Bench/ScaleBench.cs).
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [int] $ListNamespaces = 2000,
    # Runs per install row (the pipeline-step and memory rows take 3).
    [int] $InstallRuns = 5,
    # Only these rows (all when empty): install, pipeline, memory, list, import, render, compare.
    [string[]] $Rows = @()
)
$ErrorActionPreference = 'Stop'
$Rows = @($Rows -split ',' | Where-Object { $_ })
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
$hasKubectl = Test-Kubectl
$release = Get-TestIstioRelease
$table = [System.Collections.Generic.List[object]]::new()
function Want([string] $Row) { $Rows.Count -eq 0 -or $Rows -contains $Row }
function Add-Row($Name, $IstioPS, $Kubectl, $Target, $Note) {
    $ratio = if ($IstioPS -and $Kubectl) { '{0:0.0}x' -f ($Kubectl / $IstioPS) } else { '' }
    $table.Add([pscustomobject]@{ Measure = $Name; IstioPS = $IstioPS; kubectl = $Kubectl; 'kubectl/IstioPS' = $ratio; Target = $Target; Note = $Note })
}
function Time([scriptblock] $Block) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $Block | Out-Null; [math]::Round($sw.Elapsed.TotalMilliseconds) }

function Median($values) { ($values | Sort-Object)[[int][math]::Floor(@($values).Count / 2)] }

if ($release -and ((Want install) -or (Want pipeline) -or (Want memory))) {
    $addons = 'prometheus', 'grafana', 'jaeger', 'kiali' | ForEach-Object { "$release/samples/addons/$_.yaml" }
    # What kubectl applies: the demo profile as IstioPS renders it (Istio's CRDs included) and the four addons.
    $work = Join-Path ([System.IO.Path]::GetTempPath()) "istiops-bench-$PID"
    $null = New-Item -ItemType Directory -Path $work -Force
    $rendered = Join-Path $work 'demo.yaml'
    Export-IstioManifest -ReleasePath $release -Profile demo -AsYaml | Set-Content $rendered
    $files = @($rendered) + $addons
    $kargs = @('apply', '--server-side') + ($files | ForEach-Object { '-f', $_ })
    function Install-Mine($Cluster) { Install-Istio -ReleasePath $release -Profile demo -Addon Prometheus, Grafana, Jaeger, Kiali -Kubeconfig $Cluster.Kubeconfig -NoWait }

    # warm up the module's code paths on a throw-away server
    $warm = Start-TestCluster -ReadyAfterMs 10
    $null = Install-Mine $warm
    Stop-TestCluster $warm

    # 1. Istio CRDs + demo profile + 4 addons, installed without waiting, at 50 and 10 ms added per request.
    foreach ($latency in @(if (Want install) { 50, 10 })) {
        $runs = $InstallRuns
        $mine = foreach ($i in 1..$runs) {
            $c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $latency
            $ms = Time { $script:result = Install-Mine $c }
            $requests = Get-SimRequest $c
            $script:perObject = @($requests | Where-Object { -not $_.discovery }).Count / $result.Total
            $script:discovery = @($requests | Where-Object discovery).Count
            Stop-TestCluster $c
            $ms
        }
        $theirs = @()
        if ($hasKubectl) {
            $theirs = foreach ($i in 1..$runs) {
                $k = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $latency
                # the walkthrough: kubectl create namespace istio-system, then kubectl apply --server-side
                Time { Invoke-Kubectl $k create namespace istio-system; Invoke-Kubectl $k @kargs }
                $script:kreq = @(Get-SimRequest $k | Where-Object { -not $_.discovery }).Count
                $script:kfailed = @(Get-SimRequest $k | Where-Object { $_.status -ge 400 }).Count
                Stop-TestCluster $k
            }
        }
        Write-Host ("    install at $latency ms, runs in ms: IstioPS {0}; kubectl {1}" -f ($mine -join ' '), ($theirs -join ' '))
        $target = if ($latency -ge 50) { 'IstioPS <= 1/5 of kubectl' } else { 'IstioPS <= 1/4 of kubectl' }
        Add-Row "Install CRDs + demo + 4 addons ($($result.Total) objects, no wait), $latency ms latency, ms (median of $runs)" (Median $mine) (Median $theirs) $target ("{0:0.00} requests/object after {1} discovery requests; kubectl {2:0.00}, {3} kubectl requests failed" -f $perObject, $discovery, ($kreq / $result.Total), $kfailed)
    }

    # 2. The whole pipeline step in fresh processes at 50 ms: pwsh start, import and install vs the two kubectl processes.
    if (Want pipeline) {
    $list = ($files | ForEach-Object { "'$_'" }) -join ', '
    $runs = 3
    $bare = foreach ($i in 1..$runs) { Time { Invoke-ChildPwsh -Command 'exit 0' } }
    $step = foreach ($i in 1..$runs) {
        $c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs 50
        Time { Invoke-ChildPwsh -Command "Import-Module '$ModulePath'; `$null = Install-Istio -ManifestPath $list -Kubeconfig '$($c.Kubeconfig)' -NoWait" }
        Stop-TestCluster $c
    }
    $kstep = @()
    if ($hasKubectl) {
        $kstep = foreach ($i in 1..$runs) {
            $k = Start-TestCluster -ReadyAfterMs 10 -LatencyMs 50
            Time { Invoke-Kubectl $k create namespace istio-system; Invoke-Kubectl $k @kargs }
            Stop-TestCluster $k
        }
    }
    Write-Host ("    pipeline step at 50 ms, runs in ms: pwsh + IstioPS {0}; kubectl {1}; bare pwsh start {2}" -f ($step -join ' '), ($kstep -join ' '), ($bare -join ' '))
    Add-Row "Pipeline step in fresh processes, 50 ms latency, ms (median of $runs)" (Median $step) (Median $kstep) 'IstioPS faster, pwsh start included' ("a bare 'pwsh -NoProfile' start alone: median {0} ms" -f (Median $bare))
    }

    # 3. Peak working set of a fresh pwsh that installs the demo profile (and waits for it).
    if (Want memory) {
    $runs = 3
    $peaks = foreach ($i in 1..$runs) {
        $c = Start-TestCluster -ReadyAfterMs 10
        $script = "Import-Module '$ModulePath'; `$null = Install-Istio -ReleasePath '$release' -Profile demo -Kubeconfig '$($c.Kubeconfig)'; `$p = [Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh(); [math]::Round(`$p.PeakWorkingSet64 / 1MB)"
        Invoke-ChildPwsh -Command $script | Select-Object -Last 1
        Stop-TestCluster $c
    }
    Write-Host ("    peak working set of a fresh pwsh installing the demo profile, MB: {0}" -f ($peaks -join ' '))
    Add-Row 'Peak working set, fresh pwsh installing the demo profile (waited), MB (median of 3)' (Median $peaks) $null 'IstioPS < 200 MB' 'pwsh itself included'
    }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
elseif (-not $release) { Write-Warning 'Istio data not found: the install figures are skipped.' }

# 3. Get-IstioInjection over 2,000 namespaces (one paged list).
if (Want list) {
$c = Start-TestCluster -ReadyAfterMs 10
New-TestNamespace $c -Name (1..$ListNamespaces | ForEach-Object { 'list-{0:0000}' -f $_ })
$null = Get-IstioInjection -Kubeconfig $c.Kubeconfig
$ms = (1..5 | ForEach-Object { Time { Get-IstioInjection -Kubeconfig $c.Kubeconfig } } | Measure-Object -Minimum).Minimum
$count = @(Get-IstioInjection -Kubeconfig $c.Kubeconfig).Count
$kms = if ($hasKubectl) { Time { Invoke-Kubectl $c get namespace -L istio-injection } } else { $null }
Stop-TestCluster $c
Add-Row "Get-IstioInjection, $count namespaces, ms (best of 5)" $ms $kms 'IstioPS < 300 ms' 'kubectl get namespace -L istio-injection for comparison'
}

# 4. Import-Module over a bare pwsh start.
if (Want import) {
$bare = (1..5 | ForEach-Object { Time { Invoke-ChildPwsh -Command 'exit 0' } } | Measure-Object -Average).Average
$with = (1..5 | ForEach-Object { Time { Invoke-ChildPwsh -Command "Import-Module '$ModulePath'; exit 0" } } | Measure-Object -Average).Average
Add-Row 'Import-Module cost over bare pwsh -NoProfile, ms (mean of 5)' ([math]::Round($with - $bare)) $null 'IstioPS < 300 ms' ("bare {0:0} ms, with import {1:0} ms" -f $bare, $with)
}

# 5. Rendering the default profile in a fresh pwsh: the first call.
if ((Want render) -and $release -and (Get-Command Export-IstioManifest -ErrorAction SilentlyContinue)) {
    $script = "Import-Module '$ModulePath'; `$sw=[Diagnostics.Stopwatch]::StartNew(); `$o = Export-IstioManifest -ReleasePath '$release' -Profile default; `$ms=`$sw.ElapsedMilliseconds; `$p=[Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh(); '{0};{1};{2}' -f `$ms, `$o.Count, [math]::Round(`$p.PeakWorkingSet64/1MB)"
    $line = Invoke-ChildPwsh -Command $script | Select-Object -Last 1
    $first, $objects, $peak = $line -split ';'
    $null = Export-IstioManifest -ReleasePath $release -Profile default
    $warmMs = (1..5 | ForEach-Object { Time { Export-IstioManifest -ReleasePath $release -Profile default } } | Measure-Object -Minimum).Minimum
    Add-Row "Render default profile ($objects objects): first call in a fresh pwsh, ms" ([int]$first) $null 'IstioPS < 1000 ms' "peak working set of that pwsh: $peak MB (target < 150 MB, pwsh itself included)"
    Add-Row "Render default profile ($objects objects): warm, ms (best of 5)" $warmMs $null 'IstioPS < 150 ms' ''
}

# 6. Compare-IstioInstallation of the demo profile against its installed self at 10 ms, next to the install's apply phase
#    (the install's time after its plan, read from its verbose lines; -NoWait, so no readiness wait is counted). Each run:
#    a fresh cluster, the install, the same install waited for (untimed), then the comparison against it.
if ((Want compare) -and $release) {
    $runs = 3
    # warm up the install's and the comparison's code paths on a throw-away server
    $warm = Start-TestCluster -ReadyAfterMs 10
    $null = Install-Istio -ReleasePath $release -Profile demo -Kubeconfig $warm.Kubeconfig -NoWait
    $null = Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $warm.Kubeconfig
    Stop-TestCluster $warm
    $measured = foreach ($i in 1..$runs) {
        $c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs 10
        $log = @(Install-Istio -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig -NoWait -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $planned = [int](($log | Select-String 'Planned after (\d+) ms').Matches[0].Groups[1].Value)
        $done = [int](($log | Select-String 'applied.* after (\d+) ms, \d+ requests').Matches[0].Groups[1].Value)
        # Its installed self: the same install again, waited for (istiod ready and holding its webhooks, as an upgrade renders them), not timed.
        $null = Install-Istio -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig
        $ms = Time { $script:changes = @(Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig) }
        Stop-TestCluster $c
        # Against its installed self nothing should differ: whatever does is named.
        foreach ($change in $changes) { Write-Host ("    run {0}: {1} {2}/{3}: {4}" -f $i, $change.Action, $change.Kind, $change.Name, ($change.Changes -join '; ')) }
        [pscustomobject]@{ Compare = $ms; Apply = $done - $planned; Changes = $changes.Count }
    }
    Write-Host ("    compare at 10 ms, runs in ms: Compare-IstioInstallation {0}; the install's apply phase {1}; ratios {2} (target <= 1.5)" -f
        ($measured.Compare -join ' '), ($measured.Apply -join ' '), (($measured | ForEach-Object { '{0:0.00}' -f ($_.Compare / [math]::Max(1, $_.Apply)) }) -join ' '))
    $cms = Median $measured.Compare
    $apply = Median $measured.Apply
    Add-Row "Compare-IstioInstallation, demo profile against its installed self, 10 ms latency, ms (median of $runs)" $cms $null 'IstioPS <= 1.5x the apply phase' ("apply phase of its install: median {0} ms (ratio {1:0.00}); {2} changes found" -f $apply, ($cms / [math]::Max(1, $apply)), ($measured.Changes -join '/'))
}

$table | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
