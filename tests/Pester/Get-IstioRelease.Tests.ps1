BeforeAll {
    # only what is needed from the shared helpers: they also define a Get-IstioRelease function of their own,
    # which would shadow the cmdlet; the cmdlet is called module-qualified below all the same
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Function Get-ModulePath, New-TestDirectory -Force
    Import-Module (Join-Path $PSScriptRoot '../IstioPS.Releases.Tests/PesterSupport.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:server = Start-ReleaseServer
    $script:cache = New-TestDirectory
    $base = "$($server.Url)$(New-ReleaseScenario)/"
    $null = '1.28.9', '1.29.0' | Save-IstioRelease -BaseUri $base -Destination $cache
    # what an interrupted download leaves, and a folder that is not a complete release: neither is listed
    $null = New-Item -ItemType Directory (Join-Path $cache ".partial-1.27.0-$([guid]::NewGuid().ToString('n'))/release/istio-1.27.0")
    $null = New-Item -ItemType Directory (Join-Path $cache '1.26.0/istio-1.26.0')
}

AfterAll {
    Stop-ReleaseServer $server
    Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Get-IstioRelease' {
    It 'declares and emits the cached releases, newest first' {
        (Get-Command IstioPS\Get-IstioRelease).OutputType.Name | Should -Contain 'IstioPS.Engine.Releases.IstioRelease'
        $r = IstioPS\Get-IstioRelease -Path $cache
        $r | Should -HaveCount 2
        $r[0].GetType().FullName | Should -Be 'IstioPS.Engine.Releases.IstioRelease'
        $r.Version | Should -Be @('1.29.0', '1.28.9')
        $r.Source | Select-Object -Unique | Should -Be 'Cache'
        $r[0].Path | Should -Be (Join-Path $cache '1.29.0/istio-1.29.0')
        $r[0].Profiles | Should -Be @('default', 'demo', 'minimal')
        $r[0].Platform | Should -Not -BeNullOrEmpty
    }

    It 'filters by wildcard' {
        (IstioPS\Get-IstioRelease '1.28.*' -Path $cache).Version | Should -Be '1.28.9'
        IstioPS\Get-IstioRelease '2.*' -Path $cache | Should -BeNullOrEmpty
    }

    It 'takes versions from the pipeline, by value and by property name' {
        ('1.28.9' | IstioPS\Get-IstioRelease -Path $cache).Version | Should -Be '1.28.9'
        ([pscustomobject]@{ Version = '1.29.0' } | IstioPS\Get-IstioRelease -Path $cache).Version | Should -Be '1.29.0'
    }

    It 'writes ReleaseNotCached for a version that is not in the cache and goes on' {
        $r = IstioPS\Get-IstioRelease -Version 1.30.99, 1.29.0 -Path $cache -ErrorVariable e -ErrorAction SilentlyContinue
        $r.Version | Should -Be '1.29.0'
        $e | Should -HaveCount 1
        $e[0].FullyQualifiedErrorId | Should -Be 'ReleaseNotCached,IstioPS.Commands.GetIstioReleaseCommand'
        $e[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $e[0].TargetObject | Should -Be '1.30.99'
    }

    It 'lists $env:ISTIOPS_CACHE by default' {
        $env:ISTIOPS_CACHE = $cache
        try { $r = IstioPS\Get-IstioRelease }
        finally { Remove-Item Env:ISTIOPS_CACHE }
        $r.Version | Should -Be @('1.29.0', '1.28.9')
    }

    It 'lists nothing, without error, for an empty cache' {
        $empty = New-TestDirectory
        try {
            IstioPS\Get-IstioRelease -Path $empty -ErrorVariable e | Should -BeNullOrEmpty
            $e | Should -BeNullOrEmpty
        }
        finally { Remove-Item $empty -Recurse -Force }
    }

    It 'shows a table with version, platform, source, profiles and path' {
        IstioPS\Get-IstioRelease 1.29.0 -Path $cache | Out-String | Should -Match 'VERSION\s+PLATFORM\s+SOURCE\s+PROFILES\s+PATH'
    }
}
