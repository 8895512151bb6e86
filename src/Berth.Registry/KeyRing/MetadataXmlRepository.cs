using System.Xml.Linq;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace Berth.Registry.KeyRing;

/// <summary>
/// The data-protection key ring in the metadata database, so that every node shares it. The interface is synchronous;
/// the key ring calls it at start and about once a day (it caches the keys), so waiting on the store there is cheap.
/// </summary>
public sealed class MetadataXmlRepository(IDataProtectionKeyStore store, TimeProvider time) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. store.ListDataProtectionKeysAsync(CancellationToken.None).GetAwaiter().GetResult().Select(k => XElement.Parse(k.Xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        store.AddDataProtectionKeyAsync(
            new DataProtectionKeyRecord(friendlyName, element.ToString(SaveOptions.DisableFormatting), time.GetUtcNow()),
            CancellationToken.None).GetAwaiter().GetResult();
}
