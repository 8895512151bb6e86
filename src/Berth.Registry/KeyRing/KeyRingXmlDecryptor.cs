using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Berth.Registry.KeyRing;

/// <summary>
/// Decrypts what <see cref="KeyRingXmlEncryptor"/> wrote. The key ring creates it by type from the service provider
/// (its name is stored with each key), hence the constructor.
/// </summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly KeyRingSecret _secret = services.GetRequiredService<KeyRingSecret>();

    public XElement Decrypt(XElement encryptedElement)
    {
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(encryptedElement.Value);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("A stored data-protection key is not base64.", e);
        }

        if (sealedBytes.Length < KeyRingXmlEncryptor.NonceBytes + KeyRingXmlEncryptor.TagBytes)
        {
            throw new CryptographicException("A stored data-protection key is truncated.");
        }

        var length = sealedBytes.Length - KeyRingXmlEncryptor.NonceBytes - KeyRingXmlEncryptor.TagBytes;
        var plaintext = new byte[length];
        try
        {
            using var aes = new AesGcm(_secret.Key, KeyRingXmlEncryptor.TagBytes);
            aes.Decrypt(sealedBytes.AsSpan(0, KeyRingXmlEncryptor.NonceBytes), sealedBytes.AsSpan(KeyRingXmlEncryptor.NonceBytes, length),
                sealedBytes.AsSpan(KeyRingXmlEncryptor.NonceBytes + length), plaintext, KeyRingXmlEncryptor.AssociatedData);
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new CryptographicException(
                "Berth:DataProtection:Key does not decrypt the dashboard key ring stored in the metadata database: every node must have the same key.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
