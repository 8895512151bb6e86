using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Berth.Scanning.Inventory;

/// <summary>
/// The rpm database in its sqlite form (rpm 4.16+: RHEL 9, Fedora 33+, Amazon Linux 2023): table Packages(hnum, blob),
/// each blob an rpm header. The older BerkeleyDB and ndb formats are not read.
/// </summary>
internal sealed class RpmAnalyser : IFileAnalyser
{
    private const string DatabaseFile = "var/lib/rpm/rpmdb.sqlite";

    private const int TagName = 1000, TagVersion = 1001, TagRelease = 1002, TagEpoch = 1003, TagSourceRpm = 1044;
    private const int TypeInt32 = 4, TypeString = 6;

    public bool Wants(LayerFile file) => file.Path == DatabaseFile;

    public FileFinding? Analyse(string path, byte[] content)
    {
        // Microsoft.Data.Sqlite opens only files, so the database lives in a private temp directory just long enough to
        // be read; any -wal/-shm files sqlite creates beside it go with the directory.
        var directory = Directory.CreateTempSubdirectory("berth-rpmdb-");
        try
        {
            var file = Path.Combine(directory.FullName, "rpmdb.sqlite");
            File.WriteAllBytes(file, content);
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT blob FROM Packages";
            using var reader = command.ExecuteReader();
            var packages = new List<Package>();
            while (reader.Read())
            {
                if (ParseHeader((byte[])reader[0], path) is { } package)
                {
                    packages.Add(package);
                }
            }
            return FileFinding.ForOsPackages(packages);
        }
        catch (SqliteException)
        {
            return null;
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// An rpm header as stored in the database (no lead magic): big-endian int32 index count, int32 data length, then
    /// that many 16-byte index entries (tag, type, offset into data, count), then the data. Strings are NUL-terminated.
    /// </summary>
    internal static Package? ParseHeader(byte[] blob, string location)
    {
        if (blob.Length < 8)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadInt32BigEndian(blob);
        var dataLength = BinaryPrimitives.ReadInt32BigEndian(blob.AsSpan(4));
        var dataStart = 8L + 16L * count;
        if (count < 0 || dataLength < 0 || dataStart + dataLength > blob.Length)
        {
            return null;
        }

        var data = blob.AsSpan((int)dataStart, dataLength);
        string? name = null, version = null, release = null, sourceRpm = null;
        int? epoch = null;
        for (var i = 0; i < count; i++)
        {
            var entry = blob.AsSpan(8 + 16 * i, 16);
            var tag = BinaryPrimitives.ReadInt32BigEndian(entry);
            var type = BinaryPrimitives.ReadInt32BigEndian(entry[4..]);
            var offset = BinaryPrimitives.ReadInt32BigEndian(entry[8..]);
            if (offset < 0 || offset >= data.Length)
            {
                continue;
            }

            if (type == TypeInt32 && tag == TagEpoch && offset + 4 <= data.Length)
            {
                epoch = BinaryPrimitives.ReadInt32BigEndian(data[offset..]);
            }
            else if (type == TypeString)
            {
                var value = data[offset..];
                var end = value.IndexOf((byte)0);
                var text = Encoding.UTF8.GetString(end < 0 ? value : value[..end]);
                switch (tag)
                {
                    case TagName: name = text; break;
                    case TagVersion: version = text; break;
                    case TagRelease: release = text; break;
                    case TagSourceRpm: sourceRpm = text; break;
                }
            }
        }
        // gpg-pubkey entries are imported signing keys that rpm records as pseudo-packages.
        if (name is null || version is null || release is null || name == "gpg-pubkey")
        {
            return null;
        }

        var full = (epoch is { } e ? $"{e}:" : "") + $"{version}-{release}";
        return new Package("Red Hat", name, full, null, SourceName(sourceRpm), location);
    }

    /// <summary>"openssl-3.0.7-24.el9.src.rpm" → "openssl": the name is everything before the last two dashes.</summary>
    private static string? SourceName(string? sourceRpm)
    {
        if (sourceRpm is null)
        {
            return null;
        }

        var nvr = sourceRpm.EndsWith(".src.rpm", StringComparison.Ordinal) ? sourceRpm[..^".src.rpm".Length] : sourceRpm;
        var releaseDash = nvr.LastIndexOf('-');
        var versionDash = releaseDash > 0 ? nvr.LastIndexOf('-', releaseDash - 1) : -1;
        return versionDash > 0 ? nvr[..versionDash] : null;
    }
}
