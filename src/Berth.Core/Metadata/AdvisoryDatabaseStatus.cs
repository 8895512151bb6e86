namespace Berth.Core.Metadata;

/// <summary>
/// The advisory database as the operator sees it. <see cref="Version"/> moves on with every import that changed
/// something; scans record the version they matched against, so a scan older than it is out of date.
/// </summary>
public sealed record AdvisoryDatabaseStatus(long Version, long AdvisoryCount, DateTimeOffset? LastImportedAt, IReadOnlyList<AdvisorySourceStatus> Sources);
