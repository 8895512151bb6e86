namespace Berth.Core.Metadata;

/// <summary>
/// An image of a registry with its findings by severity: an image manifest, or an index counted over its platform
/// images (each advisory once). <see cref="Tags"/> holds at most a few of its <see cref="TagCount"/> tags.
/// </summary>
public sealed record AffectedImage(string Repository, string Digest, IReadOnlyList<string> Tags, int TagCount, ScanSummary Summary);
