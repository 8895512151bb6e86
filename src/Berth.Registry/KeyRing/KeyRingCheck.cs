using System.Security.Cryptography;
using System.Xml.Linq;
using Berth.Core.Metadata;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;

namespace Berth.Registry.KeyRing;

/// <summary>
/// Runs at start, once the metadata store is ready: a node whose <c>Berth:DataProtection:Key</c> cannot decrypt the
/// stored key ring refuses to start. Left to itself the key ring would log the unreadable keys, make a new one of its
/// own and serve sessions no other node can read; the mistake would surface later as users signed out at random.
/// Then it loads the key ring (creating the first key on a new database) so that no request waits for it.
/// </summary>
public sealed partial class KeyRingCheck(
    IDataProtectionKeyStore store, IServiceProvider services, IDataProtectionProvider protection, ILogger<KeyRingCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var decryptor = new KeyRingXmlDecryptor(services);
        var keys = await store.ListDataProtectionKeysAsync(cancellationToken);
        foreach (var key in keys)
        {
            foreach (var encrypted in XElement.Parse(key.Xml).Descendants(KeyRingXmlEncryptor.ElementName))
            {
                try
                {
                    decryptor.Decrypt(encrypted);
                }
                catch (CryptographicException e)
                {
                    throw new InvalidOperationException(
                        $"Berth:DataProtection:Key cannot decrypt the dashboard key ring stored in the metadata database ({key.FriendlyName}, " +
                        $"created {key.CreatedAt:u}): it is not the key the other nodes use. Give every node the same Berth:DataProtection:Key. Refusing to start.", e);
                }
            }
        }

        protection.CreateProtector("Berth.KeyRing.Check").Protect([1]);
        LogReady(logger, keys.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Dashboard key ring: {Count} stored elements decrypted with Berth:DataProtection:Key")]
    private static partial void LogReady(ILogger logger, int count);
}
