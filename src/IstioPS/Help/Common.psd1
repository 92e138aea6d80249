@{
    Parameters = @{
        Kubeconfig = 'Path of the kubeconfig file. Default: the first existing file of $env:KUBECONFIG, then ~/.kube/config; inside a pod without either, the in-cluster service account.'
        Context    = 'The kubeconfig context to use. Default: the current-context of the kubeconfig.'
        WhatIf     = 'Shows what would be written, and writes nothing to the cluster.'
        Confirm    = 'Asks for confirmation before anything is written or removed.'
    }
    Defaults   = @{
        Kubeconfig = '$env:KUBECONFIG, then ~/.kube/config, then the in-cluster service account'
        Context    = "the kubeconfig's current-context"
    }
}
