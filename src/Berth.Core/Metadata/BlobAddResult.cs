namespace Berth.Core.Metadata;

public enum BlobAddResult
{
    /// <summary>The blob was new to the registry and is now recorded and linked.</summary>
    Added,

    /// <summary>The registry already held the blob; it is now linked into the repository.</summary>
    AlreadyPresent,

    /// <summary>The blob is new and would exceed the registry's storage limit; nothing was recorded.</summary>
    OverLimit,

    /// <summary>The registry was deleted meanwhile; nothing was recorded.</summary>
    RegistryGone,
}
