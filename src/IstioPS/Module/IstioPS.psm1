# IstioPS loader: the cmdlets and their dependencies live in a private AssemblyLoadContext
# (IstioPS.Loader.LoadContext), so another module's YamlDotNet or KubernetesClient cannot collide with ours.
$loaderType = 'IstioPS.Loader.LoadContext' -as [type]
$isReload = $null -ne $loaderType
if (-not $isReload) {
    # Assembly.LoadFrom rather than Add-Type: Add-Type costs ~300 ms of start-up on its own.
    $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'IstioPS.Loader.dll'))
}

$cmdletAssembly = [IstioPS.Loader.LoadContext]::Initialize()
$innerModule = Import-Module -Assembly $cmdletAssembly -PassThru

if ($isReload) {
    # On a re-import PowerShell reuses the cached assembly module; re-export its cmdlets from this module.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($cmd in $innerModule.ExportedCmdlets.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmd))
    }
}
