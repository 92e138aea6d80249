#Requires -Version 7.4
<#
.SYNOPSIS
    The main job, as Istio's classic walkthrough, end to end against the simulated cluster.
.DESCRIPTION
    1. Install-Istio: the demo profile with the four addons (Prometheus, Grafana, Jaeger, Kiali).
    2. The pods listed as they come up while it waits (like kubectl get pods -w), then Test-IstioInstallation.
    3. The default namespace enabled for injection and an app deployed into it: its pods run with the
       sidecar (2/2).
    4. A clean uninstall: injection off (pods restarted without sidecars), Uninstall-Istio -Purge
       (which also removes the app: IstioPS applied it), nothing of Istio left.
    Any step that does not do what it should stops the demo with an error (exit code 1), so CI catches
    a broken main command. Reads Istio's files from $env:ISTIOPS_ISTIO_DATA or ../shared/istio. Run it
    through 'dotnet pwsh ./build.ps1 -Task Demo', which builds the module first.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $KubeSimPath,
    [string] $Profile = 'demo'
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$root = Split-Path $PSScriptRoot
$data = if ($env:ISTIOPS_ISTIO_DATA) { $env:ISTIOPS_ISTIO_DATA } else { Join-Path $root '../shared/istio' }
$release = Join-Path $data 'releases/istio-1.30.3'
if (-not (Test-Path $release)) { throw "Istio 1.30.3 was not found at $release; set `$env:ISTIOPS_ISTIO_DATA to the folder that holds releases/istio-1.30.3." }

function Step([string] $Text) { Write-Host ''; Write-Host "==> $Text" -ForegroundColor Cyan }
function Show { $input | Format-Table -AutoSize | Out-String -Width 160 | ForEach-Object TrimEnd | Write-Host }
function Assert([bool] $Condition, [string] $Message) { if (-not $Condition) { throw "Demo check failed: $Message" } }

$work = Join-Path ([System.IO.Path]::GetTempPath()) "istiops-demo-$PID"
$null = New-Item -ItemType Directory -Force $work
$kubeconfig = Join-Path $work 'kubeconfig'
$psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
foreach ($a in $KubeSimPath, '--kubeconfig', $kubeconfig, '--ready-after-ms', '1500', '--nodes', '2') { $psi.ArgumentList.Add($a) }
$psi.RedirectStandardInput = $true
$psi.RedirectStandardOutput = $true
$psi.UseShellExecute = $false
$sim = [System.Diagnostics.Process]::Start($psi)
try {
    $line = $sim.StandardOutput.ReadLine()
    Write-Host "$line (simulated Kubernetes API server; kubeconfig: $kubeconfig)"
    $env:KUBECONFIG = $kubeconfig
    Import-Module $ModulePath

    $addons = 'Prometheus', 'Grafana', 'Jaeger', 'Kiali'
    Step "Install-Istio -ReleasePath $release -Profile $Profile -Addon $($addons -join ', ')"
    Write-Host 'While it applies and waits, the pods as they come up (like kubectl get pods -n istio-system -w):'
    $install = Start-ThreadJob {
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $using:ModulePath
        Install-Istio -ReleasePath $using:release -Profile $using:Profile -Addon $using:addons -Timeout 5m
    }
    $seen = @{}
    Write-Host ('{0,-44} {1,-6} {2,-18} {3}' -f 'Name', 'Ready', 'Status', 'Age')
    while ($true) {
        $finished = $install.State -in 'Completed', 'Failed', 'Stopped'
        foreach ($pod in @(Get-IstioComponent -Pod -ErrorAction SilentlyContinue)) {
            $state = "$($pod.Ready) $($pod.Status)"
            if ($seen[$pod.Name] -ne $state) {
                $seen[$pod.Name] = $state
                Write-Host ('{0,-44} {1,-6} {2,-18} {3}' -f $pod.Name, $pod.Ready, $pod.Status, $pod.AgeText)
            }
        }
        if ($finished) { break }
        Start-Sleep -Milliseconds 200
    }
    $result = Receive-Job $install -Wait -AutoRemoveJob -ErrorAction Stop
    $result | Show
    Assert ($result.Waited -and $result.Total -gt 0) 'Install-Istio did not wait for the components'
    $pods = @(Get-IstioComponent -Pod)
    $waiting = @($pods | Where-Object { $_.Status -ne 'Running' -or $_.ReadyContainers -lt $_.Containers })
    Assert ($pods.Count -gt 0 -and $waiting.Count -eq 0) "pods not running after the install: $(@($waiting | ForEach-Object Name) -join ', ')"

    Step 'Get-IstioComponent'
    $components = Get-IstioComponent
    $components | Show
    foreach ($expected in 'istiod', 'istio-ingressgateway', 'istio-egressgateway', 'prometheus', 'grafana', 'jaeger', 'kiali') {
        Assert ([bool]($components | Where-Object { $_.Component -eq $expected -or $_.Name -eq $expected })) "no $expected component"
    }

    Step "Test-IstioInstallation -ReleasePath <release> -Profile $Profile -Addon $($addons -join ', ')   # nothing = all is well"
    $differences = @(Test-IstioInstallation -ReleasePath $release -Profile $Profile -Addon $addons)
    $differences | Show
    Assert ($differences.Count -eq 0) "$($differences.Count) differences after the install"
    Write-Host 'No differences: every object is installed as rendered and ready.'

    Step 'Enable-IstioInjection default -PassThru   (kubectl label namespace default istio-injection=enabled)'
    Enable-IstioInjection default -PassThru | Show

    Step 'Deploy an app into it: Install-Istio -ManifestPath helloworld.yaml -Namespace default'
    $app = Join-Path $work 'helloworld.yaml'
    Set-Content $app @'
apiVersion: v1
kind: Service
metadata:
  name: helloworld
  labels: {app: helloworld}
spec:
  selector: {app: helloworld}
  ports:
  - {name: http, port: 5000}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: helloworld-v1
spec:
  replicas: 2
  selector:
    matchLabels: {app: helloworld, version: v1}
  template:
    metadata:
      labels: {app: helloworld, version: v1}
    spec:
      containers:
      - name: helloworld
        image: docker.io/istio/examples-helloworld-v1:1.0
        ports:
        - containerPort: 5000
'@
    Install-Istio -ManifestPath $app -Namespace default | Show

    Step 'Get-IstioComponent -Namespace default -Pod   # 2/2: the app and its istio-proxy sidecar'
    $appPods = @(Get-IstioComponent -Namespace default -Pod)
    $appPods | Show
    Assert (@($appPods | Where-Object { $_.Status -eq 'Running' -and $_.Containers -eq 2 -and $_.ReadyContainers -eq 2 }).Count -eq 2) 'the helloworld pods do not run with the sidecar (expected 2 pods at 2/2)'
    Get-IstioInjection default | Show

    Step 'Clean uninstall: Disable-IstioInjection default -Restart -Wait; Uninstall-Istio -Purge -Confirm:$false'
    Disable-IstioInjection default -Restart -Wait -Timeout 2m
    $noSidecar = @(Get-IstioComponent -Namespace default -Pod | Where-Object { $_.Status -eq 'Running' -and $_.Containers -eq 1 })
    Assert ($noSidecar.Count -eq 2) 'the helloworld pods still have the sidecar after Disable-IstioInjection -Restart -Wait'
    Uninstall-Istio -Purge -Confirm:$false | Show

    Step 'Get-IstioInjection   # istio-system is gone; what IstioPS created is removed'
    $left = @(Get-IstioInjection)
    $left | Show
    Assert (-not ($left | Where-Object Namespace -eq 'istio-system')) 'istio-system is still there after Uninstall-Istio -Purge'
    Write-Host ''
    Write-Host 'Demo complete: installed, verified, used and removed.' -ForegroundColor Green
}
finally {
    $sim.StandardInput.Close()
    if (-not $sim.WaitForExit(5000)) { $sim.Kill() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
