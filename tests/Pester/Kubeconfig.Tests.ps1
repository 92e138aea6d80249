BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
}

Describe 'Kubeconfig credentials are read as kubectl reads them' {
    Context 'tokenFile, exec plugins and a password in the URL (token server)' {
        BeforeAll {
            $script:cluster = Start-TestCluster -Token 's3cret-token'
        }
        AfterAll { Stop-TestCluster $cluster }

        It 'sends the token of tokenFile (a path relative to the kubeconfig), not an anonymous request' {
            $dir = New-TestDirectory
            Set-Content -LiteralPath (Join-Path $dir 'token') -Value 's3cret-token'
            $kc = New-Kubeconfig $cluster.Url "    tokenFile: token`n" -Directory $dir
            Clear-SimRequest $cluster
            (Get-IstioInjection default -Kubeconfig $kc).Namespace | Should -Be 'default'
            (Get-SimRequest $cluster).user | Select-Object -Unique | Should -Be 'kubesim-admin'
        }

        It 'reports a failing exec plugin by its exit code and stderr, not a JSON stack trace' -Skip:($IsWindows) {
            $kc = New-Kubeconfig $cluster.Url "    exec:`n      apiVersion: client.authentication.k8s.io/v1beta1`n      command: sh`n      args: ['-c', 'echo ''corp-login: session expired, run corp-login'' >&2; exit 3']`n"
            $e = { Get-IstioInjection -Kubeconfig $kc } | Should -Throw -ErrorId 'CredentialPluginFailed,IstioPS.Commands.GetIstioInjectionCommand' -PassThru
            $e.CategoryInfo.Category | Should -Be 'SecurityError'
            $e.Exception.Message | Should -Match "credential plugin 'sh' of the kubeconfig user 'u'.* failed with exit code 3: corp-login: session expired, run corp-login"
            $e.Exception.Message | Should -Not -Match 'Json|   at '
        }

        It 'uses the token an exec plugin prints' -Skip:($IsWindows) {
            $json = '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"s3cret-token"}}'
            $kc = New-Kubeconfig $cluster.Url "    exec:`n      apiVersion: client.authentication.k8s.io/v1beta1`n      command: sh`n      args: ['-c', 'printf %s ''$json''']`n"
            (Get-IstioInjection default -Kubeconfig $kc).Namespace | Should -Be 'default'
        }

        It 'never shows a password written in the server URL, in errors, verbose or debug output' {
            $url = $cluster.Url -replace '^http://', 'http://admin:hunter2@'
            $kc = New-Kubeconfig $url "    token: s3cret-token`n"
            $all = Get-IstioInjection default -Kubeconfig $kc -Verbose -Debug *>&1 | Out-String
            $all | Should -Match ([regex]::Escape(($cluster.Url -replace '^http://', '')))
            $all | Should -Not -Match 'hunter2'
            $e = { Get-IstioInjection nope -Kubeconfig $kc -ErrorAction Stop -Verbose 4>$null } | Should -Throw -PassThru
            "$($e.Exception.Message) $($e.TargetObject)" | Should -Not -Match 'hunter2'

            $listener = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0); $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
            $closed = New-Kubeconfig "http://admin:hunter2@127.0.0.1:$port" "    token: x`n"
            $e = { Get-IstioInjection -Kubeconfig $closed } | Should -Throw -ErrorId 'ClusterUnreachable,IstioPS.Commands.GetIstioInjectionCommand' -PassThru
            "$($e.Exception.Message) $($e.TargetObject)" | Should -Not -Match 'hunter2'
        }
    }

    Context 'client certificates (a cluster with a client CA, as kind and kubeadm make)' {
        BeforeAll {
            $script:ca = New-Ca 'kubernetes'
            $caFile = Join-Path (New-TestDirectory) 'ca.crt'
            Set-Content -LiteralPath $caFile -Value $ca.ExportCertificatePem()
            $script:cluster = Start-TestCluster -Tls -ClientCaFile $caFile
            $script:serverCa = (Get-Content -Raw $cluster.Kubeconfig) -match 'certificate-authority-data: (\S+)' | ForEach-Object { [Text.Encoding]::ASCII.GetString([Convert]::FromBase64String($Matches[1])) }
        }
        AfterAll { Stop-TestCluster $cluster }

        It 'authenticates as the certificate''s CN' {
            $kc = New-Kubeconfig $cluster.Url (New-ClientCertUser $ca 'kubernetes-admin' 'system:masters') -CaPem $serverCa
            Clear-SimRequest $cluster
            (Get-IstioInjection default -Kubeconfig $kc).Namespace | Should -Be 'default'
            (Get-SimRequest $cluster).user | Select-Object -Unique | Should -Be 'kubernetes-admin'
        }

        It 'is refused with a certificate of another CA' {
            $kc = New-Kubeconfig $cluster.Url (New-ClientCertUser (New-Ca 'elsewhere') 'mallory') -CaPem $serverCa
            { Get-IstioInjection -Kubeconfig $kc } | Should -Throw -ErrorId 'Unauthorized,IstioPS.Commands.GetIstioInjectionCommand'
        }
    }

    Context '-Timeout covers every request, discovery included' {
        It 'fails within 7 s with -Timeout 5s against a server that accepts connections and never answers' {
            $silent = [System.Net.Sockets.TcpListener]::new([ipaddress]::Loopback, 0)
            $silent.Start() # the kernel accepts connections; nothing ever reads or answers
            try {
                $kc = New-Kubeconfig "http://127.0.0.1:$($silent.LocalEndpoint.Port)" "    token: x`n"
                $file = Join-Path (New-TestDirectory) 'cm.yaml'
                Set-Content -LiteralPath $file -Value "apiVersion: v1`nkind: ConfigMap`nmetadata:`n  name: a`n"
                $clock = [Diagnostics.Stopwatch]::StartNew()
                $e = { Install-Istio -ManifestPath $file -Kubeconfig $kc -Timeout 5s } | Should -Throw -ErrorId 'RequestTimeout,IstioPS.Commands.InstallIstioCommand' -PassThru
                $clock.Elapsed.TotalSeconds | Should -BeLessThan 7
                $e.CategoryInfo.Category | Should -Be 'OperationTimeout'
                $e.Exception.Message | Should -Match 'time limit of 5 s \(-Timeout\)'
            }
            finally { $silent.Stop() }
        }
    }
}
