#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, demonstrates and benchmarks IstioPS.
.DESCRIPTION
    Build  stages an importable module at out/IstioPS (Import-Module ./out/IstioPS) and the simulated
           API server at out/KubeSim.
    Test   builds, runs every xunit project, then Pester (6.2.0, from NuGet) in a child pwsh against
           out/IstioPS, and prints one line "N passed, N failed, N skipped" over both.
    Demo   starts the simulated cluster, installs Istio into it, shows components and injection.
    Bench  runs the timed harness (ratios against kubectl in the same process tree); -BenchRow runs some rows
           alone: kubesim, render, install, pipeline, memory, list, import, compare, pages, injection, enable.
    Package builds, then writes out/packages/IstioPS.<version>.nupkg with PSResourceGet (only what runs,
           and LICENSE; no .pdb), prints its size; ready for a gallery, a file share or an Azure Artifacts feed.
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Package')]
    [string] $Task = 'Build',
    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',
    # Extra arguments for the Pester run (e.g. a file filter), for local use.
    [string[]] $PesterPath,
    # Package: where the .nupkg goes (default out/packages).
    [string] $PackageOutput,
    # Package: use the module already staged at out/IstioPS instead of building first.
    [switch] $NoBuild,
    # Bench: only these rows (all when not given).
    [ValidateSet('kubesim', 'render', 'install', 'pipeline', 'memory', 'list', 'import', 'compare', 'pages', 'injection', 'enable')]
    [string[]] $BenchRow
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3
$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleOut = Join-Path $out 'IstioPS'
$simOut = Join-Path $out 'KubeSim'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

# Runs a program with the arguments as given (a plain function, so '-v' and '-clp:X' reach it untouched).
function Invoke-Native {
    $file, $rest = $args
    & $file @rest
    if ($LASTEXITCODE -ne 0) { throw "'$file $($rest -join ' ')' failed with exit code $LASTEXITCODE." }
}

# The PowerShell running this script, as a command line for child processes (the dotnet tool runs as 'dotnet pwsh.dll').
$pwshDll = Join-Path $PSHOME 'pwsh.dll'
$script:Pwsh = if (Test-Path $pwshDll) { @('dotnet', $pwshDll) } else { @((Get-Process -Id $PID).Path) }

function Get-NuGetRoot {
    if ($env:NUGET_PACKAGES) { return $env:NUGET_PACKAGES }
    $line = & dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0) { throw 'dotnet nuget locals failed.' }
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Invoke-Build {
    Write-Host "==> Build ($Configuration)"
    Invoke-Native dotnet build (Join-Path $root 'IstioPS.sln') '-c' $Configuration '--nologo' '--verbosity' 'quiet' '-clp:ErrorsOnly'
    if (Test-Path $moduleOut) { Remove-Item $moduleOut -Recurse -Force }
    $bin = New-Item -ItemType Directory -Path (Join-Path $moduleOut 'bin') -Force
    $cmdletOut = Join-Path $root "src/IstioPS/bin/$Configuration/net8.0"
    Get-ChildItem $cmdletOut -File | Where-Object { $_.Extension -in '.dll', '.pdb', '.json' } |
        Where-Object { $_.Name -notlike 'System.Management.Automation*' } |
        Copy-Item -Destination $bin
    Copy-Item (Join-Path $root "src/IstioPS.Loader/bin/$Configuration/net8.0/IstioPS.Loader.dll") $moduleOut
    Copy-Item (Join-Path $root 'IstioPS.psd1') $moduleOut
    Copy-Item (Join-Path $root 'src/IstioPS/Module/*') $moduleOut
    New-HelpFile
    if (Test-Path $simOut) { Remove-Item $simOut -Recurse -Force }
    Copy-Item (Join-Path $root "tests/KubeSim/bin/$Configuration/net10.0") $simOut -Recurse
    Write-Host "    module staged at $moduleOut"
}

# MAML help generated from src/IstioPS/Help/*.psd1 and the cmdlets' own parameter metadata, so every
# parameter is documented (the build fails if one has no description).
function New-HelpFile {
    $script = {
        param($ModulePath, $HelpSource, $Target)
        $ErrorActionPreference = 'Stop'
        Import-Module $ModulePath
        $common = Import-PowerShellDataFile (Join-Path $HelpSource 'Common.psd1')
        # WhatIf and Confirm exist only on cmdlets that support ShouldProcess: they are documented there.
        $commonNames = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'
        # The default of every parameter, read from a fresh instance of the cmdlet (Help files may say it better).
        function DefaultOf($cmd, $p, $help) {
            if ($help.Defaults -and $help.Defaults[$p.Name]) { return $help.Defaults[$p.Name] }
            if ($common.Defaults[$p.Name]) { return $common.Defaults[$p.Name] }
            if ($p.ParameterType -eq [switch]) { return 'False' }
            $property = $cmd.ImplementingType.GetProperty($p.Name)
            $value = if ($property) { $property.GetValue([Activator]::CreateInstance($cmd.ImplementingType)) }
            if ($null -eq $value -or ($value -is [array] -and $value.Count -eq 0) -or "$value" -eq '') { return 'None' }
            if ($value -is [TimeSpan]) { return "$value ($($value.TotalSeconds) seconds)" }
            if ($value -is [array]) { return $value -join ', ' }
            "$value"
        }
        function Pipe($p) {
            if ($p.ValueFromPipeline -and $p.ValueFromPipelineByPropertyName) { 'True (ByValue, ByPropertyName)' } elseif ($p.ValueFromPipeline) { 'True (ByValue)' } elseif ($p.ValueFromPipelineByPropertyName) { 'True (ByPropertyName)' } else { 'False' }
        }
        function X([string] $s) { [System.Security.SecurityElement]::Escape($s) }
        function Paras([string] $text) { ($text -split "`n`n" | ForEach-Object { "<maml:para>$(X $_.Trim())</maml:para>" }) -join '' }
        $sb = [System.Text.StringBuilder]::new()
        [void]$sb.AppendLine('<?xml version="1.0" encoding="utf-8"?>')
        [void]$sb.AppendLine('<helpItems schema="maml" xmlns="http://msh">')
        $missing = @()
        foreach ($cmd in Get-Command -Module IstioPS -CommandType Cmdlet | Sort-Object Name) {
            $file = Join-Path $HelpSource "$($cmd.Name).psd1"
            if (-not (Test-Path $file)) { $missing += "$($cmd.Name): no help file"; continue }
            $help = Import-PowerShellDataFile $file
            $descriptions = @{} + $common.Parameters
            foreach ($k in $help.Parameters.Keys) { $descriptions[$k] = $help.Parameters[$k] }
            $params = $cmd.Parameters.Values | Where-Object { $_.Name -notin $commonNames }
            foreach ($p in $params) { if (-not $descriptions[$p.Name]) { $missing += "$($cmd.Name) -$($p.Name): no description" } }
            [void]$sb.AppendLine('<command:command xmlns:maml="http://schemas.microsoft.com/maml/2004/10" xmlns:command="http://schemas.microsoft.com/maml/dev/command/2004/10" xmlns:dev="http://schemas.microsoft.com/maml/dev/2004/10">')
            [void]$sb.AppendLine("<command:details><command:name>$($cmd.Name)</command:name><command:verb>$($cmd.Verb)</command:verb><command:noun>$($cmd.Noun)</command:noun><maml:description>$(Paras $help.Synopsis)</maml:description></command:details>")
            [void]$sb.AppendLine("<maml:description>$(Paras $help.Description)</maml:description>")
            [void]$sb.AppendLine('<command:syntax>')
            foreach ($set in $cmd.ParameterSets) {
                [void]$sb.AppendLine("<command:syntaxItem><maml:name>$($cmd.Name)</maml:name>")
                foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $commonNames }) {
                    $pos = if ($p.Position -ge 0) { $p.Position } else { 'named' }
                    $pipe = Pipe $p
                    $isSwitch = $p.ParameterType -eq [switch]
                    [void]$sb.Append("<command:parameter required=`"$($p.IsMandatory.ToString().ToLower())`" position=`"$pos`" pipelineInput=`"$pipe`" globbing=`"false`"><maml:name>$($p.Name)</maml:name>")
                    if (-not $isSwitch) { [void]$sb.Append("<command:parameterValue required=`"true`">$(X $p.ParameterType.Name)</command:parameterValue>") }
                    [void]$sb.AppendLine('</command:parameter>')
                }
                [void]$sb.AppendLine('</command:syntaxItem>')
            }
            [void]$sb.AppendLine('</command:syntax><command:parameters>')
            foreach ($p in $params | Sort-Object Name) {
                $sets = $p.ParameterSets.Values
                $mandatory = @($sets | Where-Object IsMandatory).Count -gt 0
                $first = @($sets)[0]
                $pos = if ($first.Position -ge 0) { $first.Position } else { 'named' }
                $pipe = Pipe $first
                $glob = [bool]($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
                [void]$sb.Append("<command:parameter required=`"$($mandatory.ToString().ToLower())`" position=`"$pos`" pipelineInput=`"$pipe`" globbing=`"$($glob.ToString().ToLower())`" aliases=`"$(($p.Aliases -join ', '))`"><maml:name>$($p.Name)</maml:name>")
                [void]$sb.Append("<maml:description>$(Paras $descriptions[$p.Name])</maml:description>")
                [void]$sb.Append("<command:parameterValue required=`"true`">$(X $p.ParameterType.Name)</command:parameterValue><dev:type><maml:name>$(X $p.ParameterType.FullName)</maml:name></dev:type>")
                [void]$sb.Append("<dev:defaultValue>$(X (DefaultOf $cmd $p $help))</dev:defaultValue>")
                [void]$sb.AppendLine('</command:parameter>')
            }
            # INPUTS: what the pipeline binds (by value or by property name); OUTPUTS: the [OutputType]s.
            [void]$sb.AppendLine('</command:parameters><command:inputTypes>')
            $piped = @($params | Where-Object { $_.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName } })
            if (-not $piped) { [void]$sb.AppendLine('<command:inputType><dev:type><maml:name>None</maml:name></dev:type><maml:description><maml:para>Nothing is taken from the pipeline.</maml:para></maml:description></command:inputType>') }
            foreach ($p in $piped) {
                $how = @($p.ParameterSets.Values | ForEach-Object { if ($_.ValueFromPipeline) { 'by value' }; if ($_.ValueFromPipelineByPropertyName) { 'by property name' } } | Select-Object -Unique) -join ' and '
                $names = @($p.Name) + @($p.Aliases) -join ', '
                [void]$sb.AppendLine("<command:inputType><dev:type><maml:name>$(X $p.ParameterType.FullName)</maml:name></dev:type><maml:description><maml:para>$(X "Bound $how to -$($p.Name) (property names: $names).")</maml:para></maml:description></command:inputType>")
            }
            [void]$sb.AppendLine('</command:inputTypes><command:returnValues>')
            if (-not $cmd.OutputType) { [void]$sb.AppendLine('<command:returnValue><dev:type><maml:name>None</maml:name></dev:type></command:returnValue>') }
            foreach ($t in $cmd.OutputType) {
                $short = ($t.Name -split '\.')[-1]
                $text = if ($help.Outputs -and $help.Outputs[$short]) { $help.Outputs[$short] } else { "$short objects$(if (@($cmd.OutputType).Count -gt 1) { ', depending on the parameters' }). Their table view shows property names as headers." }
                [void]$sb.AppendLine("<command:returnValue><dev:type><maml:name>$(X $t.Name)</maml:name></dev:type><maml:description><maml:para>$(X $text)</maml:para></maml:description></command:returnValue>")
            }
            [void]$sb.AppendLine('</command:returnValues><command:examples>')
            $i = 0
            foreach ($ex in $help.Examples) {
                $i++
                [void]$sb.AppendLine("<command:example><maml:title>-------------------------- Example $i --------------------------</maml:title><dev:code>$(X $ex.Code)</dev:code><dev:remarks>$(Paras $ex.Remarks)</dev:remarks></command:example>")
            }
            if ($i -eq 0) { $missing += "$($cmd.Name): no example" }
            [void]$sb.AppendLine('</command:examples></command:command>')
        }
        [void]$sb.AppendLine('</helpItems>')
        if ($missing) { throw "Help is incomplete:`n  $($missing -join "`n  ")" }
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Target)
        [System.IO.File]::WriteAllText($Target, $sb.ToString())
        Copy-Item (Join-Path $HelpSource 'about_*.help.txt') (Split-Path $Target)
    }
    $target = Join-Path $moduleOut 'en-US/IstioPS.dll-Help.xml'
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes(
            "& { $script } '$moduleOut' '$(Join-Path $root 'src/IstioPS/Help')' '$target'"))
    Invoke-Native @script:Pwsh '-NoProfile' '-NonInteractive' '-OutputFormat' 'Text' '-EncodedCommand' $encoded
}

# One line per test project and Pester; the summary adds them up.
function Read-Trx([string] $Path) {
    [xml]$trx = Get-Content -Raw $Path
    $c = $trx.TestRun.ResultSummary.Counters
    # xunit's skipped tests are counted in total but not in executed (notExecuted stays 0)
    [pscustomobject]@{ Passed = [int]$c.passed; Failed = [int]$c.failed + [int]$c.error + [int]$c.timeout + [int]$c.aborted; Skipped = [int]$c.total - [int]$c.executed }
}

function Invoke-Test {
    Invoke-Build
    $results = Join-Path $out 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $results
    $totals = [ordered]@{ Passed = 0; Failed = 0; Skipped = 0 }
    $failedRuns = @()
    foreach ($project in Get-ChildItem (Join-Path $root 'tests') -Recurse -Filter '*.Tests.csproj' | Sort-Object Name) {
        Write-Host "==> xunit: $($project.BaseName)"
        $trx = "$($project.BaseName).trx"
        & dotnet test $project.FullName -c $Configuration --no-build --nologo --logger "trx;LogFileName=$trx" --results-directory $results --logger 'console;verbosity=minimal'
        $code = $LASTEXITCODE
        $file = Join-Path $results $trx
        if (-not (Test-Path $file)) { throw "dotnet test for $($project.Name) wrote no results (exit code $code)." }
        $r = Read-Trx $file
        Write-Host ("    {0}: {1} passed, {2} failed, {3} skipped" -f $project.BaseName, $r.Passed, $r.Failed, $r.Skipped)
        foreach ($k in 'Passed', 'Failed', 'Skipped') { $totals[$k] += $r.$k }
        if ($code -ne 0) { $failedRuns += $project.BaseName }
    }

    Write-Host '==> Pester'
    $nuget = Get-NuGetRoot
    $pesterModule = Join-Path $nuget 'pester/6.2.0/tools/Pester.psd1'
    $otherYaml = Join-Path $nuget 'yamldotnet/13.7.1/lib/net6.0/YamlDotNet.dll'
    if (-not (Test-Path $pesterModule) -or -not (Test-Path $otherYaml)) {
        Invoke-Native dotnet restore (Join-Path $root 'tests/Pester/Pester.Download.csproj') '--nologo' '--verbosity' 'quiet'
    }
    $assets = New-Item -ItemType Directory -Force -Path (Join-Path $out 'test-assets')
    Copy-Item $otherYaml $assets
    $pesterJson = Join-Path $results 'pester.json'
    $paths = if ($PesterPath) { $PesterPath } else { @(Join-Path $root 'tests/Pester') }
    $runner = {
        param($PesterModule, $Paths, $ResultFile, $ResultsDir)
        $ProgressPreference = 'SilentlyContinue'
        Import-Module $PesterModule -MinimumVersion 6.2.0
        $config = New-PesterConfiguration
        $config.Run.Path = $Paths
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Normal'
        $config.TestResult.Enabled = $true
        $config.TestResult.OutputPath = Join-Path $ResultsDir 'pester.xml'
        $r = Invoke-Pester -Configuration $config
        @{ Passed = $r.PassedCount; Failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount; Skipped = $r.SkippedCount + $r.NotRunCount } |
            ConvertTo-Json | Set-Content $ResultFile
    }
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes(
            "& { $runner } '$pesterModule' @('$($paths -join "','")') '$pesterJson' '$results'"))
    # -OutputFormat Text: a redirected child would otherwise write its streams as CLIXML.
    & $script:Pwsh[0] @($script:Pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded
    if (-not (Test-Path $pesterJson)) { throw "Pester wrote no results (exit code $LASTEXITCODE)." }
    $p = Get-Content -Raw $pesterJson | ConvertFrom-Json
    Write-Host ("    Pester: {0} passed, {1} failed, {2} skipped" -f $p.Passed, $p.Failed, $p.Skipped)
    foreach ($k in 'Passed', 'Failed', 'Skipped') { $totals[$k] += $p.$k }

    Write-Host ''
    Write-Host ('{0} passed, {1} failed, {2} skipped' -f $totals.Passed, $totals.Failed, $totals.Skipped)
    if ($totals.Failed -gt 0 -or $failedRuns) { exit 1 }
}

function Invoke-Demo {
    Invoke-Build
    & (Join-Path $root 'tests/Demo.ps1') -ModulePath $moduleOut -KubeSimPath (Join-Path $simOut 'KubeSim.dll')
    if (-not $?) { exit 1 }
}

function Invoke-Bench {
    $Configuration = 'Release'
    Invoke-Build
    Invoke-Native dotnet build (Join-Path $root 'tests/Bench/Bench.csproj') '-c' 'Release' '--nologo' '--verbosity' 'quiet' '-clp:ErrorsOnly'
    $env:ISTIOPS_PWSH = $script:Pwsh -join ' '
    $rowArgs = if ($BenchRow) { '--rows', ($BenchRow -join ',') } else { @() }
    Invoke-Native dotnet (Join-Path $root 'tests/Bench/bin/Release/net10.0/Bench.dll') '--module' $moduleOut '--root' $root @rowArgs
}

# The package holds what runs and nothing else: the manifest, the loader, the views, help, the assemblies
# and LICENSE. No .pdb (symbols: build from source, -Configuration Debug) and no deps.json (the loader
# resolves assemblies from bin/ by name).
function Invoke-Package {
    if (-not $NoBuild) { Invoke-Build }
    if (-not (Test-Path (Join-Path $moduleOut 'IstioPS.psd1'))) { throw "No module staged at $moduleOut; run the Build task first." }
    $packages = if ($PackageOutput) { $PackageOutput } else { Join-Path $out 'packages' }
    $stage = Join-Path ([System.IO.Path]::GetTempPath()) "istiops-package-$PID/IstioPS"
    foreach ($dir in $packages, (Split-Path $stage)) { if (Test-Path $dir) { Remove-Item $dir -Recurse -Force } }
    $null = New-Item -ItemType Directory -Path $packages, (Join-Path $stage 'bin'), (Join-Path $stage 'en-US')
    try {
        Copy-Item (Join-Path $moduleOut '*') $stage -Include '*.psd1', '*.psm1', '*.ps1xml', '*.dll'
        Copy-Item (Join-Path $moduleOut 'bin/*.dll') (Join-Path $stage 'bin')
        Copy-Item (Join-Path $moduleOut 'en-US/*') (Join-Path $stage 'en-US')
        Copy-Item (Join-Path $root 'LICENSE') $stage
        $repo = "IstioPS-local-$PID"
        Register-PSResourceRepository -Name $repo -Uri $packages -Trusted
        try {
            Publish-PSResource -Path $stage -Repository $repo -SkipDependenciesCheck
        }
        finally {
            Unregister-PSResourceRepository -Name $repo
        }
    }
    finally {
        Remove-Item (Split-Path $stage) -Recurse -Force -ErrorAction SilentlyContinue
    }
    Get-ChildItem $packages -Filter *.nupkg | ForEach-Object {
        Write-Host ("    package: {0} ({1:N1} MB)" -f $_.FullName, ($_.Length / 1MB))
    }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Package' { Invoke-Package }
}
