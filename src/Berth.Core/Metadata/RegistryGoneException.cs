namespace Berth.Core.Metadata;

/// <summary>The registry was deleted while a request that had found it was still working on it.</summary>
public sealed class RegistryGoneException(string registryId) : Exception($"registry '{registryId}' was deleted");
