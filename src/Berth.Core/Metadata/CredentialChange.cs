namespace Berth.Core.Metadata;

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted. A null <see cref="RegistryId"/> means notifications may have been missed.
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);

    /// <summary>
    /// With a <see cref="Generation"/>: until when the previous generation (the password a reset replaced, and its
    /// tokens) still works, when a reset kept it for an overlap; null when it doesn't (a plain reset, or the overlap
    /// revoked early, which announces the unchanged generation with null).
    /// </summary>
    public DateTimeOffset? PreviousValidUntil { get; init; }
}
