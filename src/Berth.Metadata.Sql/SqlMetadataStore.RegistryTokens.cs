using System.Data.Common;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    // Unqualified for RETURNING (SQLite takes no table names there), qualified where registries is joined.
    private const string RegistryTokenFields =
        "id, registry_id, name, secret_hash, scopes, repositories, created_at, created_by, expires_at, last_used_at, last_used_from, revoked_at";

    private const string RegistryTokenColumns =
        "t.id, t.registry_id, t.name, t.secret_hash, t.scopes, t.repositories, t.created_at, t.created_by, t.expires_at, t.last_used_at, t.last_used_from, t.revoked_at";

    public async Task CreateRegistryTokenAsync(RegistryTokenRecord token, CancellationToken cancellationToken)
    {
        int written;
        try
        {
            // From the registry row: a token for a registry that does not exist (any more) is refused in the same statement.
            written = await WriteCommand(
                """
                INSERT INTO registry_tokens (id, registry_id, name, secret_hash, scopes, repositories, created_at, created_by, expires_at)
                SELECT @id, id, @name, @secretHash, @scopes, @repositories, @createdAt, @createdBy, @expiresAt
                FROM registries WHERE id = @registryId AND deleted_at IS NULL;
                """)
                .With("id", token.Id)
                .With("registryId", token.RegistryId)
                .With("name", token.Name)
                .With("secretHash", token.SecretHash)
                .With("scopes", token.Scopes)
                .With("repositories", string.Join('\n', token.Repositories))
                .With("createdAt", token.CreatedAt)
                .With("createdBy", token.CreatedBy)
                .With("expiresAt", token.ExpiresAt)
                .ExecuteAsync(cancellationToken);
        }
        catch (DbException e) when (_dialect.IsUniqueViolation(e))
        {
            throw new MetadataConflictException($"the registry already has an access token named '{token.Name}'");
        }

        if (written == 0)
        {
            throw new KeyNotFoundException($"registry '{token.RegistryId}' does not exist");
        }
    }

    public Task<RegistryTokenCredential?> GetRegistryTokenAsync(string tokenId, CancellationToken cancellationToken) =>
        Command(
            $"""
            SELECT {RegistryTokenColumns}, r.name FROM registry_tokens t
            JOIN registries r ON r.id = t.registry_id AND r.deleted_at IS NULL
            WHERE t.id = @id;
            """)
            .With("id", tokenId)
            .FirstAsync(r => new RegistryTokenCredential(ReadRegistryToken(r), r.GetString(12)), cancellationToken);

    public async Task<IReadOnlyList<RegistryTokenRecord>> ListRegistryTokensAsync(string registryId, int limit, CancellationToken cancellationToken) =>
        // The id breaks ties between tokens created in the same instant, so the order is stable.
        await Command(
            $"""
            SELECT {RegistryTokenColumns} FROM registry_tokens t
            WHERE t.registry_id = @registryId AND t.revoked_at IS NULL
            ORDER BY t.created_at DESC, t.id DESC LIMIT @limit;
            """)
            .With("registryId", registryId)
            .With("limit", limit)
            .ListAsync(ReadRegistryToken, cancellationToken);

    public Task<bool> RevokeRegistryTokenAsync(string registryId, string tokenId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            var revoked = await connection.Command("UPDATE registry_tokens SET revoked_at = @now WHERE id = @id AND registry_id = @registryId AND revoked_at IS NULL;")
                .With("id", tokenId)
                .With("registryId", registryId)
                .With("now", now)
                .ExecuteAsync(cancellationToken) > 0;

            // In the same transaction: the news goes out when the revocation commits, never otherwise.
            if (revoked)
            {
                await _dialect.PublishTokenRevokedAsync(connection, registryId, tokenId, cancellationToken);
            }

            return revoked;
        }, cancellationToken);

    public Task<CredentialsRevocation?> RevokeAllCredentialsAsync(string registryId, string passwordHash, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            var generation = await connection.Command(
                """
                UPDATE registries SET previous_password_hash = password_hash, password_replaced_at = @now,
                    password_hash = @hash, credential_generation = credential_generation + 1, previous_password_valid_until = NULL
                WHERE id = @id AND deleted_at IS NULL
                RETURNING credential_generation;
                """)
                .With("id", registryId)
                .With("hash", passwordHash)
                .With("now", now)
                .FirstAsync(r => (long?)r.GetInt64(0), cancellationToken);
            if (generation is null)
            {
                return null;
            }

            var revoked = await connection.Command(
                $"""
                UPDATE registry_tokens SET revoked_at = @now
                WHERE registry_id = @id AND revoked_at IS NULL
                RETURNING {RegistryTokenFields};
                """)
                .With("id", registryId)
                .With("now", now)
                .ListAsync(ReadRegistryToken, cancellationToken);

            await _dialect.PublishCredentialChangeAsync(connection, registryId, generation, cancellationToken);
            foreach (var token in revoked)
            {
                await _dialect.PublishTokenRevokedAsync(connection, registryId, token.Id, cancellationToken);
            }

            return new CredentialsRevocation(generation.Value, revoked);
        }, cancellationToken);

    public Task<bool> TouchRegistryTokenAsync(string tokenId, DateTimeOffset now, string? from, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The first use is the update that finds no earlier one: exactly one writer sees it, on any node.
            if (await connection.Command("UPDATE registry_tokens SET last_used_at = @now, last_used_from = @from WHERE id = @id AND last_used_at IS NULL;")
                    .With("id", tokenId)
                    .With("now", now)
                    .With("from", from)
                    .ExecuteAsync(cancellationToken) > 0)
            {
                return true;
            }

            // Monotonic, like a repository's "updated": touches from several nodes may land out of order.
            await connection.Command("UPDATE registry_tokens SET last_used_at = @now, last_used_from = @from WHERE id = @id AND last_used_at < @now;")
                .With("id", tokenId)
                .With("now", now)
                .With("from", from)
                .ExecuteAsync(cancellationToken);
            return false;
        }, cancellationToken);

    private static RegistryTokenRecord ReadRegistryToken(DbDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.GetString(5).Split('\n', StringSplitOptions.RemoveEmptyEntries), r.GetTime(6), r.GetNullableString(7),
            r.GetNullableTime(8), r.GetNullableTime(9), r.GetNullableString(10), r.GetNullableTime(11));
}
