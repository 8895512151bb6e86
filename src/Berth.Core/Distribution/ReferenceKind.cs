namespace Berth.Core.Distribution;

/// <summary>What a manifest refers to: a blob (config, layer) or another manifest (index entry).</summary>
public enum ReferenceKind
{
    Blob,
    Manifest,
}
