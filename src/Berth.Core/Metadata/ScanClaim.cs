namespace Berth.Core.Metadata;

/// <summary>A scan a scanner claimed: what it needs to find the image, and the claim that its outcome must carry.</summary>
public sealed record ScanClaim(string ClaimId, string RegistryId, long RepositoryId, string Repository, string ManifestDigest, DateTimeOffset ClaimedAt);
