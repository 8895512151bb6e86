using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

/// <summary>
/// The metadata store, written once over ADO.NET for every SQL database it runs on; a provider supplies its
/// <see cref="SqlDialect"/> (connections, the syntax that differs, migrations). Each operation takes a connection and
/// returns it at the end; writes that must be atomic run in one transaction, which first locks the rows it depends on
/// when the database runs writers side by side. Call <see cref="InitializeAsync"/> once before use.
/// </summary>
public abstract partial class SqlMetadataStore(SqlDialect dialect) : IMetadataStore
{
    // A deleted registry or repository is renamed to this prefix and its id until it is purged: no valid name
    // contains '~', so the name is free at once and lookups by name never find the row.
    private const string DeletedNamePrefix = "~deleted~";

    private readonly SqlDialect _dialect = dialect;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _dialect.PrepareAsync(cancellationToken);
        await WriteAsync(async session =>
        {
            await _dialect.LockMigrationsAsync(session, cancellationToken);
            await session.Command(_dialect.CreateMigrationsTable).ExecuteAsync(cancellationToken);
            var current = await session.Command("SELECT COALESCE(MAX(version), 0) FROM schema_migrations;")
                .FirstAsync(r => r.GetInt32(0), cancellationToken);

            var scripts = _dialect.Migrations;
            for (var version = current + 1; version <= scripts.Count; version++)
            {
                await session.Command(scripts[version - 1]).ExecuteAsync(cancellationToken);
                await session.Command("INSERT INTO schema_migrations (version, applied_at) VALUES (@version, @now);")
                    .With("version", version)
                    .With("now", DateTimeOffset.UtcNow)
                    .ExecuteAsync(cancellationToken);
            }

            return true;
        }, cancellationToken);
        _dialect.Started();
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Command("SELECT 1;").FirstAsync(r => r.GetInt32(0), cancellationToken) == 1;
        }
        catch (DbException)
        {
            // Unreachable, refusing connections, shutting down: not ready, which is the answer asked for.
            return false;
        }
    }

    public bool IsBusy(Exception exception) => _dialect.IsBusy(exception);

    /// <summary>A read on a connection of its own, taken when it runs (its own implicit transaction).</summary>
    protected SqlStatement Command(string sql) => new(sql, _dialect, _dialect.OpenReadAsync);

    /// <summary>A single-statement write on a connection of its own, taken when it runs (its own transaction).</summary>
    protected SqlStatement WriteCommand(string sql) => new(sql, _dialect, cancellationToken => _dialect.OpenWriteAsync(WriteMode.Durable, cancellationToken));

    /// <summary>A session for several reads on one connection (each statement its own implicit transaction).</summary>
    protected async Task<SqlSession> ReadAsync(CancellationToken cancellationToken) =>
        new(await _dialect.OpenReadAsync(cancellationToken), null, _dialect);

    /// <summary>Runs <paramref name="work"/> in one transaction on one connection and commits it.</summary>
    protected Task<T> WriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(WriteMode.Durable, work, cancellationToken);

    /// <summary>Like <see cref="WriteAsync{T}(Func{SqlSession, Task{T}}, CancellationToken)"/> for a purge batch (<see cref="WriteMode.Purge"/>).</summary>
    protected Task<T> PurgeWriteAsync<T>(Func<SqlSession, Task<T>> work, CancellationToken cancellationToken) =>
        WriteAsync(WriteMode.Purge, work, cancellationToken);

    private async Task<T> WriteAsync<T>(WriteMode mode, Func<SqlSession, Task<T>> work, CancellationToken cancellationToken)
    {
        var connection = await _dialect.OpenWriteAsync(mode, cancellationToken);
        DbTransaction transaction;
        try
        {
            transaction = await _dialect.BeginWriteAsync(connection, mode, cancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await using var session = new SqlSession(connection, transaction, _dialect);
        var result = await work(session);
        await session.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>
    /// Which of <paramref name="keys"/> are in column <paramref name="key"/> of <paramref name="table"/>'s rows whose
    /// <paramref name="owner"/> column is <paramref name="ownerId"/>, in one query (table and columns are the store's
    /// own constants, never input).
    /// </summary>
    private async Task<IReadOnlySet<string>> ExistingAsync<TOwner>(string table, string owner, TOwner ownerId, string key,
        IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var rows = await Command($"SELECT {key} FROM {table} WHERE {owner} = @owner AND {_dialect.InList(key, "keys")};")
            .With("owner", ownerId)
            .WithList("keys", keys)
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Locks the registry row for the rest of the transaction and returns its storage limit, or null when the registry
    /// is gone. Every transaction that adds, links or drops a registry's blobs takes this lock first, so they run one
    /// after another per registry (across nodes) and each sees what the previous one committed. NO KEY UPDATE, not
    /// UPDATE: it must not block the key-share locks that foreign key checks take (creating repositories, uploads),
    /// while it still waits for, and is waited for by, a registry delete.
    /// </summary>
    private Task<long?> LockRegistryAsync(SqlSession session, string registryId, CancellationToken cancellationToken) =>
        session.Command($"SELECT storage_limit_bytes FROM registries WHERE id = @registryId AND deleted_at IS NULL {_dialect.ForNoKeyUpdate};")
            .With("registryId", registryId)
            .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
}
