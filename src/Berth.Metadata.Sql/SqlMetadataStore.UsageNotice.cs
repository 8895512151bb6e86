namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    public Task<string?> GetUsageNoticeAsync(string registryId, CancellationToken cancellationToken) =>
        Command("SELECT usage_notice FROM registries WHERE id = @registryId;")
            .With("registryId", registryId)
            .FirstAsync(r => r.IsDBNull(0) ? null : r.GetString(0), cancellationToken);

    public async Task<bool> SwapUsageNoticeAsync(string registryId, string? expected, string? notice, CancellationToken cancellationToken) =>
        // '' stands for "none" in the comparison: a plain = never matches NULL.
        await WriteCommand(
            """
            UPDATE registries SET usage_notice = @notice
            WHERE id = @registryId AND deleted_at IS NULL AND COALESCE(usage_notice, '') = @expected;
            """)
            .With("registryId", registryId)
            .With("notice", notice)
            .With("expected", expected ?? "")
            .ExecuteAsync(cancellationToken) == 1;
}
