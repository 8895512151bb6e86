namespace Berth.Core.Distribution;

public sealed record ManifestReference(Descriptor Descriptor, ReferenceKind Kind);
