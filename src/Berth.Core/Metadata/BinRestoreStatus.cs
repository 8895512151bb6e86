namespace Berth.Core.Metadata;

public enum BinRestoreStatus
{
    Restored,

    /// <summary>Not in the bin, or expired.</summary>
    NotFound,

    /// <summary>A live tag of that name points at another manifest.</summary>
    TagTaken,

    /// <summary>The manifest (or a child manifest of the index, or a blob) it needs is no longer held.</summary>
    ContentGone,
}
