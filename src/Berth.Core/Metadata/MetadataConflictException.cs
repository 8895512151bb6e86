namespace Berth.Core.Metadata;

/// <summary>A name that is already taken (project, registry).</summary>
public sealed class MetadataConflictException(string message) : Exception(message);
