using System.Data.Common;

namespace Berth.Metadata.Sql;

/// <summary>
/// One connection of the store, and the transaction open on it if any: the commands it makes run in that
/// transaction. Disposing it rolls back what was not committed and returns the connection.
/// </summary>
public sealed class SqlSession(DbConnection connection, DbTransaction? transaction, SqlDialect dialect) : IAsyncDisposable
{
    /// <summary>The syntax of the database the session is on.</summary>
    public SqlDialect Dialect => dialect;

    /// <summary>A command with <paramref name="sql"/> (which names its parameters <c>@name</c>).</summary>
    public SqlStatement Command(string sql) => new(sql, this);

    internal DbCommand CreateCommand()
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        return command;
    }

    internal Task CommitAsync(CancellationToken cancellationToken) => transaction!.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (transaction is not null)
            {
                await transaction.DisposeAsync();
            }
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }
}
