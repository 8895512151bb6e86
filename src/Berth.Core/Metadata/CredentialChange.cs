namespace Berth.Core.Metadata;

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted (or when only one of its access tokens was revoked, <see cref="RevokedTokenId"/>, or one of its federation
/// rules deleted, <see cref="DeletedFederationRuleId"/>). A null <see cref="RegistryId"/> means notifications may have
/// been missed. <see cref="PreviousValidUntil"/> is when the previous generation (the password a reset replaced, and its
/// tokens) stops working, when a reset kept it for an overlap; null when it no longer works (a plain reset, or the
/// overlap revoked early).
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);

    /// <summary>Set when one access token of the registry was revoked (the generation is unchanged, and null here).</summary>
    public string? RevokedTokenId { get; init; }

    public static CredentialChange TokenRevoked(string registryId, string tokenId) => new(registryId, null) { RevokedTokenId = tokenId };

    /// <summary>Set when one federation rule of the registry was deleted (the generation is unchanged, and null here).</summary>
    public string? DeletedFederationRuleId { get; init; }

    /// <summary>
    /// With a <see cref="Generation"/>: until when the previous generation (the password a reset replaced, and its
    /// tokens) still works, when a reset kept it for an overlap; null when it doesn't (a plain reset, or the overlap
    /// revoked early, which announces the unchanged generation with null).
    /// </summary>
    public DateTimeOffset? PreviousValidUntil { get; init; }
}
