using System.Runtime.InteropServices;
using Berth.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace Berth.Storage.FileSystem;

/// <summary>
/// Writes straight to a file handle without a user-space buffer, so <see cref="Size"/> is exactly what the kernel
/// has been given and an abort can cut the file back precisely.
/// <para>
/// A fresh write goes to a hidden temp file next to the target and is renamed over it on commit, so the target
/// only ever holds a complete file. An append writes into the committed file itself: copying the file for every
/// chunk of an upload would make a chunked upload quadratic, and an upload's data file has one writer at a time.
/// The price is that bytes past the last commit are visible to a stat while the writer is open, and after a
/// crash (not a mere abort) they may remain on disk; callers that need the committed length exactly after a crash
/// must record it themselves at each commit.
/// </para>
/// </summary>
internal sealed partial class FileSystemBlobWriter : IBlobWriter
{
    private const string TempSuffix = ".tmp";

    // Start writeback of every 16 MiB as it is written (Linux sync_file_range), so the fsync at commit finds
    // little left to flush: a large upload's disk writes overlap with receiving it instead of following it.
    private const long WritebackChunk = 16L * 1024 * 1024;
    private const uint SyncFileRangeWrite = 2;

    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly string? _tempPath;
    private readonly Action<string>? _syncDirectory;
    private readonly long _committedLength;
    private bool _committed;
    private bool _disposed;
    private long _writebackStart;

    private FileSystemBlobWriter(SafeFileHandle handle, string path, string? tempPath, Action<string>? syncDirectory, long committedLength)
    {
        _handle = handle;
        _path = path;
        _tempPath = tempPath;
        _syncDirectory = syncDirectory;
        _committedLength = committedLength;
        Size = committedLength;
        _writebackStart = committedLength;
    }

    public long Size { get; private set; }

    /// <summary>
    /// A writer that replaces <paramref name="path"/> on commit, then makes the new name durable with
    /// <paramref name="syncDirectory"/> (on the file's directory). The directory must exist.
    /// </summary>
    public static FileSystemBlobWriter Replace(string path, Action<string> syncDirectory)
    {
        var tempPath = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        var handle = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        return new FileSystemBlobWriter(handle, path, tempPath, syncDirectory, 0);
    }

    /// <summary>A writer that continues the existing file at <paramref name="path"/>; throws if there is none.</summary>
    public static FileSystemBlobWriter Append(string path)
    {
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous);
        try
        {
            // No sync of the directory: the file's name is already durable (it was committed once).
            return new FileSystemBlobWriter(handle, path, null, null, RandomAccess.GetLength(handle));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>True for the temp files <see cref="Replace"/> creates (driver paths can't start with '.').</summary>
    public static bool IsTempFile(string path)
    {
        var name = Path.GetFileName(path);
        return name.StartsWith('.') && name.EndsWith(TempSuffix, StringComparison.Ordinal);
    }

    public async Task WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        await RandomAccess.WriteAsync(_handle, buffer, Size, cancellationToken);
        Size += buffer.Length;
        if (Size - _writebackStart >= WritebackChunk && OperatingSystem.IsLinux())
        {
            // Only a hint: on failure the commit's fsync still flushes everything.
            _ = SyncFileRange(_handle, _writebackStart, Size - _writebackStart, SyncFileRangeWrite);
            _writebackStart = Size;
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(SafeFileHandle fd, long offset, long count, uint flags);

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        ThrowIfFinished();
        cancellationToken.ThrowIfCancellationRequested();
        RandomAccess.FlushToDisk(_handle);
        _handle.Dispose();
        if (_tempPath is not null)
        {
            // rename(2) within one directory: readers see the old file or the new one, never a mix.
            File.Move(_tempPath, _path, overwrite: true);
            _syncDirectory!(Path.GetDirectoryName(_path)!);
        }

        _committed = true;
        return Task.CompletedTask;
    }

    /// <summary>Without a commit, drops everything written since the writer was opened (see the class remarks for crashes).</summary>
    public ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return ValueTask.CompletedTask;
        }

        _disposed = true;
        if (!_committed)
        {
            using (_handle)
            {
                if (_tempPath is null)
                {
                    // Through the handle, not the path: it still works if the file was moved or deleted meanwhile.
                    RandomAccess.SetLength(_handle, _committedLength);
                }
            }

            if (_tempPath is not null)
            {
                try
                {
                    File.Delete(_tempPath);
                }
                catch (DirectoryNotFoundException)
                {
                    // The whole directory was deleted under us (e.g. a cancelled upload): nothing left to clean.
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    private void ThrowIfFinished()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException("the writer has already been committed");
        }
    }
}
