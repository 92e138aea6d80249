# The package task: a .nupkg that Publish-PSResource accepts and Install-PSResource installs from a file
# repository, holding only what runs (and LICENSE); installed into a throw-away HOME, it works against KubeSim.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = Get-RepoRoot
    $script:dir = New-TestDirectory
    $script:packages = Join-Path $dir 'packages'
    $build = Join-Path $root 'build.ps1'
    $script:packageLog = @(Invoke-ChildPwsh "& '$build' -Task Package -NoBuild -PackageOutput '$packages' *>&1 | ForEach-Object { `"`$_`" }; exit [int](-not `$?)")
    $script:packageExit = $LASTEXITCODE
    $script:nupkg = Get-ChildItem $packages -Filter 'IstioPS.*.nupkg' -ErrorAction SilentlyContinue | Select-Object -First 1
}

AfterAll {
    Remove-Item $dir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'build.ps1 -Task Package' {
    It 'writes one IstioPS .nupkg and prints its size' {
        $packageExit | Should -Be 0 -Because ($packageLog -join "`n")
        $nupkg | Should -Not -BeNullOrEmpty
        $manifest = Import-PowerShellDataFile (Join-Path $root 'IstioPS.psd1')
        $nupkg.Name | Should -Be "IstioPS.$($manifest.ModuleVersion).nupkg"
        $sizeLine = "    package: $($nupkg.FullName) ({0:N1} MB)" -f ($nupkg.Length / 1MB)
        $packageLog | Should -Contain $sizeLine
    }

    It 'holds only what runs, LICENSE and the help, and no build leftovers' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg.FullName)
        try { $entries = @($zip.Entries | ForEach-Object FullName) }
        finally { $zip.Dispose() }
        foreach ($needed in 'IstioPS.psd1', 'IstioPS.psm1', 'IstioPS.Format.ps1xml', 'IstioPS.Loader.dll', 'LICENSE', 'bin/IstioPS.dll', 'bin/IstioPS.Engine.dll', 'bin/KubernetesClient.dll', 'en-US/IstioPS.dll-Help.xml', 'en-US/about_IstioPS.help.txt') {
            $entries | Should -Contain $needed
        }
        $entries | Where-Object { $_ -match '\.(pdb|deps\.json|runtimeconfig\.json)$' } | Should -BeNullOrEmpty
        $entries | Where-Object { $_ -like '*System.Management.Automation*' } | Should -BeNullOrEmpty
    }

    It 'carries what a gallery shows: project, licence, release notes, tags' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg.FullName)
        try {
            $entry = $zip.Entries | Where-Object FullName -eq 'IstioPS.nuspec'
            $reader = [System.IO.StreamReader]::new($entry.Open())
            [xml]$nuspec = $reader.ReadToEnd()
            $reader.Dispose()
        }
        finally { $zip.Dispose() }
        $meta = $nuspec.package.metadata
        $meta.projectUrl | Should -Not -BeNullOrEmpty
        $meta.licenseUrl | Should -Not -BeNullOrEmpty
        $meta.releaseNotes | Should -Match 'Install-Istio'
        $meta.tags -split ' ' | Should -Contain 'Istio'
    }

    It 'installs with Install-PSResource from a file repository into a fresh module path and runs against the simulated cluster' {
        $cluster = Start-TestCluster
        try {
            $home2 = Join-Path $dir 'home'
            # .NET answers LocalApplicationData (PSResourceGet's repository list) only for a folder that exists.
            $null = New-Item -ItemType Directory (Join-Path $home2 '.local/share')
            # A fresh pwsh whose HOME (so its user module path and PSResourceGet's repository list) is empty.
            $script = @"
`$ErrorActionPreference = 'Stop'
`$env:HOME = '$home2'
`$env:XDG_DATA_HOME = '$home2/.local/share'
`$env:PSModulePath = (Join-Path '$home2' '.local/share/powershell/Modules') + [IO.Path]::PathSeparator + `$env:PSModulePath
Register-PSResourceRepository -Name IstioPSTest -Uri '$packages' -Trusted
Install-PSResource IstioPS -Repository IstioPSTest -Scope CurrentUser -TrustRepository -Quiet
Import-Module IstioPS
`$m = Get-Module IstioPS
"module=`$(`$m.ModuleBase)"
"repositories=`$((Get-PSResourceRepository).Uri.LocalPath -join ',')"
Enable-IstioInjection default -Kubeconfig '$($cluster.Kubeconfig)' -PassThru | ForEach-Object { "state=`$(`$_.State)" }
"@
            $out = @(Invoke-ChildPwsh $script 2>&1 | ForEach-Object { "$_" })
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $base = ($out | Where-Object { $_ -like 'module=*' }) -replace '^module=', ''
            $base | Should -BeLike (Join-Path $home2 '*')
            Test-Path (Join-Path $base 'LICENSE') | Should -BeTrue
            # The repository was registered in the throw-away HOME, not in the user's list nor the working folder.
            Test-Path (Join-Path $home2 '.local/share/PSResourceGet/PSResourceRepository.xml') | Should -BeTrue
            Test-Path (Join-Path (Get-Location) 'PSResourceGet') | Should -BeFalse
            $out | Should -Contain 'state=Enabled'
        }
        finally { Stop-TestCluster $cluster }
    }
}
