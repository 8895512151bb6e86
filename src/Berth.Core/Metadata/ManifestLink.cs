namespace Berth.Core.Metadata;

/// <summary>A blob or child manifest a manifest refers to (kept to validate deletes and compute sizes).</summary>
public sealed record ManifestLink(string Digest, bool IsManifest, long Size);
