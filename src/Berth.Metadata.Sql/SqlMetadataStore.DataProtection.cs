using Berth.Core.Metadata;

namespace Berth.Metadata.Sql;

public abstract partial class SqlMetadataStore
{
    public async Task<IReadOnlyList<DataProtectionKeyRecord>> ListDataProtectionKeysAsync(CancellationToken cancellationToken) =>
        await Command("SELECT friendly_name, xml, created_at FROM data_protection_keys ORDER BY id;")
            .ListAsync(r => new DataProtectionKeyRecord(r.GetString(0), r.GetString(1), r.GetTime(2)), cancellationToken);

    public Task AddDataProtectionKeyAsync(DataProtectionKeyRecord key, CancellationToken cancellationToken) =>
        WriteCommand("INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@name, @xml, @createdAt);")
            .With("name", key.FriendlyName)
            .With("xml", key.Xml)
            .With("createdAt", key.CreatedAt)
            .ExecuteAsync(cancellationToken);
}
