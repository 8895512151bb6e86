namespace Berth.Core.Storage;

public sealed record BlobStat(long Size, DateTimeOffset ModifiedAt);
