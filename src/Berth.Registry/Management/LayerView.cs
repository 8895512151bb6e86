namespace Berth.Registry.Management;

public sealed record LayerView(string Digest, string MediaType, long Size);
