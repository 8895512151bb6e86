namespace Berth.Core.Metadata;

/// <summary>A registry access token with the name of its registry, which a client must send as the username.</summary>
public sealed record RegistryTokenCredential(RegistryTokenRecord Token, string RegistryName);
