using System.Text.Json.Nodes;

namespace KubeSim.Api;

/// <summary>One served resource at one group/version, as discovery describes it.</summary>
public sealed class ResourceType
{
    public static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public required string Group { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string Plural { get; init; }
    public string Singular { get; init; } = "";
    public bool Namespaced { get; init; }
    public string[] ShortNames { get; init; } = [];
    public string[] Categories { get; init; } = [];
    public string[] Verbs { get; init; } = AllVerbs;
    /// <summary>Subresources served, e.g. "status", "scale", "log".</summary>
    public string[] Subresources { get; init; } = [];
    /// <summary>Whether metadata.generation is maintained (bumped on spec changes).</summary>
    public bool HasGeneration { get; init; }
    /// <summary>Set for resources a CustomResourceDefinition defines.</summary>
    public bool IsCustom { get; init; }
    /// <summary>The CRD version's openAPIV3Schema (custom resources only).</summary>
    public JsonObject? Schema { get; init; }
    /// <summary>The CRD version's additionalPrinterColumns (custom resources only).</summary>
    public JsonArray? PrinterColumns { get; init; }
    /// <summary>Name of the CRD that defines this resource.</summary>
    public string? CrdName { get; init; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string GroupVersion => ApiVersion;
    public string ListKind => Kind + "List";
    /// <summary>"pods" or "deployments.apps", as error messages name resources.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
    /// <summary>Storage key shared by every version of the same group resource.</summary>
    public string StorageKey => Group + "/" + Plural;
    public bool HasStatus => Subresources.Contains("status");

    /// <summary>customresourcedefinitions.apiextensions.k8s.io itself.</summary>
    public bool IsCrdType => !IsCustom && Group == "apiextensions.k8s.io" && Plural == "customresourcedefinitions";

    public override string ToString() => $"{GroupResource}/{Version}";
}
