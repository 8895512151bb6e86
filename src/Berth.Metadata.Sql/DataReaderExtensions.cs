using System.Data.Common;

namespace Berth.Metadata.Sql;

/// <summary>Reads the column types every provider returns alike.</summary>
public static class DataReaderExtensions
{
    /// <summary>An instant, however the database stores it (PostgreSQL's timestamptz, SQLite's ISO 8601 text).</summary>
    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetNullableTime(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
