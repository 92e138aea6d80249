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
        'Test-IstioPrerequisite'
        'Compare-IstioInstallation'
        'Uninstall-Istio'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Istio', 'Kubernetes', 'ServiceMesh', 'kubectl', 'DevOps', 'AzureDevOps', 'AKS', 'Helm', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/IstioPS/IstioPS'
            LicenseUri   = 'https://github.com/IstioPS/IstioPS/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0: first release.
- Install-Istio renders Istio's charts and profiles natively (no helm, no istioctl), applies them with
  server-side apply and waits with watches; -WhatIf writes nothing.
- Get-IstioComponent, Get-/Enable-/Disable-IstioInjection, Test-IstioInstallation, Uninstall-Istio,
  Save-/Get-IstioRelease, Export-IstioManifest, Get-IstioProfile.
- In Azure Pipelines and GitHub Actions: errors and warnings in the run's issue list, progress, output
  variables and a Markdown summary ($IstioPSCILogging = 'Off' turns it off).
'@
        }
    }
}
