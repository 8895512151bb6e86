namespace Berth.Core.Metadata;

/// <summary>
/// A registry's recovery bin: binned tags and manifests, and the bytes of the blobs only binned manifests refer to (which
/// still count against the allocation until purged).
/// </summary>
public sealed record BinCounts(int Tags, int Manifests, long Bytes)
{
    public static readonly BinCounts Empty = new(0, 0, 0);
}
