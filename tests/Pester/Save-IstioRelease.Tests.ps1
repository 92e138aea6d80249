BeforeAll {
    # only what is needed from the shared helpers: they also define a Get-IstioRelease function of their own
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Function Get-ModulePath, New-TestDirectory -Force
    Import-Module (Join-Path $PSScriptRoot '../IstioPS.Releases.Tests/PesterSupport.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:server = Start-ReleaseServer
    $script:cmd = 'IstioPS.Commands.SaveIstioReleaseCommand'
}

AfterAll {
    Stop-ReleaseServer $server
}

Describe 'Save-IstioRelease' {
    BeforeEach {
        $script:cache = New-TestDirectory
        $script:scenario = New-ReleaseScenario
        $script:base = "$($server.Url)$scenario/"
    }

    AfterEach {
        Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'declares and emits IstioRelease; a second call comes from the cache without a download' {
        (Get-Command Save-IstioRelease).OutputType.Name | Should -Contain 'IstioPS.Engine.Releases.IstioRelease'
        $r = Save-IstioRelease -Version 1.29.0 -BaseUri $base -Destination $cache
        $r | Should -HaveCount 1
        $r.GetType().FullName | Should -Be 'IstioPS.Engine.Releases.IstioRelease'
        $r.Source | Should -Be 'Download'
        $r.Version | Should -Be '1.29.0'
        $r.Path | Should -Be (Join-Path $cache '1.29.0/istio-1.29.0')
        $r.Profiles | Should -Be @('default', 'demo', 'minimal')
        Test-Path (Join-Path $cache '1.29.0/release.json') | Should -BeTrue

        $again = Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache
        $again.Source | Should -Be 'Cache'
        $again.Path | Should -Be $r.Path
        Get-ReleaseServerArchiveDownload $server $scenario | Should -HaveCount 1
    }

    It 'shows a table with version, platform, source, profiles and path' {
        $text = Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache | Out-String
        $text | Should -Match 'VERSION\s+PLATFORM\s+SOURCE\s+PROFILES\s+PATH'
        $text | Should -Match '1\.29\.0\s+\S+\s+Download\s+default, demo, minimal'
    }

    It 'writes one progress activity with bytes and percentage, and completes it' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Get-ModulePath)'; Save-IstioRelease 1.29.0 -BaseUri '$base' -Destination '$cache'")
            $out = $ps.Invoke()
            $out | Should -HaveCount 1
            $progress = @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
        $progress.Count | Should -BeGreaterThan 1
        $progress.ActivityId | Select-Object -Unique | Should -Be 51
        $progress | Where-Object { $_.StatusDescription -match '\d+(\.\d)? (B|KB|MB) of \d+(\.\d)? (B|KB|MB) \(\d+%\)' } | Should -Not -BeNullOrEmpty
        $progress.PercentComplete | Should -Contain 100
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'completes the progress activity when it fails too' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Get-ModulePath)'; Save-IstioRelease 9.0.1 -BaseUri '$base' -Destination '$cache'")
            $ps.Invoke() | Should -BeNullOrEmpty
            $ps.Streams.Error[0].FullyQualifiedErrorId | Should -Be "ChecksumMismatch,$cmd"
            $progress = @($ps.Streams.Progress)
        }
        finally { $ps.Dispose() }
        $progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'takes versions from the pipeline, by value and by property name' {
        $r = '1.29.0', '1.28.9' | Save-IstioRelease -BaseUri $base -Destination $cache
        $r.Version | Should -Be @('1.29.0', '1.28.9')

        $win = [pscustomobject]@{ Version = '1.29.0'; Platform = 'win' } | Save-IstioRelease -BaseUri $base -Destination $cache
        $win.Platform | Should -Be 'win'
        $win.Source | Should -Be 'Download'

        $again = IstioPS\Get-IstioRelease -Path $cache 1.28.9 | Save-IstioRelease -BaseUri $base -Destination $cache -Force
        $again.Source | Should -Be 'Download'
        $again.Version | Should -Be '1.28.9'
    }

    It 'resolves a relative -Destination against the current location' {
        Push-Location $cache
        try { $r = Save-IstioRelease 1.29.0 -BaseUri $base -Destination ./releases }
        finally { Pop-Location }
        $r.Path | Should -Be (Join-Path $cache 'releases/1.29.0/istio-1.29.0')
        (IstioPS\Get-IstioRelease -Path (Join-Path $cache 'releases')).Version | Should -Be '1.29.0'
    }

    It 'resolves latest to the newest stable release through the releases API' {
        $env:ISTIOPS_RELEASES_API_URI = "$($server.Url)$scenario/api/releases"
        try { $r = Save-IstioRelease latest -BaseUri $base -Destination $cache }
        finally { Remove-Item Env:ISTIOPS_RELEASES_API_URI }
        $r.Version | Should -Be '1.29.0'
    }

    It 'uses $env:ISTIOPS_CACHE and $env:ISTIOPS_RELEASE_BASE_URI' {
        $env:ISTIOPS_CACHE = $cache
        $env:ISTIOPS_RELEASE_BASE_URI = $base
        try { $r = Save-IstioRelease 1.29.0 }
        finally { Remove-Item Env:ISTIOPS_CACHE, Env:ISTIOPS_RELEASE_BASE_URI }
        $r.Path | Should -Be (Join-Path $cache '1.29.0/istio-1.29.0')
        Get-ReleaseServerArchiveDownload $server $scenario | Should -HaveCount 1
    }

    It 'downloads nothing with -WhatIf' {
        Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache -WhatIf | Should -BeNullOrEmpty
        Get-ReleaseServerRequest $server $scenario | Should -BeNullOrEmpty
        @(Get-ChildItem $cache -Force) | Should -BeNullOrEmpty
    }

    It 'says an unknown version does not exist, with the address tried' {
        $e = { Save-IstioRelease 9.9.9 -BaseUri $base -Destination $cache } | Should -Throw -ErrorId "ReleaseNotFound,$cmd" -PassThru
        $e.Exception.Message | Should -BeLike "*does not exist*$($base)9.9.9/istio-9.9.9-*.tar.gz*"
        $e.CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e.TargetObject | Should -Be '9.9.9'
    }

    It 'says the network is unavailable and names the cached versions' {
        $null = Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $e = { Save-IstioRelease 1.30.3 -BaseUri "http://127.0.0.1:$port/" -Destination $cache } | Should -Throw -ErrorId "NetworkUnavailable,$cmd" -PassThru
        $e.Exception.Message | Should -Match 'network is unavailable'
        $e.Exception.Message | Should -Match '1\.29\.0'
        $e.CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'refuses an archive beyond -MaxExtractedSize or -MaxExtractedFileCount, saves nothing, and takes it when they are raised' {
        $e = { Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache -MaxExtractedFileCount 5 } | Should -Throw -ErrorId "ArchiveTooLarge,$cmd" -PassThru
        $e.Exception.Message | Should -Match 'more than 5 entries.*-MaxExtractedFileCount'
        $e.CategoryInfo.Category | Should -Be 'InvalidData'
        $e = { Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache -MaxExtractedSize 100 } | Should -Throw -ErrorId "ArchiveTooLarge,$cmd" -PassThru
        $e.Exception.Message | Should -Match 'more than 100 bytes.*-MaxExtractedSize'
        @(Get-ChildItem $cache -Force | Where-Object Name -ne '.locks') | Should -BeNullOrEmpty
        (Save-IstioRelease 1.29.0 -BaseUri $base -Destination $cache -MaxExtractedSize 1MB -MaxExtractedFileCount 20).Version | Should -Be '1.29.0'
    }

    It 'stops with <Id> for version <Version> and leaves nothing in the cache' -ForEach @(
        @{ Version = '9.0.1'; Id = 'ChecksumMismatch'; Category = 'SecurityError' }
        @{ Version = '9.0.2'; Id = 'ChecksumMissing'; Category = 'SecurityError' }
        @{ Version = '9.0.3'; Id = 'UnsafeArchiveEntry'; Category = 'SecurityError' }
        @{ Version = '9.0.4'; Id = 'UnsafeArchiveEntry'; Category = 'SecurityError' }
        @{ Version = '9.0.5'; Id = 'UnsafeArchiveEntry'; Category = 'SecurityError' }
        @{ Version = '9.0.6'; Id = 'ArchiveTruncated'; Category = 'InvalidData' }
        @{ Version = '9.0.13'; Id = 'ArchiveTooLarge'; Category = 'InvalidData' }
        @{ Version = 'one.two'; Id = 'InvalidVersion'; Category = 'InvalidArgument' }
    ) {
        $e = { Save-IstioRelease $Version -BaseUri $base -Destination $cache } | Should -Throw -ErrorId "$Id,$cmd" -PassThru
        $e.CategoryInfo.Category | Should -Be $Category
        @(Get-ChildItem $cache -Force | Where-Object Name -ne '.locks') | Should -BeNullOrEmpty
        IstioPS\Get-IstioRelease -Path $cache | Should -BeNullOrEmpty
    }

    It 'refuses an unknown platform at binding' {
        { Save-IstioRelease 1.29.0 -Platform solaris -Destination $cache } | Should -Throw -ErrorId 'ParameterArgumentValidationError,IstioPS.Commands.SaveIstioReleaseCommand'
    }

    It 'recovers from a download cut off half way: nothing is kept, the next call starts clean' {
        $cut = New-ReleaseScenario cut
        { Save-IstioRelease 1.29.0 -BaseUri "$($server.Url)$cut/" -Destination $cache } | Should -Throw -ErrorId "ArchiveTruncated,$cmd"
        @(Get-ChildItem $cache -Force | Where-Object Name -ne '.locks') | Should -BeNullOrEmpty
        (Save-IstioRelease 1.29.0 -BaseUri "$($server.Url)$cut/" -Destination $cache).Source | Should -Be 'Download'
    }

    It 'stops at once when the pipeline is stopped mid-download (Ctrl+C), leaving nothing' {
        $slow = New-ReleaseScenario slow
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Get-ModulePath)'; Save-IstioRelease 1.29.0 -BaseUri '$($server.Url)$slow/' -Destination '$cache'")
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not (Get-ChildItem $cache -Filter '.partial-*' -Force -Directory | Where-Object { Get-ChildItem $_.FullName -File })) {
                if ([datetime]::UtcNow -gt $deadline) { throw 'The download never started.' }
                Start-Sleep -Milliseconds 20
            }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.ElapsedMilliseconds | Should -BeLessThan 1000 -Because 'the download is cancelled, not waited for'
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            { $ps.EndInvoke($async) } | Should -Throw
        }
        finally { $ps.Dispose() }
        @(Get-ChildItem $cache -Force | Where-Object Name -ne '.locks') | Should -BeNullOrEmpty
    }

    It 'completes -Version with latest and the cached versions' {
        $null = Save-IstioRelease 1.28.9 -BaseUri $base -Destination $cache
        $env:ISTIOPS_CACHE = $cache
        try {
            $all = (TabExpansion2 -inputScript ($s = 'Save-IstioRelease ') -cursorColumn $s.Length).CompletionMatches.CompletionText
            $some = (TabExpansion2 -inputScript ($s = 'IstioPS\Get-IstioRelease 1.2') -cursorColumn $s.Length).CompletionMatches.CompletionText
        }
        finally { Remove-Item Env:ISTIOPS_CACHE }
        $all | Should -Be @('latest', '1.28.9')
        $some | Should -Be @('1.28.9')
    }

    It 'two processes saving the same version at once end with one good copy and one download' {
        $slow = New-ReleaseScenario slow
        $a = Start-SaveProcess -ModulePath (Get-ModulePath) -Version 1.29.0 -BaseUri "$($server.Url)$slow/" -Destination $cache
        $b = Start-SaveProcess -ModulePath (Get-ModulePath) -Version 1.29.0 -BaseUri "$($server.Url)$slow/" -Destination $cache
        $results = @(Wait-SaveProcess $a; Wait-SaveProcess $b) | Sort-Object
        $results | Should -Be @('Cache 1.29.0', 'Download 1.29.0')
        Get-ReleaseServerArchiveDownload $server $slow | Should -HaveCount 1
        (IstioPS\Get-IstioRelease -Path $cache).Version | Should -Be '1.29.0'
        @(Get-ChildItem $cache -Force | Where-Object Name -ne '.locks').Name | Should -Be '1.29.0'
    }
}
