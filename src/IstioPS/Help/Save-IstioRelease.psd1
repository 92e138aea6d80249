@{
    Synopsis    = 'Downloads an Istio release, verifies it against its published SHA-256 checksum and extracts it safely into the per-user release cache.'
    Description = @'
Save-IstioRelease is the PowerShell version of "curl -L https://istio.io/downloadIstio | sh -". It downloads the archive named the way Istio's own download script names it (istio-<version>-linux-amd64.tar.gz, -linux-arm64, -osx, -osx-arm64, or istio-<version>-win.zip) from https://github.com/istio/istio/releases/download/<version>/, checks it against the .sha256 file published beside it, and extracts it into the cache: ~/.istiops/releases/<version>/istio-<version>, or below $env:ISTIOPS_CACHE. It emits the release (Version, Path, Platform, Profiles, Source). A version already in the cache is emitted at once with Source Cache and nothing is downloaded.

The download goes to a work folder inside the cache and appears under its version only when it is complete and verified, by one rename: an interrupted or failed download leaves no half release, and the next call starts clean. Two processes that ask for the same version at once end with one good copy (the second waits for the first and uses its copy). The system proxy settings and $env:HTTPS_PROXY, $env:HTTP_PROXY and $env:NO_PROXY are honoured.

These failures are terminating errors, and nothing is left in the cache: ChecksumMismatch (the archive does not match its .sha256), ChecksumMissing (no .sha256 is published), ArchiveTruncated (the download was cut off or the archive ends early), ArchiveCorrupt, UnsafeArchiveEntry (an entry would escape the release folder: "..", an absolute path, or a link pointing outside), ArchiveLayoutInvalid (no istio-<version>/ folder), ArchiveTooLarge (it would unpack to more than -MaxExtractedSize or hold more entries than -MaxExtractedFileCount: 2 GiB and 100,000 by default). An unknown version is ReleaseNotFound, whose message gives the address tried; no network is NetworkUnavailable, whose message names the versions in the cache. A version that is not x.y.z or latest is InvalidVersion.
'@
    Parameters  = @{
        Version     = 'The Istio version to save, x.y.z (for example 1.30.3; pre-releases like 1.31.0-beta.1 too), or latest for the newest stable release, found through GitHub''s releases API (https://api.github.com/repos/istio/istio/releases, or $env:ISTIOPS_RELEASES_API_URI); drafts and pre-releases are skipped. Takes the Version property of piped objects.'
        Platform    = 'The platform of the archive: linux-amd64, linux-arm64, osx, osx-arm64 or win (a .zip). Default: the platform PowerShell runs on. When a platform is named and the cache holds the version for another platform, that copy is replaced.'
        Destination = 'A folder to use as the release cache instead of ~/.istiops/releases (or $env:ISTIOPS_CACHE). The release lands in <Destination>/<version>/istio-<version>; Get-IstioRelease -Path lists such a folder.'
        BaseUri     = 'A mirror of the release downloads with GitHub''s layout (<BaseUri><version>/istio-<version>-<platform>.tar.gz and its .sha256), for air-gapped sites. Default: $env:ISTIOPS_RELEASE_BASE_URI, else https://github.com/istio/istio/releases/download/.'
        Force       = 'Downloads and extracts the version again even when the cache holds it; the cached copy is replaced only once the new one is complete and verified.'
        WhatIf      = 'Shows what would be downloaded and where, and downloads and writes nothing.'
        Confirm     = 'Asks for confirmation before a download.'
    }
    Examples    = @(
        @{
            Code    = 'Save-IstioRelease -Version 1.30.3'
            Remarks = 'Downloads, verifies and extracts Istio 1.30.3 for this platform into ~/.istiops/releases/1.30.3/istio-1.30.3, or emits the cached copy.'
        }
        @{
            Code    = 'Save-IstioRelease latest | Get-IstioProfile'
            Remarks = 'Saves the newest stable release and lists its profiles.'
        }
        @{
            Code    = 'Save-IstioRelease 1.30.3 -Platform win -BaseUri https://mirror.example.com/istio/ -Destination ./releases'
            Remarks = 'Takes the Windows archive from an internal mirror with GitHub''s layout and saves it below ./releases.'
        }
        @{
            Code    = 'Get-IstioRelease | Save-IstioRelease -Force'
            Remarks = 'Downloads every cached release again, for the same platform.'
        }
    )
}
