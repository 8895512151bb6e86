namespace Berth.Registry.Management;

public sealed record IndexChildView(string Digest, string MediaType, string? Platform, long Size);
