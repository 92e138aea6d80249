# Pester helpers for Save-IstioRelease and Get-IstioRelease: the fixture release server of this test project
# ("dotnet IstioPS.Releases.Tests.dll serve"), its request log, and a child pwsh that runs one Save-IstioRelease.

function Get-ReleaseServerAssembly {
    $candidates = foreach ($configuration in 'Release', 'Debug') {
        Get-Item (Join-Path $PSScriptRoot "bin/$configuration/net10.0/IstioPS.Releases.Tests.dll") -ErrorAction SilentlyContinue
    }
    if (-not $candidates) {
        & dotnet build $PSScriptRoot -c Release --nologo -v quiet -clp:ErrorsOnly | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "Building $PSScriptRoot failed (exit code $LASTEXITCODE)." }
        return Join-Path $PSScriptRoot 'bin/Release/net10.0/IstioPS.Releases.Tests.dll'
    }
    ($candidates | Sort-Object LastWriteTimeUtc -Descending | Select-Object -First 1).FullName
}

function Start-ReleaseServer {
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.ArgumentList.Add((Get-ReleaseServerAssembly))
    $psi.ArgumentList.Add('serve')
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait(30000) -or $read.Result -notmatch '^ReleaseServer listening on (\S+)') {
        try { $process.Kill() } catch { }
        throw "The release server did not start: '$($read.Result)'"
    }
    [pscustomobject]@{ Process = $process; Url = $Matches[1] }
}

function Stop-ReleaseServer {
    param($Server)
    if (-not $Server) { return }
    try { $Server.Process.StandardInput.Close() } catch { }
    if (-not $Server.Process.WaitForExit(5000)) { $Server.Process.Kill() }
}

# A unique mirror root on the server; a name starting with "slow" sends archives slowly, "cut" cuts the first download off.
function New-ReleaseScenario {
    param([string] $Kind = 's')
    "$Kind-$([guid]::NewGuid().ToString('n'))"
}

function Get-ReleaseServerRequest {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)][string] $Scenario)
    @(Invoke-RestMethod -Uri "$($Server.Url)_requests?scenario=$Scenario")
}

function Get-ReleaseServerArchiveDownload {
    param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)][string] $Scenario)
    @(Get-ReleaseServerRequest $Server $Scenario | Where-Object { $_.Path -match '\.(tar\.gz|zip)$' })
}

# Starts a child pwsh that imports the module and runs one Save-IstioRelease; its output is "<Source> <Version>" or "ERROR <id>".
function Start-SaveProcess {
    param([Parameter(Mandatory)][string] $ModulePath, [Parameter(Mandatory)][string] $Version, [Parameter(Mandatory)][string] $BaseUri, [Parameter(Mandatory)][string] $Destination)
    $script = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath'
try { `$r = Save-IstioRelease -Version '$Version' -BaseUri '$BaseUri' -Destination '$Destination'; "`$(`$r.Source) `$(`$r.Version)" }
catch { "ERROR `$(`$_.FullyQualifiedErrorId)" }
"@
    # this PowerShell again: its own executable, or "dotnet pwsh.dll" when it runs as a dotnet tool
    $exe = (Get-Process -Id $PID).Path
    $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
    if ([System.IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
    foreach ($a in '-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    [System.Diagnostics.Process]::Start($psi)
}

function Wait-SaveProcess {
    param([Parameter(Mandatory)] $Process)
    $out = $Process.StandardOutput.ReadToEndAsync()
    $err = $Process.StandardError.ReadToEndAsync()
    if (-not $Process.WaitForExit(60000)) { $Process.Kill(); throw 'A Save-IstioRelease process did not finish within 60 seconds.' }
    $text = $out.Result.Trim()
    if ($text) { $text } else { "no output; standard error: $($err.Result)" }
}

Export-ModuleMember -Function *
