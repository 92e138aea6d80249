#Requires -Version 7.4
<#
.SYNOPSIS
    The main job: starts the simulated cluster, installs Istio into it, shows components and injection.
.DESCRIPTION
    Reads Istio's files from $env:ISTIOPS_ISTIO_DATA or ../shared/istio. Run it through
    'dotnet pwsh ./build.ps1 -Task Demo', which builds the module first.
#>
param(
    [Parameter(Mandatory)][string] $ModulePath,
    [Parameter(Mandatory)][string] $KubeSimPath,
    [string] $Profile = 'demo'
)
$ErrorActionPreference = 'Stop'
$root = Split-Path $PSScriptRoot
$data = if ($env:ISTIOPS_ISTIO_DATA) { $env:ISTIOPS_ISTIO_DATA } else { Join-Path $root '../shared/istio' }
$release = Join-Path $data 'releases/istio-1.30.3'
if (-not (Test-Path $release)) { throw "Istio 1.30.3 was not found at $release; set `$env:ISTIOPS_ISTIO_DATA to the folder that holds releases/istio-1.30.3." }

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
    Write-Host "==> $line (simulated Kubernetes API server; kubeconfig: $kubeconfig)"
    $env:KUBECONFIG = $kubeconfig
    Import-Module $ModulePath

    $installCommand = Get-Command Install-Istio
    if ($installCommand.Parameters.ContainsKey('ReleasePath')) {
        Write-Host "==> Install-Istio -ReleasePath $release -Profile $Profile"
        $result = Install-Istio -ReleasePath $release -Profile $Profile
    }
    else {
        Write-Host "==> Install-Istio -ManifestPath <crd-all.gen.yaml>, <samples/addons>"
        $result = Install-Istio -ManifestPath (Join-Path $release 'manifests/charts/base/files/crd-all.gen.yaml'), (Join-Path $release 'samples/addons')
    }
    $result | Format-Table | Out-Host

    Write-Host '==> Get-IstioComponent'
    Get-IstioComponent | Format-Table | Out-Host

    Write-Host '==> Get-IstioComponent -Pod'
    Get-IstioComponent -Pod | Format-Table | Out-Host

    Write-Host '==> Enable-IstioInjection default -PassThru'
    Enable-IstioInjection default -PassThru | Format-Table | Out-Host

    Write-Host '==> Get-IstioInjection'
    Get-IstioInjection | Format-Table | Out-Host

    Write-Host '==> Install-Istio again: every object unchanged'
    if ($installCommand.Parameters.ContainsKey('ReleasePath')) { $again = Install-Istio -ReleasePath $release -Profile $Profile }
    else { $again = Install-Istio -ManifestPath (Join-Path $release 'manifests/charts/base/files/crd-all.gen.yaml'), (Join-Path $release 'samples/addons') }
    $again | Format-Table | Out-Host
}
finally {
    $sim.StandardInput.Close()
    if (-not $sim.WaitForExit(5000)) { $sim.Kill() }
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
