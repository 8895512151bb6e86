namespace Berth.Core.Distribution;

public sealed record Platform(string Os, string Architecture, string? Variant);
