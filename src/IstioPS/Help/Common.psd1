@{
    Parameters = @{
        Kubeconfig = 'Path of the kubeconfig file. Default: the first existing file of $env:KUBECONFIG, then ~/.kube/config; inside a pod without either, the in-cluster service account.'
        Context    = 'The kubeconfig context to use. Default: the current-context of the kubeconfig.'
        WhatIf     = 'Shows what would be written, and writes nothing to the cluster.'
        Confirm    = 'Asks for confirmation before each object is written.'
        MaxExtractedSize      = 'The most a downloaded release archive may unpack to, in bytes (2GB by default; hard links count as the copies they become). A larger archive is refused with ArchiveTooLarge before anything is written, and nothing is left in the cache. Raise it only for an archive you trust, for example -MaxExtractedSize 4GB.'
        MaxExtractedFileCount = 'The most files, folders and links a downloaded release archive may hold (100,000 by default). More is refused with ArchiveTooLarge, and nothing is left in the cache.'
    }
}
