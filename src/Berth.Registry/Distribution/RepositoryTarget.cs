namespace Berth.Registry.Distribution;

/// <summary>The repository a /v2 request addresses: its registry, the repository inside it, and the name as the client wrote it.</summary>
public sealed record RepositoryTarget(string RegistryName, string Repository, string Name);
