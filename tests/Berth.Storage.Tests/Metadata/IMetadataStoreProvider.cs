using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata;

/// <summary>
/// One metadata backend as the tests see it: where a test's stores come from, and a way to count rows behind their
/// back. Each backend builds its stores in its provider alone, so changing the store type touches one file per backend.
/// </summary>
public interface IMetadataStoreProvider : IAsyncDisposable
{
    /// <summary>A new store over empty storage, not initialised yet; disposed with the provider.</summary>
    Task<IMetadataStore> CreateAsync();

    /// <summary>Rows in a table of the store created first, read directly (what the interfaces cannot show: rows nothing returns).</summary>
    Task<long> CountRowsAsync(string table);
}
