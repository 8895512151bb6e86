using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;

namespace Berth.Metadata.Sql;

/// <summary>
/// A statement and its parameters, run either in a <see cref="SqlSession"/> (its connection and transaction) or on
/// a connection of its own, taken when it runs and returned when it is done. Just enough plumbing to keep each store
/// method down to its SQL and its mapping.
/// </summary>
public sealed class SqlStatement
{
    private readonly string _sql;
    private readonly SqlDialect _dialect;
    private readonly SqlSession? _session;
    private readonly Func<CancellationToken, Task<DbConnection>>? _open;
    private readonly List<(string Name, Action<DbParameter> Bind)> _parameters = [];

    internal SqlStatement(string sql, SqlSession session)
    {
        _sql = sql;
        _dialect = session.Dialect;
        _session = session;
    }

    internal SqlStatement(string sql, SqlDialect dialect, Func<CancellationToken, Task<DbConnection>> open)
    {
        _sql = sql;
        _dialect = dialect;
        _open = open;
    }

    /// <summary>
    /// Binds a value with its type taken from <typeparamref name="T"/>, so a null still has a type (an untyped NULL
    /// leaves PostgreSQL to guess, which fails in expressions like <c>@x IS NULL</c>).
    /// </summary>
    public SqlStatement With<T>(string name, T value)
    {
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (type == typeof(DateTimeOffset))
        {
            var time = (DateTimeOffset?)(object?)value;
            _parameters.Add((name, parameter => _dialect.BindTime(parameter, time)));
        }
        else
        {
            var dbType = DbTypeOf(type);
            _parameters.Add((name, parameter =>
            {
                parameter.DbType = dbType;
                parameter.Value = (object?)value ?? DBNull.Value;
            }
            ));
        }

        return this;
    }

    /// <summary>Binds a list for the condition <see cref="SqlDialect.InList"/> makes of <paramref name="name"/>.</summary>
    public SqlStatement WithList<T>(string name, IReadOnlyCollection<T> values)
    {
        var value = _dialect.ListValue(values);
        _parameters.Add((name, parameter => parameter.Value = value));
        return this;
    }

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        var (command, owned) = await CreateAsync(cancellationToken);
        try
        {
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await DisposeAsync(command, owned);
        }
    }

    /// <summary>Maps the first row, or returns <c>default</c> (null for reference and nullable types) when there is none.</summary>
    public async Task<T?> FirstAsync<T>(Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var (command, owned) = await CreateAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            return await reader.ReadAsync(cancellationToken) ? map(reader) : default;
        }
        finally
        {
            await DisposeAsync(command, owned);
        }
    }

    public async Task<List<T>> ListAsync<T>(Func<DbDataReader, T> map, CancellationToken cancellationToken)
    {
        var (command, owned) = await CreateAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(map(reader));
            }

            return rows;
        }
        finally
        {
            await DisposeAsync(command, owned);
        }
    }

    /// <summary>The rows one at a time, for results too large to hold.</summary>
    public async IAsyncEnumerable<T> StreamAsync<T>(Func<DbDataReader, T> map, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (command, owned) = await CreateAsync(cancellationToken);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                yield return map(reader);
            }
        }
        finally
        {
            await DisposeAsync(command, owned);
        }
    }

    private async Task<(DbCommand Command, DbConnection? Owned)> CreateAsync(CancellationToken cancellationToken)
    {
        var owned = _session is null ? await _open!(cancellationToken) : null;
        var command = _session is null ? owned!.CreateCommand() : _session.CreateCommand();
        command.CommandText = _sql;
        foreach (var (name, bind) in _parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            bind(parameter);
            command.Parameters.Add(parameter);
        }

        return (command, owned);
    }

    private static async Task DisposeAsync(DbCommand command, DbConnection? owned)
    {
        await command.DisposeAsync();
        if (owned is not null)
        {
            await owned.DisposeAsync();
        }
    }

    private static DbType DbTypeOf(Type type) =>
        type == typeof(string) ? DbType.String
        : type == typeof(long) ? DbType.Int64
        : type == typeof(int) ? DbType.Int32
        : type == typeof(bool) ? DbType.Boolean
        : type == typeof(byte[]) ? DbType.Binary
        : type == typeof(double) ? DbType.Double
        : throw new ArgumentException($"No database type for {type}.", nameof(type));
}
