#Requires -Version 7.4
<#
.SYNOPSIS
    The timed harness of build.ps1 -Task Bench: IstioPS against kubectl, on the same input and the
    same simulated server (10 ms added per request), in the same process tree. Prints figures, never asserts.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [int] $LatencyMs = 10,
    [int] $Namespaces = 500,
    [int] $ListNamespaces = 2000
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../Pester/TestHelpers.psm1') -Force
Import-Module $ModulePath -Force
$hasKubectl = Test-Kubectl
$release = Get-TestIstioRelease
$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row($Name, $IstioPS, $Kubectl, $Target, $Note) {
    $ratio = if ($IstioPS -and $Kubectl) { '{0:0.0}x' -f ($Kubectl / $IstioPS) } else { '' }
    $rows.Add([pscustomobject]@{ Measure = $Name; IstioPS = $IstioPS; kubectl = $Kubectl; 'kubectl/IstioPS' = $ratio; Target = $Target; Note = $Note })
}
function Time([scriptblock] $Block) { $sw = [Diagnostics.Stopwatch]::StartNew(); & $Block | Out-Null; [math]::Round($sw.Elapsed.TotalMilliseconds) }
function Is-Discovery($path) { $path -match '^/(api|apis)(/[^/]+){0,2}$' -or $path -match '^/(version|openapi)' }

# 1. Istio CRDs + the four classic addons: requests per applied object, wall time vs kubectl apply --server-side.
if ($release) {
    $inputs = @("$release/manifests/charts/base/files/crd-all.gen.yaml") + ('prometheus', 'grafana', 'jaeger', 'kiali' | ForEach-Object { "$release/samples/addons/$_.yaml" })
    # warm up the module's code paths on a throw-away server
    $warm = Start-TestCluster -ReadyAfterMs 10
    $null = Install-Istio -ManifestPath $inputs -Kubeconfig $warm.Kubeconfig -NoWait
    Stop-TestCluster $warm

    # Five runs each on fresh servers; the medians are compared (this machine's timings vary from run to run).
    $runs = 5
    $mine = foreach ($i in 1..$runs) {
        $c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $LatencyMs
        $ms = Time { $script:result = Install-Istio -ManifestPath $inputs -Kubeconfig $c.Kubeconfig -NoWait }
        $requests = Get-SimRequest $c
        $script:perObject = @($requests | Where-Object { -not (Is-Discovery $_.path) }).Count / $result.Total
        Stop-TestCluster $c
        $ms
    }
    $ms = ($mine | Sort-Object)[[int][math]::Floor($runs / 2)]
    $kms = $null
    if ($hasKubectl) {
        $theirs = foreach ($i in 1..$runs) {
            $k = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $LatencyMs
            $kargs = @("apply", "--server-side") + ($inputs | ForEach-Object { "-f", $_ })
            # the walkthrough: kubectl create namespace istio-system, then kubectl apply --server-side
            Time { Invoke-Kubectl $k create namespace istio-system; Invoke-Kubectl $k @kargs }
            $script:kreq = @(Get-SimRequest $k | Where-Object { -not (Is-Discovery $_.path) }).Count
            $script:kfailed = @(Get-SimRequest $k | Where-Object { $_.status -ge 400 }).Count
            Stop-TestCluster $k
        }
        $kms = ($theirs | Sort-Object)[[int][math]::Floor($runs / 2)]
    }
    Write-Host ("    install runs, ms: IstioPS {0}; kubectl {1}" -f ($mine -join ' '), ($theirs -join ' '))
    Add-Row "Install 15 CRDs + 4 addons ($($result.Total) objects), ms (median of 5)" $ms $kms 'IstioPS <= 1/3 of kubectl' ("{0:0.00} requests/object after discovery (target <= 1.1); kubectl {1:0.00}, {2} kubectl requests failed" -f $perObject, ($kreq / $result.Total), $kfailed)
}
else { Write-Warning 'Istio data not found: the install figures are skipped.' }

# 2. Enable-IstioInjection over N namespaces from the pipeline vs a loop of kubectl label.
$c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $LatencyMs
$names = 1..$Namespaces | ForEach-Object { 'bench-{0:0000}' -f $_ }
New-TestNamespace $c -Name $names
$ms = Time { $names | Enable-IstioInjection -Kubeconfig $c.Kubeconfig }
$kms = $null
if ($hasKubectl) {
    $kms = Time { foreach ($n in $names) { Invoke-Kubectl $c label namespace $n istio-injection=disabled --overwrite } }
}
Stop-TestCluster $c
Add-Row "Enable-IstioInjection, $Namespaces namespaces, ms" $ms $kms 'IstioPS >= 20x faster' 'pipeline vs loop of kubectl label'

# 3. Get-IstioInjection over 2,000 namespaces (one paged list).
$c = Start-TestCluster -ReadyAfterMs 10
New-TestNamespace $c -Name (1..$ListNamespaces | ForEach-Object { 'list-{0:0000}' -f $_ })
$null = Get-IstioInjection -Kubeconfig $c.Kubeconfig
$ms = (1..5 | ForEach-Object { Time { Get-IstioInjection -Kubeconfig $c.Kubeconfig } } | Measure-Object -Minimum).Minimum
$count = @(Get-IstioInjection -Kubeconfig $c.Kubeconfig).Count
$kms = if ($hasKubectl) { Time { Invoke-Kubectl $c get namespace -L istio-injection } } else { $null }
Stop-TestCluster $c
Add-Row "Get-IstioInjection, $count namespaces, ms (best of 5)" $ms $kms 'IstioPS < 300 ms' 'kubectl get namespace -L istio-injection for comparison'

# 4. Import-Module over a bare pwsh start.
$bare = (1..5 | ForEach-Object { Time { Invoke-ChildPwsh -Command 'exit 0' } } | Measure-Object -Average).Average
$with = (1..5 | ForEach-Object { Time { Invoke-ChildPwsh -Command "Import-Module '$ModulePath'; exit 0" } } | Measure-Object -Average).Average
Add-Row 'Import-Module cost over bare pwsh -NoProfile, ms (mean of 5)' ([math]::Round($with - $bare)) $null 'IstioPS < 300 ms' ("bare {0:0} ms, with import {1:0} ms" -f $bare, $with)

# 5. Rendering the default profile in a fresh pwsh: the first call.
if ($release -and (Get-Command Export-IstioManifest -ErrorAction SilentlyContinue)) {
    $script = "Import-Module '$ModulePath'; `$sw=[Diagnostics.Stopwatch]::StartNew(); `$o = Export-IstioManifest -ReleasePath '$release' -Profile default; `$ms=`$sw.ElapsedMilliseconds; `$p=[Diagnostics.Process]::GetCurrentProcess(); `$p.Refresh(); '{0};{1};{2}' -f `$ms, `$o.Count, [math]::Round(`$p.PeakWorkingSet64/1MB)"
    $line = Invoke-ChildPwsh -Command $script | Select-Object -Last 1
    $first, $objects, $peak = $line -split ';'
    $null = Export-IstioManifest -ReleasePath $release -Profile default
    $warmMs = (1..5 | ForEach-Object { Time { Export-IstioManifest -ReleasePath $release -Profile default } } | Measure-Object -Minimum).Minimum
    Add-Row "Render default profile ($objects objects): first call in a fresh pwsh, ms" ([int]$first) $null 'IstioPS < 1000 ms' "peak working set of that pwsh: $peak MB (target < 150 MB, pwsh itself included)"
    Add-Row "Render default profile ($objects objects): warm, ms (best of 5)" $warmMs $null 'IstioPS < 150 ms' ''
}

# 6. Compare-IstioInstallation of the demo profile against its installed self, next to the install's apply phase
#    (the install's time after its plan, read from its verbose lines; -NoWait, so no readiness wait is counted).
if ($release) {
    $c = Start-TestCluster -ReadyAfterMs 10 -LatencyMs $LatencyMs
    $log = @(Install-Istio -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig -NoWait -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    $planned = [int](($log | Select-String 'Planned after (\d+) ms').Matches[0].Groups[1].Value)
    $done = [int](($log | Select-String 'applied.* after (\d+) ms, \d+ requests').Matches[0].Groups[1].Value)
    $apply = $done - $planned
    $null = Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig
    $compare = foreach ($i in 1..3) { Time { $script:changes = @(Compare-IstioInstallation -ReleasePath $release -Profile demo -Kubeconfig $c.Kubeconfig) } }
    $cms = ($compare | Sort-Object)[1]
    Stop-TestCluster $c
    Add-Row 'Compare-IstioInstallation, demo profile against its installed self, ms (median of 3)' $cms $null 'IstioPS <= 1.5x the apply phase' ("apply phase of its install: {0} ms (ratio {1:0.00}); {2} changes found" -f $apply, ($cms / [math]::Max(1, $apply)), $changes.Count)
}

$rows | Format-Table -AutoSize -Wrap | Out-String -Width 200 | Write-Host
