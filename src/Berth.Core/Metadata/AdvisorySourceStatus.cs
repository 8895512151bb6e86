namespace Berth.Core.Metadata;

/// <summary>Per source: how many advisories it holds, when it was last imported, and the newest OSV <c>modified</c> among them.</summary>
public sealed record AdvisorySourceStatus(string Source, long AdvisoryCount, DateTimeOffset LastImportedAt, DateTimeOffset? NewestModified);
