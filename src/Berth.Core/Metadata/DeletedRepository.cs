namespace Berth.Core.Metadata;

/// <summary>A repository deleted by a user whose records are still being purged.</summary>
public sealed record DeletedRepository(long Id, string RegistryId);
