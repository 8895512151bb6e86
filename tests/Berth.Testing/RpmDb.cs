using System.Buffers.Binary;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Berth.Testing;

/// <summary>rpm's package database in the sqlite form (rpm 4.16+: Fedora, RHEL 9, Rocky, Alma, Amazon Linux 2023).</summary>
public static class RpmDb
{
    /// <summary>
    /// An rpm 4.16+ sqlite database: CREATE TABLE Packages(hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL),
    /// one header blob per installed package.
    /// </summary>
    public static byte[] RpmDatabase(params byte[][] headers)
    {
        var file = Path.Combine(Path.GetTempPath(), $"berth-test-rpmdb-{Guid.NewGuid():N}.sqlite");
        try
        {
            using (var connection = new SqliteConnection($"Data Source={file};Pooling=False"))
            {
                connection.Open();
                using var create = connection.CreateCommand();
                create.CommandText = "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)";
                create.ExecuteNonQuery();
                foreach (var header in headers)
                {
                    using var insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO Packages (blob) VALUES ($blob)";
                    insert.Parameters.AddWithValue("$blob", header);
                    insert.ExecuteNonQuery();
                }
            }
            return File.ReadAllBytes(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// An rpm header as rpmdb stores it (without the 8-byte magic that precedes it in a .rpm file), all integers big-endian:
    ///   int32 il  — number of index entries
    ///   int32 dl  — length of the data store
    ///   il × 16-byte index entries: int32 tag, int32 type (4 = INT32, 6 = STRING), int32 offset into the data store, int32 count
    ///   dl bytes of data store: strings NUL-terminated, INT32 values 4-byte aligned.
    /// Tags: NAME 1000, VERSION 1001, RELEASE 1002, EPOCH 1003, SOURCERPM 1044.
    /// </summary>
    public static byte[] RpmHeader(string name, string version, string release, int? epoch, string? sourceRpm)
    {
        var index = new List<(int Tag, int Type, int Offset)>();
        var data = new MemoryStream();
        if (epoch is { } e)
        {
            index.Add((1003, 4, (int)data.Length));
            var value = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(value, e);
            data.Write(value);
        }
        foreach (var (tag, text) in new[] { (1000, name), (1001, version), (1002, release), (1044, sourceRpm) })
        {
            if (text is null)
            {
                continue;
            }

            index.Add((tag, 6, (int)data.Length));
            data.Write(Encoding.UTF8.GetBytes(text + "\0"));
        }
        var blob = new byte[8 + 16 * index.Count + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(blob, index.Count);
        BinaryPrimitives.WriteInt32BigEndian(blob.AsSpan(4), (int)data.Length);
        for (var i = 0; i < index.Count; i++)
        {
            var entry = blob.AsSpan(8 + 16 * i);
            BinaryPrimitives.WriteInt32BigEndian(entry, index[i].Tag);
            BinaryPrimitives.WriteInt32BigEndian(entry[4..], index[i].Type);
            BinaryPrimitives.WriteInt32BigEndian(entry[8..], index[i].Offset);
            BinaryPrimitives.WriteInt32BigEndian(entry[12..], 1);
        }
        data.ToArray().CopyTo(blob, 8 + 16 * index.Count);
        return blob;
    }
}
