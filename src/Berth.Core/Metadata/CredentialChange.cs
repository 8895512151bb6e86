namespace Berth.Core.Metadata;

/// <summary>
/// A registry's credential changed: <see cref="Generation"/> is the new generation, or null when the registry was
/// deleted; or, with <see cref="RevokedTokenId"/>, one of its access tokens was revoked. A null
/// <see cref="RegistryId"/> means notifications may have been missed.
/// </summary>
public sealed record CredentialChange(string? RegistryId, long? Generation, string? RevokedTokenId = null)
{
    public static readonly CredentialChange MayHaveMissedChanges = new(null, null);

    public static CredentialChange TokenRevoked(string registryId, string tokenId) => new(registryId, null, tokenId);
}
