namespace Berth.Core.Storage;

/// <summary>
/// A storage driver: a flat namespace of paths holding bytes. It knows nothing of digests, registries or
/// uploads (those live above it, see <see cref="BlobPaths"/>), so that a filesystem, S3 or anything else can
/// implement it with a handful of primitive operations. Paths are '/'-separated and relative, built only by
/// <see cref="BlobPaths"/>; implementations reject anything else.
/// </summary>
public interface IBlobDriver
{
    /// <summary>Short name for logs and health checks ("filesystem", "s3").</summary>
    string Name { get; }

    /// <summary>Size and modification time of the file at <paramref name="path"/>, or null when there is none.</summary>
    Task<BlobStat?> StatAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens the file for reading from <paramref name="offset"/>. Throws <see cref="BlobPathNotFoundException"/>.</summary>
    Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a writer on <paramref name="path"/>. With <paramref name="append"/> it continues the content already
    /// committed there (a resumable upload); otherwise it starts empty. Nothing written is visible at the path
    /// until <see cref="IBlobWriter.CommitAsync"/>.
    /// </summary>
    Task<IBlobWriter> OpenWriterAsync(string path, bool append, CancellationToken cancellationToken);

    /// <summary>Writes a whole small file atomically (replacing any previous content).</summary>
    Task PutAsync(string path, Stream content, CancellationToken cancellationToken);

    /// <summary>Atomically moves a file, replacing the destination. Throws <see cref="BlobPathNotFoundException"/>.</summary>
    Task MoveAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken);

    /// <summary>Deletes the file at <paramref name="path"/>, or every file below it when it is a prefix. Missing is not an error.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);

    /// <summary>Every file path below <paramref name="prefix"/> (recursive), in no particular order.</summary>
    IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken);
}
