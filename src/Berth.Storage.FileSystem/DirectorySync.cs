using System.Runtime.InteropServices;

namespace Berth.Storage.FileSystem;

/// <summary>
/// fsync(2) of a directory. Fsyncing a file makes its bytes durable, not its name: after a power cut, a file created
/// or renamed into a directory (or a subdirectory created in it) can be missing until the directory itself is synced.
/// .NET cannot open a directory as a file handle, hence the direct calls.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnly = 0;
    private const int CloseOnExecLinux = 0x80000;
    private const int CloseOnExecMacOS = 0x1000000;
    private const int NoSuchEntry = 2;
    private const int NotADirectory = 20;
    private const int InvalidArgument = 22;

    /// <summary>Makes the entries of <paramref name="directory"/> durable.</summary>
    /// <exception cref="DirectoryNotFoundException">the directory does not exist (e.g. pruned meanwhile)</exception>
    /// <exception cref="IOException">the sync failed: what was written may not survive a power cut</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            // Windows has no directory fsync; NTFS journals its metadata itself.
            return;
        }

        var fd = Open(directory, ReadOnly | (OperatingSystem.IsLinux() ? CloseOnExecLinux : CloseOnExecMacOS));
        if (fd < 0)
        {
            var error = Marshal.GetLastPInvokeError();
            throw error is NoSuchEntry or NotADirectory
                ? new DirectoryNotFoundException($"directory '{directory}' does not exist")
                : new IOException($"cannot open directory '{directory}' to sync it: {Marshal.GetPInvokeErrorMessage(error)}");
        }

        try
        {
            // EINVAL: a filesystem that cannot sync directories (some FUSE and network filesystems); nothing more to do there.
            if (Fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var error && error != InvalidArgument)
            {
                throw new IOException($"cannot sync directory '{directory}': {Marshal.GetPInvokeErrorMessage(error)}");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
