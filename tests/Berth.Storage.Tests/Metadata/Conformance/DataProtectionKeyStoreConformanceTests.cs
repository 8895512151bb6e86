using Berth.Core.Metadata;

namespace Berth.Storage.Tests.Metadata.Conformance;

/// <summary>
/// The contract of <see cref="IDataProtectionKeyStore"/>: the dashboard's key ring elements, kept as given and listed
/// in the order they were added. Every backend runs it: see <c>SqliteConformanceTests.cs</c> and <c>PostgresConformanceTests.cs</c>.
/// </summary>
public abstract class DataProtectionKeyStoreConformanceTests<TProvider>(TProvider provider) : MetadataStoreTestBase<TProvider>(provider)
    where TProvider : IMetadataStoreProvider
{
    [Fact]
    public async Task ANewStoreHasNoKeys() => Assert.Empty(await DataProtectionKeys.ListDataProtectionKeysAsync(Ct));

    [Fact]
    public async Task KeysComeBackAsStoredInTheOrderTheyWereAdded()
    {
        // Later keys sort first by name and by time: the order must be the order of addition, not either of those.
        var first = new DataProtectionKeyRecord("key-b", """<key id="b"><encryptedKey xmlns="urn:x">AAEC/+==</encryptedKey></key>""", T0.AddHours(2));
        var second = new DataProtectionKeyRecord("key-a", "<key id=\"a\">ünïcode &amp; 'quotes'</key>", T0.AddHours(1));
        var third = new DataProtectionKeyRecord("revocation-1", "<revocation/>", T0);
        foreach (var key in new[] { first, second, third })
        {
            await DataProtectionKeys.AddDataProtectionKeyAsync(key, Ct);
        }

        Assert.Equal([first, second, third], await DataProtectionKeys.ListDataProtectionKeysAsync(Ct));
    }

    [Fact]
    public async Task ANameMayRepeat()
    {
        // The key ring does not promise unique names (revocations are named after their date); losing one would lose a key.
        await DataProtectionKeys.AddDataProtectionKeyAsync(new DataProtectionKeyRecord("revocation", "<one/>", T0), Ct);
        await DataProtectionKeys.AddDataProtectionKeyAsync(new DataProtectionKeyRecord("revocation", "<two/>", T0), Ct);

        Assert.Equal(["<one/>", "<two/>"], (await DataProtectionKeys.ListDataProtectionKeysAsync(Ct)).Select(k => k.Xml));
    }

    [Fact]
    public async Task ALargeElementIsKeptWhole()
    {
        var xml = "<key>" + new string('x', 200_000) + "</key>";
        await DataProtectionKeys.AddDataProtectionKeyAsync(new DataProtectionKeyRecord("key-big", xml, T0), Ct);

        Assert.Equal(xml, Assert.Single(await DataProtectionKeys.ListDataProtectionKeysAsync(Ct)).Xml);
    }
}
