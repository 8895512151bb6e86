namespace Berth.Core.Metadata;

/// <summary>What "revoke all credentials" did: the registry's new credential generation and the access tokens it revoked.</summary>
public sealed record CredentialsRevocation(long Generation, IReadOnlyList<RegistryTokenRecord> RevokedTokens);
