using System.Globalization;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

/// <summary>
/// Keyset-paged lists (registries, repositories, the audit log): each page is one query that seeks to the cursor in an
/// index and reads at most a page and one row (the extra row says whether there is more), whatever the list's length;
/// per-item figures are computed for the page's rows only.
/// </summary>
public abstract partial class SqlMetadataStore
{
    private static readonly PagingKey RegistryName = new(ListSort.NameKey, "name", IsTime: false, Unique: true);
    private static readonly PagingKey RegistryCreated = new(ListSort.CreatedKey, "created_at", IsTime: true, Unique: false);
    private static readonly PagingKey RepositoryName = new(ListSort.NameKey, "name", IsTime: false, Unique: true);
    private static readonly PagingKey RepositoryUpdated = new(ListSort.UpdatedKey, "updated_at", IsTime: true, Unique: false);

    // The audit log is in insertion order: its id is the key (and, unique, its own tiebreaker).
    private static readonly PagingKey AuditAt = new(ListSort.AtKey, "id", IsTime: false, Unique: true);

    public async Task<ListPage<RegistryListing>> ListRegistriesAsync(string projectId, ListPageRequest request, CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [RegistryName, RegistryCreated], idColumn: "id", numericId: false);
        // The page is cut from registries alone (one index range); the project's name and the usage figures are then
        // read for the page's rows only, in the same statement (usage as GetUsageAsync computes it).
        var statement = Command(
            $"""
            WITH page AS (
                SELECT id, name, project_id, storage_limit_bytes, created_at, previous_password_valid_until FROM registries
                WHERE project_id = @projectId AND deleted_at IS NULL {keyset.Search("name")} AND {keyset.After("")}
                ORDER BY {keyset.OrderBy("")} LIMIT @limit)
            SELECT page.id, page.name, page.project_id, p.name, page.storage_limit_bytes, page.created_at, page.previous_password_valid_until,
                   (SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint) FROM blobs b WHERE b.registry_id = page.id),
                   (SELECT COUNT(*) FROM repositories x WHERE x.registry_id = page.id AND x.deleted_at IS NULL),
                   (SELECT CAST(COALESCE(SUM(u.held_bytes), 0) AS bigint) FROM uploads u WHERE u.registry_id = page.id)
            FROM page JOIN projects p ON p.id = page.project_id
            ORDER BY {keyset.OrderBy("page.")};
            """)
            .With("projectId", projectId);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var registry = ReadRegistry(r);
            var cursor = keyset.Key == RegistryCreated ? ListCursor.Of(keyset.Key.Name, registry.CreatedAt, registry.Id) : new ListCursor(keyset.Key.Name, registry.Name, registry.Id);
            return (new RegistryListing(registry, new RegistryUsage(r.GetInt64(7), checked((int)r.GetInt64(8)), r.GetInt64(9))), cursor);
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    public async Task<IReadOnlyDictionary<string, int>> CountRegistriesAsync(IReadOnlyCollection<string> projectIds, CancellationToken cancellationToken)
    {
        if (projectIds.Count == 0)
        {
            return new Dictionary<string, int>(StringComparer.Ordinal);
        }

        var rows = await Command(
            $"""
            SELECT project_id, COUNT(*) FROM registries
            WHERE deleted_at IS NULL AND {_dialect.InList("project_id", "projects")}
            GROUP BY project_id;
            """)
            .WithList("projects", projectIds)
            .ListAsync(r => (Project: r.GetString(0), Count: checked((int)r.GetInt64(1))), cancellationToken);
        return rows.ToDictionary(r => r.Project, r => r.Count, StringComparer.Ordinal);
    }

    public async Task<IReadOnlySet<string>> GetLiveRegistryIdsAsync(IReadOnlyCollection<string> registryIds, CancellationToken cancellationToken)
    {
        if (registryIds.Count == 0)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        var rows = await Command($"SELECT id FROM registries WHERE deleted_at IS NULL AND {_dialect.InList("id", "ids")};")
            .WithList("ids", registryIds)
            .ListAsync(r => r.GetString(0), cancellationToken);
        return rows.ToHashSet(StringComparer.Ordinal);
    }

    public async Task<ListPage<RepositoryListing>> ListRepositorySummariesAsync(string registryId, ListPageRequest request, CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [RepositoryName, RepositoryUpdated], idColumn: "id", numericId: true);
        // Figures as ListRepositorySummariesAsync computes them, and pulls as GetRepositoryPullStatsAsync does, but for
        // the page's repositories only: each an index range on the repository's key prefix.
        var statement = Command(
            $"""
            WITH page AS (
                SELECT id, name, created_at, updated_at FROM repositories
                WHERE registry_id = @registryId AND deleted_at IS NULL {keyset.Search("name")} AND {keyset.After("")}
                ORDER BY {keyset.OrderBy("")} LIMIT @limit)
            SELECT page.id, page.name,
                   (SELECT COUNT(*) FROM tags t WHERE t.repository_id = page.id),
                   (SELECT COUNT(*) FROM manifests m WHERE m.repository_id = page.id),
                   (SELECT CAST(COALESCE(SUM(b.size), 0) AS bigint)
                      FROM repository_blobs rb JOIN blobs b ON b.registry_id = rb.registry_id AND b.digest = rb.digest
                     WHERE rb.repository_id = page.id),
                   page.created_at,
                   page.updated_at,
                   (SELECT CAST(COALESCE(SUM(pc.count), 0) AS bigint) FROM pull_counts pc WHERE pc.repository_id = page.id),
                   (SELECT MAX(pc.last_pulled_at) FROM pull_counts pc WHERE pc.repository_id = page.id)
            FROM page
            ORDER BY {keyset.OrderBy("page.")};
            """)
            .With("registryId", registryId);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var id = r.GetInt64(0);
            var summary = new RepositorySummary(r.GetString(1), checked((int)r.GetInt64(2)), checked((int)r.GetInt64(3)), r.GetInt64(4), r.GetTime(5), r.GetTime(6));
            var cursor = keyset.Key == RepositoryUpdated ? ListCursor.Of(keyset.Key.Name, summary.UpdatedAt, id) : ListCursor.Of(keyset.Key.Name, summary.Name, id);
            return (new RepositoryListing(summary, r.GetInt64(7), r.GetNullableTime(8)), cursor);
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetLatestTagsAsync(string registryId, IReadOnlyCollection<string> repositories,
        CancellationToken cancellationToken)
    {
        if (repositories.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var rows = await Command(
            $"""
            SELECT r.name,
                   (SELECT t.name FROM tags t WHERE t.repository_id = r.id ORDER BY t.updated_at DESC, t.name LIMIT 1)
            FROM repositories r
            WHERE r.registry_id = @registryId AND r.deleted_at IS NULL AND {_dialect.InList("r.name", "names")};
            """)
            .With("registryId", registryId)
            .WithList("names", repositories)
            .ListAsync(r => (Repository: r.GetString(0), Tag: r.GetNullableString(1)), cancellationToken);
        return rows.Where(r => r.Tag is not null).ToDictionary(r => r.Repository, r => r.Tag!, StringComparer.Ordinal);
    }

    public async Task<ListPage<AuditEvent>> ListAuditAsync(string projectId, string? registryId, ListPageRequest request, CancellationToken cancellationToken)
    {
        var keyset = Keyset.For(request, [AuditAt], idColumn: "id", numericId: true);
        // Searched in what a reader scans for: the action, who did it and on which registry.
        var statement = Command(
            $"""
            SELECT at, actor, action, project_id, project_name, registry_id, registry_name, remote_addr, detail, id
            FROM audit_events
            WHERE project_id = @projectId AND (@registryId IS NULL OR registry_id = @registryId)
              {keyset.Search("action", "actor", "registry_name")} AND {keyset.After("")}
            ORDER BY {keyset.OrderBy("")} LIMIT @limit;
            """)
            .With("projectId", projectId)
            .With("registryId", registryId);
        var rows = await keyset.Bind(statement).ListAsync(r =>
        {
            var e = new AuditEvent(r.GetTime(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetNullableString(5), r.GetNullableString(6), r.GetNullableString(7), r.GetNullableString(8));
            var id = r.GetInt64(9);
            return (e, ListCursor.Of(keyset.Key.Name, id.ToString(CultureInfo.InvariantCulture), id));
        }, cancellationToken);
        return keyset.ToPage(rows);
    }

    /// <summary>
    /// A sort key a list offers: its name in <see cref="ListSort"/>, its column, whether the column holds instants, and
    /// whether it is unique within the list (then the id is no tiebreaker and the key's own unique index serves).
    /// </summary>
    private sealed record PagingKey(string Name, string Column, bool IsTime, bool Unique);

    /// <summary>The SQL pieces and parameters of one page request over one of a list's <see cref="PagingKey"/>s.</summary>
    private sealed class Keyset
    {
        private readonly ListPageRequest _request;
        private readonly string _idColumn;
        private readonly bool _numericId;

        private Keyset(ListPageRequest request, PagingKey key, string idColumn, bool numericId)
        {
            _request = request;
            Key = key;
            _idColumn = idColumn;
            _numericId = numericId;
        }

        public PagingKey Key { get; }

        /// <exception cref="InvalidCursorException">the cursor is of another sort key, or its values don't parse</exception>
        public static Keyset For(ListPageRequest request, IReadOnlyList<PagingKey> keys, string idColumn, bool numericId)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(request.Limit, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(request.Limit, ListPageRequest.MaxLimit);
            var key = keys.FirstOrDefault(k => k.Name == request.Sort.Key)
                ?? throw new ArgumentException($"The list has no sort key '{request.Sort.Key}'.", nameof(request));
            if (request.After is { } after && after.SortKey != key.Name)
            {
                throw new InvalidCursorException($"The cursor belongs to another sort than '{key.Name}'.");
            }

            return new Keyset(request, key, idColumn, numericId);
        }

        /// <summary><c>AND (column LIKE @search OR …)</c> when the request searches, else nothing.</summary>
        public string Search(params string[] columns) =>
            string.IsNullOrEmpty(_request.Search)
                ? ""
                : "AND (" + string.Join(" OR ", columns.Select(c => $"{c} LIKE @search ESCAPE '\\'")) + ")";

        /// <summary>The condition that a row comes after the cursor in the sort order (TRUE without one).</summary>
        public string After(string prefix)
        {
            if (_request.After is null)
            {
                return "TRUE";
            }

            var comparison = _request.Sort.Descending ? "<" : ">";
            return Key.Unique
                ? $"{prefix}{Key.Column} {comparison} @afterKey"
                : $"({prefix}{Key.Column}, {prefix}{_idColumn}) {comparison} (@afterKey, @afterId)";
        }

        public string OrderBy(string prefix)
        {
            var direction = _request.Sort.Descending ? "DESC" : "ASC";
            return Key.Unique
                ? $"{prefix}{Key.Column} {direction}"
                : $"{prefix}{Key.Column} {direction}, {prefix}{_idColumn} {direction}";
        }

        /// <summary>Binds the limit (one more than a page: the extra row says there is more), the search and the cursor.</summary>
        public SqlStatement Bind(SqlStatement statement)
        {
            statement.With("limit", _request.Limit + 1);
            if (!string.IsNullOrEmpty(_request.Search))
            {
                statement.With("search", "%" + EscapeLike(_request.Search.ToLowerInvariant()) + "%");
            }

            if (_request.After is { } after)
            {
                // The audit log's key is its id: bound as the number it is.
                if (Key.IsTime)
                {
                    statement.With("afterKey", after.TimeKey);
                }
                else if (Key.Column == _idColumn && _numericId)
                {
                    statement.With("afterKey", after.NumericId);
                }
                else
                {
                    statement.With("afterKey", after.Key);
                }

                // A unique key needs no tiebreaker (see After).
                if (!Key.Unique && _numericId)
                {
                    statement.With("afterId", after.NumericId);
                }
                else if (!Key.Unique)
                {
                    statement.With("afterId", after.Id);
                }
            }

            return statement;
        }

        public ListPage<T> ToPage<T>(List<(T Item, ListCursor Cursor)> rows)
        {
            var hasMore = rows.Count > _request.Limit;
            if (hasMore)
            {
                rows.RemoveAt(rows.Count - 1);
            }

            return new ListPage<T>(rows.Select(r => r.Item).ToList(), hasMore,
                rows.Count == 0 ? null : rows[0].Cursor, rows.Count == 0 ? null : rows[^1].Cursor);
        }

        private static string EscapeLike(string text) =>
            text.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("%", "\\%", StringComparison.Ordinal)
                .Replace("_", "\\_", StringComparison.Ordinal);
    }
}
