using Npgsql;
using NpgsqlTypes;

namespace Berth.Metadata.Postgres;

/// <summary>Just enough command plumbing to keep each store method down to its SQL and its mapping.</summary>
internal static class PostgresCommandExtensions
{
    /// <summary>A command on an open connection; it runs in the connection's transaction, if one is open.</summary>
    public static NpgsqlCommand Command(this NpgsqlConnection connection, string sql) => new(sql, connection);

    /// <summary>
    /// Binds a value with its type taken from <typeparamref name="T"/>, so a null still has a type (a bare DBNull
    /// leaves PostgreSQL to guess, which fails in expressions like <c>@x IS NULL</c>).
    /// </summary>
    public static NpgsqlCommand With<T>(this NpgsqlCommand command, string name, T value)
    {
        command.Parameters.Add(new NpgsqlParameter<T>(name, value));
        return command;
    }

    /// <summary>timestamptz accepts only UTC offsets from Npgsql; the instant is what is stored.</summary>
    public static NpgsqlCommand With(this NpgsqlCommand command, string name, DateTimeOffset value) =>
        command.With<DateTimeOffset>(name, value.ToUniversalTime());

    /// <summary>An optional instant: NULL, or the instant in UTC (see above).</summary>
    public static NpgsqlCommand With(this NpgsqlCommand command, string name, DateTimeOffset? value)
    {
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = value is { } time ? time.ToUniversalTime() : DBNull.Value });
        return command;
    }

    public static async Task<int> ExecuteAsync(this NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Maps the first row, or returns <c>default</c> (null for reference and nullable types) when there is none.</summary>
    public static async Task<T?> FirstAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? map(reader) : default;
        }
    }

    public static async Task<List<T>> ListAsync<T>(this NpgsqlCommand command, Func<NpgsqlDataReader, T> map, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
    }

    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    public static DateTimeOffset? GetNullableTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
