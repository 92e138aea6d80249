# Helpers for the Pester suite: a simulated cluster per test file, its request log, and kubectl against it.
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-RepoRoot { $script:RepoRoot }

# Runs a child PowerShell like the current one (the dotnet tool runs as 'dotnet pwsh.dll').
function Invoke-ChildPwsh {
    param([Parameter(Mandatory)][string] $Command)
    $dll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path $dll) { & dotnet $dll -NoProfile -NonInteractive -Command $Command }
    else { & (Get-Process -Id $PID).Path -NoProfile -NonInteractive -Command $Command }
}

function Get-ModulePath { Join-Path $script:RepoRoot 'out/IstioPS/IstioPS.psd1' }

function Get-IstioData {
    $path = if ($env:ISTIOPS_ISTIO_DATA) { $env:ISTIOPS_ISTIO_DATA } else { Join-Path $script:RepoRoot '../shared/istio' }
    if (Test-Path $path) { (Resolve-Path $path).Path } else { $null }
}

function Get-TestIstioRelease {
    $data = Get-IstioData
    if ($data) { Join-Path $data 'releases/istio-1.30.3' } else { $null }
}

function New-TestDirectory {
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "istiops-pester-$([guid]::NewGuid().ToString('n'))"
    (New-Item -ItemType Directory -Path $dir).FullName
}

function Start-TestCluster {
    [CmdletBinding()]
    param(
        [int] $ReadyAfterMs = 100,
        [string] $FailImage,
        [string] $Token,
        [int] $LatencyMs,
        [int] $Nodes,
        [switch] $Tls,
        # Simulate a running istiod (webhook CA bundles, validation failing closed, root-cert ConfigMaps).
        [switch] $Istiod,
        [string] $ServerVersion,
        [string] $User,
        # Deny rules, verbs:resources[:namespaces][@subjects] (subjects: user names, group=name; none: every user).
        [string[]] $Deny,
        [string] $ClientCaFile
    )
    $dll = Join-Path $script:RepoRoot 'out/KubeSim/KubeSim.dll'
    if (-not (Test-Path $dll)) { throw "KubeSim is not built at $dll; run ./build.ps1 first." }
    $dir = New-TestDirectory
    $kubeconfig = Join-Path $dir 'kubeconfig'
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, '--kubeconfig', $kubeconfig, '--ready-after-ms', $ReadyAfterMs)) { $psi.ArgumentList.Add([string]$a) }
    if ($FailImage) { $psi.ArgumentList.Add('--fail-image'); $psi.ArgumentList.Add($FailImage) }
    if ($Token) { $psi.ArgumentList.Add('--token'); $psi.ArgumentList.Add($Token) }
    if ($LatencyMs) { $psi.ArgumentList.Add('--latency-ms'); $psi.ArgumentList.Add([string]$LatencyMs) }
    if ($Nodes) { $psi.ArgumentList.Add('--nodes'); $psi.ArgumentList.Add([string]$Nodes) }
    if ($Tls) { $psi.ArgumentList.Add('--tls') }
    if ($Istiod) { $psi.ArgumentList.Add('--istiod') }
    if ($ServerVersion) { $psi.ArgumentList.Add('--server-version'); $psi.ArgumentList.Add($ServerVersion) }
    if ($User) { $psi.ArgumentList.Add('--user'); $psi.ArgumentList.Add($User) }
    foreach ($rule in $Deny) { $psi.ArgumentList.Add('--deny'); $psi.ArgumentList.Add($rule) }
    if ($ClientCaFile) { $psi.ArgumentList.Add('--client-ca-file'); $psi.ArgumentList.Add($ClientCaFile) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $read = $process.StandardOutput.ReadLineAsync()
    if (-not $read.Wait(30000) -or $read.Result -notmatch '^KubeSim listening on (\S+)') {
        try { $process.Kill() } catch { }
        throw "KubeSim did not start: '$($read.Result)'"
    }
    [pscustomobject]@{
        Process    = $process
        Url        = $Matches[1].TrimEnd('/')
        Kubeconfig = $kubeconfig
        Directory  = $dir
        CacheDir   = Join-Path $dir 'kubectl-cache'
    }
}

# The common start of a test file's BeforeAll: the built module imported and, in the caller's scope, $release (the
# test Istio release, or $null when the data is absent); with -Directory, $dir (a new temporary folder); with -Cluster,
# a started simulated cluster as $cluster and its kubeconfig as $kc (Start-TestCluster's options in -ClusterOptions).
function Initialize-TestFile {
    [CmdletBinding()]
    param([switch] $Directory, [switch] $Cluster, [hashtable] $ClusterOptions = @{})
    Import-Module (Get-ModulePath) -Force -Global
    $variables = $PSCmdlet.SessionState.PSVariable
    $variables.Set('release', (Get-TestIstioRelease))
    if ($Directory) { $variables.Set('dir', (New-TestDirectory)) }
    if ($Cluster) {
        $started = Start-TestCluster @ClusterOptions
        $variables.Set('cluster', $started)
        $variables.Set('kc', $started.Kubeconfig)
    }
}

function Stop-TestCluster {
    param([Parameter(Mandatory)] $Cluster)
    if (-not $Cluster) { return }
    try { $Cluster.Process.StandardInput.Close() } catch { }
    if (-not $Cluster.Process.WaitForExit(5000)) { $Cluster.Process.Kill() }
    Remove-Item $Cluster.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-SimRequest {
    param([Parameter(Mandatory)] $Cluster)
    # Invoke-RestMethod emits a JSON array as one object: unroll it into one entry per request.
    $log = Invoke-RestMethod -Uri "$($Cluster.Url)/_sim/requests" -SkipCertificateCheck
    @($log | ForEach-Object { $_ })
}

# Requests that could change state: neither reads nor dry runs (dryRun=All stores nothing) nor access reviews
# (a SelfSubjectAccessReview is POSTed, answered and stored nowhere).
function Get-SimWrite {
    param([Parameter(Mandatory)] $Cluster)
    @(Get-SimRequest $Cluster | Where-Object {
        $_.method -ne 'GET' -and ($_.query -split '[&?]') -notcontains 'dryRun=All' -and $_.path -notmatch '^/apis/(authorization|authentication)\.k8s\.io/v1/(namespaces/[^/]+/)?[a-z]*reviews$'
    })
}

function Clear-SimRequest {
    param([Parameter(Mandatory)] $Cluster)
    $null = Invoke-RestMethod -Method Delete -Uri "$($Cluster.Url)/_sim/requests" -SkipCertificateCheck
}

function Add-SimFault {
    param([Parameter(Mandatory)] $Cluster, [string] $Method = '*', [Parameter(Mandatory)][string] $PathRegex, [int] $Count = 1, [Parameter(Mandatory)][string] $Kind, [int] $RetryAfterSeconds = 0)
    $body = @{ method = $Method; pathRegex = $PathRegex; count = $Count; kind = $Kind; retryAfterSeconds = $RetryAfterSeconds } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Post -Uri "$($Cluster.Url)/_sim/faults" -Body $body -ContentType 'application/json' -SkipCertificateCheck
}

function Test-Kubectl { [bool](Get-Command kubectl -CommandType Application -ErrorAction SilentlyContinue) }

# A kubeconfig for $Server whose user is $User (YAML lines under "user:").
function New-Kubeconfig([string] $Server, [string] $User, [string] $CaPem, [string] $Directory = (New-TestDirectory)) {
    $ca = if ($CaPem) { "    certificate-authority-data: $([Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes($CaPem)))`n" } else { '' }
    $path = Join-Path $Directory 'kubeconfig'
    Set-Content -LiteralPath $path -NoNewline -Value "apiVersion: v1`nkind: Config`nclusters:`n- name: c`n  cluster:`n    server: $Server`n$($ca)users:`n- name: u`n  user:`n$($User)contexts:`n- name: x`n  context: {cluster: c, user: u}`ncurrent-context: x`n"
    $path
}

function New-Ca([string] $Name) {
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new("CN=$Name", $key, 'SHA256')
    $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509KeyUsageExtension]::new('KeyCertSign, DigitalSignature', $true))
    $now = [DateTimeOffset]::UtcNow
    $req.CreateSelfSigned($now.AddMinutes(-5), $now.AddDays(2))
}

# The "user:" lines of a client certificate for $Name in $Group, signed by $Ca (as kubeadm and kind issue them).
function New-ClientCertUser($Ca, [string] $Name, [string[]] $Group = @()) {
    $key = [System.Security.Cryptography.ECDsa]::Create([System.Security.Cryptography.ECCurve+NamedCurves]::nistP256)
    $dn = [System.Security.Cryptography.X509Certificates.X500DistinguishedNameBuilder]::new()
    foreach ($g in $Group) { $dn.AddOrganizationName($g) }
    $dn.AddCommonName($Name)
    $req = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new($dn.Build(), $key, 'SHA256')
    $eku = [System.Security.Cryptography.OidCollection]::new()
    $null = $eku.Add([System.Security.Cryptography.Oid]::new('1.3.6.1.5.5.7.3.2'))
    $req.CertificateExtensions.Add([System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]::new($eku, $false))
    $now = [DateTimeOffset]::UtcNow
    $cert = $req.Create($Ca, $now.AddMinutes(-5), $now.AddDays(1), [byte[]](1..8))
    $b64 = { param($s) [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes($s)) }
    "    client-certificate-data: $(& $b64 $cert.ExportCertificatePem())`n    client-key-data: $(& $b64 $key.ExportECPrivateKeyPem())`n"
}

# Adds a deny rule to a running cluster (POST /_sim/permissions): verbs:resources[:namespaces][@subjects], for the
# users and groups named there or by -User and -Group (none: every user).
function Add-SimDeny {
    param([Parameter(Mandatory)] $Cluster, [Parameter(Mandatory)][string] $Rule, [string[]] $User = @(), [string[]] $Group = @())
    $body = @{ deny = $Rule; user = @($User); group = @($Group) } | ConvertTo-Json
    $null = Invoke-RestMethod -Method Post -Uri "$($Cluster.Url)/_sim/permissions" -Body $body -ContentType 'application/json' -SkipCertificateCheck
}

# kubectl against the simulated cluster, with its own cache folder; returns the output lines and sets $LASTEXITCODE.
# A plain function, so kubectl's own flags (-o, -n, -L) pass through untouched.
function Invoke-Kubectl {
    $cluster, $arguments = $args
    & kubectl --kubeconfig $cluster.Kubeconfig --cache-dir $cluster.CacheDir @arguments 2>&1 | ForEach-Object { "$_" }
}

# Creates namespaces through the API directly (no kubectl needed).
function New-TestNamespace {
    param([Parameter(Mandatory)] $Cluster, [Parameter(Mandatory)][string[]] $Name, [hashtable] $Labels = @{})
    foreach ($n in $Name) {
        $body = @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $n; labels = $Labels } } | ConvertTo-Json -Depth 5
        $null = Invoke-RestMethod -Method Post -Uri "$($Cluster.Url)/api/v1/namespaces" -Body $body -ContentType 'application/json' -SkipCertificateCheck
    }
}

# Creates a Deployment through the API directly (as a user's own app would be, not by IstioPS).
function New-TestDeployment {
    param([Parameter(Mandatory)] $Cluster, [Parameter(Mandatory)][string] $Namespace, [Parameter(Mandatory)][string] $Name, [int] $Replicas = 1, [hashtable] $PodLabels = @{})
    $labels = @{ app = $Name } + $PodLabels
    $body = @{
        apiVersion = 'apps/v1'; kind = 'Deployment'; metadata = @{ name = $Name }
        spec = @{
            replicas = $Replicas; selector = @{ matchLabels = @{ app = $Name } }
            template = @{ metadata = @{ labels = $labels }; spec = @{ containers = @(@{ name = $Name; image = "example/$($Name):1" }) } }
        }
    } | ConvertTo-Json -Depth 10
    $null = Invoke-RestMethod -Method Post -Uri "$($Cluster.Url)/apis/apps/v1/namespaces/$Namespace/deployments" -Body $body -ContentType 'application/json' -SkipCertificateCheck
}

# Pods of a namespace as the API returns them.
function Get-TestPod {
    param([Parameter(Mandatory)] $Cluster, [Parameter(Mandatory)][string] $Namespace)
    (Invoke-RestMethod -Uri "$($Cluster.Url)/api/v1/namespaces/$Namespace/pods" -SkipCertificateCheck).items
}

# Waits (bounded) until a condition on the cluster holds; for pods created by controllers.
function Wait-TestCondition {
    param([Parameter(Mandatory)][scriptblock] $Condition, [int] $TimeoutSeconds = 20)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while (-not (& $Condition)) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "Condition not met within $TimeoutSeconds s: $Condition" }
        Start-Sleep -Milliseconds 100
    }
}

Export-ModuleMember -Function *
