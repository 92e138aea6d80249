BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
    $script:cmdlets = @(Get-Command -Module IstioPS -CommandType Cmdlet | ForEach-Object Name)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-ModulePath) -Force
}

Describe 'The IstioPS module' {
    It 'exports the cmdlets its manifest lists' {
        $manifest = Import-PowerShellDataFile (Get-ModulePath)
        (Get-Command -Module IstioPS).Name | Sort-Object | Should -Be ($manifest.CmdletsToExport | Sort-Object)
    }

    It 'keeps its dependencies out of the default load context' {
        $default = [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name
        $default | Should -Contain 'IstioPS.Loader'
        $default | Should -Not -Contain 'IstioPS.Engine'
        $default | Should -Not -Contain 'KubernetesClient'
    }

    It 'can be imported again' {
        { Import-Module (Get-ModulePath) -Force } | Should -Not -Throw
        (Get-Command Install-Istio).Module.Name | Should -Be 'IstioPS'
    }
}

Describe '<_> help' -ForEach $cmdlets {
    BeforeAll { $script:help = Get-Help $_ -Full }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+ \['
        ($help.description | Out-String) | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $names = (Get-Command $_).Parameters.Keys | Where-Object { $_ -notin $common }
        foreach ($n in $names) {
            $p = $help.parameters.parameter | Where-Object name -eq $n
            ($p.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$n needs a description"
        }
    }

    It 'has at least one example' {
        @($help.examples.example).Count | Should -BeGreaterThan 0
        $help.examples.example[0].code | Should -Match $_
    }

    It 'declares its output type' {
        (Get-Command $_).OutputType | Should -Not -BeNullOrEmpty
    }
}
