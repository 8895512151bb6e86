namespace Berth.Core.Metadata;

/// <summary>How a manifest depends on its parent.</summary>
public enum DependentKind
{
    /// <summary>The parent is an index that lists it (a platform image).</summary>
    Child,

    /// <summary>Its <c>subject</c> is the parent (a signature, an SBOM, an attestation).</summary>
    Referrer,
}
