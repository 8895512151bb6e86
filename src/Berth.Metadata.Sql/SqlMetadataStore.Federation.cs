using System.Buffers;
using System.Data.Common;
using System.Text;
using System.Text.Json;
using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    private const string FederationRuleColumns =
        "id, registry_id, name, issuer, audience, claims, scopes, repositories, token_lifetime_minutes, created_at, created_by, last_used_at";

    public Task<FederationRuleRecord?> CreateFederationRuleAsync(FederationRuleRecord rule, int maxRulesPerRegistry, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            // The registry row locked: two rules added at once are counted one after the other against the limit.
            if (!await connection.Command($"SELECT TRUE FROM registries WHERE id = @id AND deleted_at IS NULL {_dialect.ForNoKeyUpdate};")
                    .With("id", rule.RegistryId)
                    .FirstAsync(r => r.GetBoolean(0), cancellationToken))
            {
                throw new KeyNotFoundException($"registry '{rule.RegistryId}' does not exist");
            }

            if (await connection.Command("SELECT COUNT(*) FROM federation_rules WHERE registry_id = @id;")
                    .With("id", rule.RegistryId)
                    .FirstAsync(r => r.GetInt64(0), cancellationToken) >= maxRulesPerRegistry)
            {
                return null;
            }

            try
            {
                // RETURNING: the record carries the time as stored (to the microsecond), the same as later reads.
                return await connection.Command(
                    $"""
                    INSERT INTO federation_rules ({FederationRuleColumns})
                    VALUES (@id, @registryId, @name, @issuer, @audience, @claims, @scopes, @repositories, @lifetime, @createdAt, @createdBy, @lastUsedAt)
                    RETURNING {FederationRuleColumns};
                    """)
                    .With("id", rule.Id)
                    .With("registryId", rule.RegistryId)
                    .With("name", rule.Name)
                    .With("issuer", rule.Issuer)
                    .With("audience", rule.Audience)
                    .With("claims", WriteClaims(rule.Claims))
                    .With("scopes", string.Join(',', rule.Scopes))
                    .With("repositories", WritePatterns(rule.Repositories))
                    .With("lifetime", rule.TokenLifetimeMinutes)
                    .With("createdAt", rule.CreatedAt)
                    .With("createdBy", rule.CreatedBy)
                    .With("lastUsedAt", rule.LastUsedAt)
                    .FirstAsync(ReadFederationRule, cancellationToken);
            }
            catch (DbException e) when (_dialect.IsUniqueViolation(e))
            {
                throw new MetadataConflictException($"the registry already has a federation rule named '{rule.Name}'");
            }
        }, cancellationToken);

    public async Task<IReadOnlyList<FederationRuleRecord>> ListFederationRulesAsync(string registryId, CancellationToken cancellationToken) =>
        await Command($"SELECT {FederationRuleColumns} FROM federation_rules WHERE registry_id = @registryId ORDER BY created_at, id;")
            .With("registryId", registryId)
            .ListAsync(ReadFederationRule, cancellationToken);

    public Task<FederationRuleRecord?> GetFederationRuleAsync(string ruleId, CancellationToken cancellationToken) =>
        Command($"SELECT {FederationRuleColumns} FROM federation_rules WHERE id = @id;")
            .With("id", ruleId)
            .FirstAsync(ReadFederationRule, cancellationToken);

    public Task<bool> DeleteFederationRuleAsync(string registryId, string ruleId, CancellationToken cancellationToken) =>
        WriteAsync(async connection =>
        {
            if (await connection.Command("DELETE FROM federation_rules WHERE id = @id AND registry_id = @registryId;")
                    .With("id", ruleId)
                    .With("registryId", registryId)
                    .ExecuteAsync(cancellationToken) == 0)
            {
                return false;
            }

            // Delivered with the commit: every node stops honouring the rule's tokens.
            await _dialect.PublishFederationRuleDeletedAsync(connection, registryId, ruleId, cancellationToken);
            return true;
        }, cancellationToken);

    public async Task<bool> TouchFederationRuleAsync(string ruleId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // The first use is told apart by the column it fills, in the statement that fills it (two nodes can't both see it).
        if (await WriteCommand("UPDATE federation_rules SET last_used_at = @now WHERE id = @id AND last_used_at IS NULL;")
                .With("id", ruleId)
                .With("now", now)
                .ExecuteAsync(cancellationToken) > 0)
        {
            return true;
        }

        await WriteCommand("UPDATE federation_rules SET last_used_at = @now WHERE id = @id;")
            .With("id", ruleId)
            .With("now", now)
            .ExecuteAsync(cancellationToken);
        return false;
    }

    private static FederationRuleRecord ReadFederationRule(DbDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        ReadClaims(r.GetString(5)),
        r.GetString(6).Split(',', StringSplitOptions.RemoveEmptyEntries),
        ReadPatterns(r.GetString(7)),
        r.GetInt32(8),
        r.GetTime(9),
        r.GetString(10),
        r.GetNullableTime(11));

    // Claims and patterns are kept as JSON (written and read without reflection, the same on every database).
    private static string WriteClaims(IReadOnlyDictionary<string, string> claims)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (claim, value) in claims)
            {
                writer.WriteString(claim, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string WritePatterns(IReadOnlyList<string> patterns)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var pattern in patterns)
            {
                writer.WriteStringValue(pattern);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, string> ReadClaims(string json)
    {
        using var document = JsonDocument.Parse(json);
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            claims[property.Name] = property.Value.GetString() ?? "";
        }

        return claims;
    }

    private static string[] ReadPatterns(string json)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? "")];
    }
}
