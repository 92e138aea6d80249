@{
    Synopsis    = 'Lists the Istio releases in the release cache.'
    Description = @'
Get-IstioRelease emits one object per release that Save-IstioRelease (or Install-Istio -Version) saved into the cache, newest version first: Version, Path (the istio-<version> folder), Platform, Profiles (from manifests/profiles) and Source (Cache). The cache is ~/.istiops/releases, or $env:ISTIOPS_CACHE when set. Only complete, verified releases are listed; work in progress of a running download is not.

A version named without wildcards that is not in the cache is a ReleaseNotCached error.
'@
    Parameters  = @{
        Version = 'Versions to show; wildcards are allowed (1.30.*). Default: all. Takes strings and the Version property of piped objects.'
        Path    = 'The cache folder to list instead of ~/.istiops/releases (or $env:ISTIOPS_CACHE), for example a folder given to Save-IstioRelease -Destination.'
    }
    Examples    = @(
        @{
            Code    = 'Get-IstioRelease'
            Remarks = 'Lists the cached releases with their platform and profiles.'
        }
        @{
            Code    = 'Get-IstioRelease 1.30.* | Select-Object -First 1 -ExpandProperty Path'
            Remarks = 'The folder of the newest cached 1.30 patch release.'
        }
        @{
            Code    = 'Get-IstioRelease -Path ./releases'
            Remarks = 'Lists the releases saved with Save-IstioRelease -Destination ./releases.'
        }
    )
}
