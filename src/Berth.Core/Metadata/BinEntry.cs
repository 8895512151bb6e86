namespace Berth.Core.Metadata;

/// <summary>A tag (or, with <see cref="Tag"/> null, an untagged manifest) in a registry's recovery bin.</summary>
public sealed record BinEntry(string Repository, string? Tag, string Digest, DateTimeOffset DeletedAt, DateTimeOffset ExpiresAt);
