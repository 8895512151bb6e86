namespace Berth.Core.Metadata;

/// <summary>
/// A planned tag removal's condition (cleanup): the tag still points at <paramref name="Digest"/> and that manifest was
/// not pulled at or after <paramref name="NotPulledSince"/>.
/// </summary>
public sealed record RemovalGuard(string Digest, DateTimeOffset NotPulledSince);
