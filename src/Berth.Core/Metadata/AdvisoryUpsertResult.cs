namespace Berth.Core.Metadata;

/// <summary>What one batch of an import changed.</summary>
public sealed record AdvisoryUpsertResult(int Added, int Updated, int Unchanged);
