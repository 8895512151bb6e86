namespace Berth.Core.Metadata;

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted. A null <see cref="RegistryId"/> means notifications may have been missed.
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);
}
