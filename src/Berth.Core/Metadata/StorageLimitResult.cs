namespace Berth.Core.Metadata;

public enum StorageLimitResult
{
    /// <summary>The new allocation is in force.</summary>
    Set,

    /// <summary>The registry stores and holds more than the new allocation; the old one stays.</summary>
    BelowUsage,

    /// <summary>The registry no longer exists.</summary>
    RegistryGone,
}
