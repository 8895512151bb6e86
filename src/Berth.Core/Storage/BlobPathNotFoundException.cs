namespace Berth.Core.Storage;

public sealed class BlobPathNotFoundException(string path) : Exception($"no blob at path '{path}'")
{
    public string Path { get; } = path;
}
