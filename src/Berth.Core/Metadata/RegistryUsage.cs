namespace Berth.Core.Metadata;

/// <summary>
/// Registry-wide figures: bytes of unique blobs (each counted once), repository count, and bytes held by open upload
/// sessions (received so far, plus what a chunk being streamed has reserved ahead). The allocation covers stored and
/// held bytes together.
/// </summary>
public sealed record RegistryUsage(long StorageUsageBytes, int RepositoryCount, long UploadBytes = 0)
{
    /// <summary>What counts against the allocation.</summary>
    public long TotalBytes => StorageUsageBytes + UploadBytes;
}
