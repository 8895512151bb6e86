namespace Berth.Registry.Management;

public sealed record ReferrerView(string Digest, string MediaType, string? ArtifactType, long Size);
