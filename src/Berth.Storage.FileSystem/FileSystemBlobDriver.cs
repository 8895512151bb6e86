using Berth.Core.Storage;

namespace Berth.Storage.FileSystem;

/// <summary>
/// Keeps blobs as plain files below a root directory. Whole-file writes go to a hidden temp file in the target's
/// directory and are renamed into place after an fsync, so a reader (or a restart after a crash) never sees a
/// torn file at a path that was written without append. Once a commit, move or delete returns it survives a power
/// cut: the directories it changed (and the parents of directories it created) are fsynced too.
/// </summary>
public sealed class FileSystemBlobDriver : IBlobDriver
{
    // Readers are copied out by the caller with its own large buffer, so a FileStream buffer
    // would only add a copy.
    private const int ReadBufferSize = 0;

    // How often RetryIfDirectoryVanishes creates a directory again after a concurrent prune removed it.
    private const int MaxDirectoryAttempts = 100;

    private readonly string _root;
    private readonly string _rootWithSeparator;

    public FileSystemBlobDriver(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        _rootWithSeparator = _root + Path.DirectorySeparatorChar;
        Directory.CreateDirectory(_root);
    }

    public string Name => "filesystem";

    /// <summary>Makes a directory's entries durable (<see cref="DirectorySync.Flush"/>); tests watch the calls through it.</summary>
    internal Action<string> SyncDirectory { get; init; } = DirectorySync.Flush;

    /// <summary>
    /// The absolute local path of a driver path (validated like every other path). Kestrel has no sendfile, so the
    /// server streams through <see cref="OpenReadAsync"/> with large buffers; this is for tools and tests.
    /// </summary>
    public string GetLocalPath(string path) => ResolveFile(path);

    public Task<BlobStat?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(ResolveFile(path));
        // FileInfo.Exists is false for directories, which are never blobs.
        return Task.FromResult(info.Exists ? new BlobStat(info.Length, info.LastWriteTimeUtc) : null);
    }

    public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var fullPath = ResolveFile(path);
        FileStream stream;
        try
        {
            // FileShare.Delete: a concurrent delete or replace must not fail because someone is downloading.
            stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                ReadBufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new BlobPathNotFoundException(path);
        }

        stream.Position = offset;
        return Task.FromResult<Stream>(stream);
    }

    public Task<IBlobWriter> OpenWriterAsync(string path, bool append, CancellationToken cancellationToken)
    {
        var fullPath = ResolveFile(path);
        if (append)
        {
            try
            {
                return Task.FromResult<IBlobWriter>(FileSystemBlobWriter.Append(fullPath));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Nothing committed yet: fall through to a fresh write.
            }
        }

        // Appending to nothing is a fresh write: going through a temp file keeps even the empty file invisible
        // until commit.
        return Task.FromResult<IBlobWriter>(
            RetryIfDirectoryVanishes(Path.GetDirectoryName(fullPath)!, () => FileSystemBlobWriter.Replace(fullPath, SyncDirectory)));
    }

    public async Task PutAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        await using var writer = await OpenWriterAsync(path, append: false, cancellationToken);
        var buffer = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await writer.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        await writer.CommitAsync(cancellationToken);
    }

    public Task MoveAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var source = ResolveFile(sourcePath);
        var destination = ResolveFile(destinationPath);
        if (!File.Exists(source))
        {
            throw new BlobPathNotFoundException(sourcePath);
        }

        try
        {
            // Same filesystem by construction (one root), so this is a rename(2): atomic, and it replaces.
            RetryIfDirectoryVanishes(Path.GetDirectoryName(destination)!, () =>
            {
                File.Move(source, destination, overwrite: true);
                return true;
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException && !File.Exists(source))
        {
            throw new BlobPathNotFoundException(sourcePath);
        }

        // The new name is what must survive. The old one needs no sync of its own: a journaling filesystem commits a
        // rename as one transaction, so the file is never found under both names.
        SyncDirectory(Path.GetDirectoryName(destination)!);
        PruneEmptyParents(Path.GetDirectoryName(source)!);
        return Task.CompletedTask;
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        var fullPath = Resolve(path, allowDirectory: true, allowRoot: false);
        if (!path.EndsWith('/') && File.Exists(fullPath))
        {
            File.Delete(fullPath);
        }
        else if (Directory.Exists(fullPath))
        {
            try
            {
                Directory.Delete(fullPath, recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
                // Someone else deleted it first: the outcome we wanted.
            }
        }
        else
        {
            return Task.CompletedTask;
        }

        // A deleted file that comes back after a power cut would hold storage (or content) its metadata says is gone.
        var survivor = PruneEmptyParents(Path.GetDirectoryName(fullPath)!);
        try
        {
            SyncDirectory(survivor);
        }
        catch (DirectoryNotFoundException)
        {
            // Pruned by someone else after us: their prune goes further up, and the entry we removed is gone with it.
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// <paramref name="prefix"/> names a directory (with or without the trailing '/'; "" is the whole root).
    /// Temp files of writers in progress are not listed.
    /// </summary>
    public IAsyncEnumerable<string> ListAsync(string prefix, CancellationToken cancellationToken) =>
        EnumerateFiles(Resolve(prefix, allowDirectory: true, allowRoot: true), cancellationToken).ToAsyncEnumerable();

    private IEnumerable<string> EnumerateFiles(string directory, CancellationToken cancellationToken)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
            ReturnSpecialDirectories = false,
        };
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(directory, "*", options);
        }
        catch (DirectoryNotFoundException)
        {
            yield break;
        }

        foreach (var file in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!FileSystemBlobWriter.IsTempFile(file))
            {
                yield return Path.GetRelativePath(_root, file).Replace(Path.DirectorySeparatorChar, '/');
            }
        }
    }

    /// <summary>
    /// Deleting a blob leaves its digest directory behind; removing empty directories up to the root keeps the
    /// tree from filling with husks. A writer racing with this retries (<see cref="RetryIfDirectoryVanishes"/>).
    /// Returns the directory it stopped at: the first one not removed, which holds the last removal.
    /// </summary>
    private string PruneEmptyParents(string directory)
    {
        while (directory.StartsWith(_rootWithSeparator, PathComparison))
        {
            try
            {
                // Non-recursive: rmdir(2) refuses a directory that is not empty, atomically.
                Directory.Delete(directory, recursive: false);
            }
            catch (IOException)
            {
                // Not empty any more (a writer got there first) or already gone: either way, stop.
                return directory;
            }

            directory = Path.GetDirectoryName(directory)!;
        }

        return directory;
    }

    /// <summary>
    /// Creates <paramref name="directory"/> and runs <paramref name="action"/>, again if a concurrent prune removed the
    /// directory, or one of its parents while CreateDirectory was creating them (ENOENT from mkdir, which .NET reports
    /// as a DirectoryNotFoundException or a FileNotFoundException).
    /// </summary>
    private T RetryIfDirectoryVanishes<T>(string directory, Func<T> action)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                CreateDirectoryDurably(directory);
                return action();
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or FileNotFoundException && attempt < MaxDirectoryAttempts)
            {
                // Pruned under us; let the pruner finish its walk up the tree, then create it again. Losing several
                // times in a row happens under load (the stress test saw 5 losses in ~17,000 opens on a busy machine).
                Thread.Yield();
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="directory"/> with its missing parents and syncs the parent of each one created, so what
    /// is committed into it later can be found after a power cut. A directory that exists already needs nothing (when
    /// another writer created it a moment ago and has not synced yet, the sync of our commit's directory still covers
    /// it on a journaling filesystem, which commits metadata changes in order).
    /// </summary>
    private void CreateDirectoryDurably(string directory)
    {
        var missing = new List<string>();
        for (var current = directory; current.StartsWith(_rootWithSeparator, PathComparison) && !Directory.Exists(current);
             current = Path.GetDirectoryName(current)!)
        {
            missing.Add(current);
        }

        if (missing.Count == 0)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        foreach (var created in missing)
        {
            // A prune removing it meanwhile makes this throw DirectoryNotFoundException, which the caller retries.
            SyncDirectory(Path.GetDirectoryName(created)!);
        }
    }

    private string ResolveFile(string path) => Resolve(path, allowDirectory: false, allowRoot: false);

    /// <summary>
    /// Maps a driver path to an absolute path under the root, or throws <see cref="ArgumentException"/>. Paths come
    /// from BlobPaths, so anything unusual is a bug or an attack and is refused rather than normalised.
    /// </summary>
    private string Resolve(string path, bool allowDirectory, bool allowRoot)
    {
        if (path.Length == 0 && allowRoot)
        {
            return _root;
        }

        var relative = BlobPaths.CheckDriverPath(path, allowDirectory);
        if (Path.IsPathRooted(relative))
        {
            throw Invalid(path, "is absolute");
        }

        var full = Path.GetFullPath(Path.Combine(_root, relative.Replace('/', Path.DirectorySeparatorChar)));
        if (!full.StartsWith(_rootWithSeparator, PathComparison))
        {
            throw Invalid(path, "escapes the storage root");
        }

        return full;
    }

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private static ArgumentException Invalid(string path, string reason) => BlobPaths.InvalidDriverPath(path, reason);
}
