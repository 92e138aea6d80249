@{
    RootModule           = 'IstioPS.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6c3f5f0e-5d2b-4c8e-9a4e-2f9b1d7a4c31'
    Author               = 'IstioPS contributors'
    CompanyName          = 'IstioPS'
    Copyright            = '(c) IstioPS contributors. Apache-2.0.'
    Description          = 'Install and run the Istio service mesh on Kubernetes from PowerShell: idempotent, previewable installs, components, sidecar injection.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('IstioPS.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Install-Istio'
        'Get-IstioComponent'
        'Get-IstioInjection'
        'Enable-IstioInjection'
        'Disable-IstioInjection'
        'Save-IstioRelease'
        'Get-IstioRelease'
        'Export-IstioManifest'
        'Get-IstioProfile'
        'Test-IstioInstallation'
        'Compare-IstioInstallation'
        'Uninstall-Istio'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Istio', 'Kubernetes', 'ServiceMesh', 'kubectl', 'DevOps')
            LicenseUri = 'https://www.apache.org/licenses/LICENSE-2.0'
        }
    }
}
