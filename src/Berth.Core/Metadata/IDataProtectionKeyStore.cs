namespace Berth.Core.Metadata;

/// <summary>
/// The dashboard's data-protection key ring (the keys that encrypt session cookies, antiforgery tokens and TempData),
/// kept in the metadata database so that every node behind a load balancer reads and writes the same keys. The store
/// holds each key's XML as given (already encrypted by the caller); it never reads or changes it. Keys are only
/// added: the key ring expires old keys itself and a handful accumulate over years.
/// </summary>
public interface IDataProtectionKeyStore
{
    /// <summary>Every stored key element, oldest first.</summary>
    Task<IReadOnlyList<DataProtectionKeyRecord>> ListDataProtectionKeysAsync(CancellationToken cancellationToken);

    /// <summary>Stores one more element (a new key or a revocation); names may repeat.</summary>
    Task AddDataProtectionKeyAsync(DataProtectionKeyRecord key, CancellationToken cancellationToken);
}
