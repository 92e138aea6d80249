@{
    Synopsis    = 'Lists the installation profiles an Istio release offers and the components each enables.'
    Description = 'Get-IstioProfile reads manifests/profiles of an extracted Istio release and emits one object per profile with its Name, the Components it enables (Base, Pilot, IngressGateways, EgressGateways, Cni, Ztunnel) and the Path of its file.'
    Parameters  = @{
        ReleasePath = 'An extracted Istio release (the folder holding manifests/profiles).'
        Name        = 'Profile names to show. Wildcards are allowed. Default: all.'
    }
    Examples    = @(
        @{
            Code    = 'Get-IstioProfile ./istio-1.30.3'
            Remarks = 'Lists every profile of the release with its components.'
        }
        @{
            Code    = 'Get-IstioProfile ./istio-1.30.3 -Name demo | Select-Object -ExpandProperty Components'
            Remarks = 'Shows the components the demo profile installs.'
        }
    )
}
