namespace Berth.Core.Storage;

public enum StoredPathKind
{
    Blob,
    Upload,
}
