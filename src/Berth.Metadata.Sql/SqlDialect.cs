using System.Data.Common;

namespace Berth.Metadata.Sql;

/// <summary>
/// What really differs between the SQL databases the metadata store runs on: how connections and write transactions
/// are had, a few pieces of syntax (row locks, the larger of two values, a list parameter), how instants are bound,
/// which errors mean "busy" or "duplicate", and the schema's migrations. Everything else — every query — is written
/// once in <see cref="SqlMetadataStore"/>.
/// </summary>
public abstract class SqlDialect
{
    /// <summary>
    /// True when several transactions write at once, so the store's statements must lock the rows they depend on
    /// (<see cref="ForUpdate"/> and friends); false when the database runs one writer at a time and those suffixes are
    /// empty.
    /// </summary>
    public abstract bool LocksRows { get; }

    /// <summary>Suffix of a SELECT that locks its rows against updates and deletes until the transaction ends.</summary>
    public virtual string ForUpdate => "";

    /// <summary>
    /// Like <see cref="ForUpdate"/>, but without blocking the key-share locks that foreign key checks take (rows that
    /// reference the locked one can still be inserted).
    /// </summary>
    public virtual string ForNoKeyUpdate => "";

    /// <summary>Suffix of a SELECT that keeps its rows from being updated or deleted until the transaction ends.</summary>
    public virtual string ForShare => "";

    /// <summary>Like <see cref="ForUpdate"/>, skipping rows another transaction holds instead of waiting for them.</summary>
    public virtual string ForUpdateSkipLocked => "";

    /// <summary>The larger of two values (NULL if either is NULL: callers COALESCE what may be missing).</summary>
    public abstract string Greatest(string left, string right);

    /// <summary>
    /// A condition that <paramref name="expression"/> is one of the values bound to <paramref name="parameter"/> with
    /// <see cref="ListValue{T}"/>: one constant statement whatever the list's length (prepared once, no parameter-count
    /// limit, no chunking) that still probes an index per value.
    /// </summary>
    public abstract string InList(string expression, string parameter);

    /// <summary>An aggregate joining the non-NULL values of <paramref name="expression"/> with commas, in no given order (NULL for none).</summary>
    public abstract string CommaList(string expression);

    /// <summary>The value to bind for a list parameter of <see cref="InList"/>.</summary>
    public abstract object ListValue<T>(IReadOnlyCollection<T> values);

    /// <summary>Binds an instant (or NULL) to <paramref name="parameter"/> in the type and format the schema stores.</summary>
    public abstract void BindTime(DbParameter parameter, DateTimeOffset? value);

    /// <summary>The schema migrations, in order: script N brings the schema to version N.</summary>
    public abstract IReadOnlyList<string> Migrations { get; }

    /// <summary>The table that records which migrations ran, created if missing.</summary>
    public abstract string CreateMigrationsTable { get; }

    /// <summary>A connection for reads.</summary>
    public abstract Task<DbConnection> OpenReadAsync(CancellationToken cancellationToken);

    /// <summary>A connection for writes in <paramref name="mode"/>.</summary>
    public abstract Task<DbConnection> OpenWriteAsync(WriteMode mode, CancellationToken cancellationToken);

    /// <summary>Starts the transaction of a write on a connection of <see cref="OpenWriteAsync"/>.</summary>
    public abstract Task<DbTransaction> BeginWriteAsync(DbConnection connection, WriteMode mode, CancellationToken cancellationToken);

    /// <summary>
    /// Runs first in the migrations' transaction: keeps nodes that start at once from migrating together (the second
    /// waits for the first to commit, then sees the versions it applied).
    /// </summary>
    public virtual Task LockMigrationsAsync(SqlSession session, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once before the migrations, outside any transaction.</summary>
    public virtual Task PrepareAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once after the migrations, when the store is ready.</summary>
    public virtual void Started()
    {
    }

    /// <summary>
    /// Announces, inside the transaction that makes it, that a registry's credentials changed (a new generation) or
    /// that it was deleted (<paramref name="generation"/> null), for nodes that watch for it.
    /// </summary>
    public Task PublishCredentialChangeAsync(SqlSession session, string registryId, long? generation, CancellationToken cancellationToken) =>
        PublishCredentialChangeAsync(session, registryId, generation, previousValidUntil: null, cancellationToken);

    /// <summary>
    /// As above, with when the previous generation stops working (a reset that keeps the previous password for an
    /// overlap); null when it already has (a plain reset, the overlap revoked early).
    /// </summary>
    public virtual Task PublishCredentialChangeAsync(SqlSession session, string registryId, long? generation, DateTimeOffset? previousValidUntil,
        CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Announces, inside the transaction that makes it, that an access token of a registry was revoked.</summary>
    public virtual Task PublishTokenRevokedAsync(SqlSession session, string registryId, string tokenId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>
    /// Announces, inside the transaction that deletes it, that a registry's federation rule is gone (the tokens it
    /// issued die with it), for nodes that watch for it.
    /// </summary>
    public virtual Task PublishFederationRuleDeletedAsync(SqlSession session, string registryId, string ruleId, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>True when <paramref name="exception"/> means a unique or primary key constraint refused a row.</summary>
    public abstract bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// True when <paramref name="exception"/> means the database is busy (a lock or a connection not had in time):
    /// nothing was changed and the same request may succeed when retried.
    /// </summary>
    public abstract bool IsBusy(Exception exception);
}
