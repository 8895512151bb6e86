namespace Berth.Core.Metadata;

/// <summary>A tag as cleanup plans with it: the manifest it points at and when it was last pushed (moved).</summary>
public sealed record CleanupTag(string Name, string ManifestDigest, DateTimeOffset PushedAt);
