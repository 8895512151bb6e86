using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Berth.Registry.KeyRing;

/// <summary>
/// Encrypts a key ring element with <see cref="KeyRingSecret"/>: AES-256-GCM, a random 96-bit nonce per element, into
/// <c>&lt;encryptedKey&gt;base64(nonce ‖ ciphertext ‖ tag)&lt;/encryptedKey&gt;</c>. <see cref="KeyRingXmlDecryptor"/> reverses it.
/// </summary>
public sealed class KeyRingXmlEncryptor(KeyRingSecret secret) : IXmlEncryptor
{
    public static readonly XName ElementName = XName.Get("encryptedKey", "urn:berth:data-protection");

    // Binds the ciphertext to its use: a value encrypted with the same key for anything else does not decrypt here.
    internal static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("berth data-protection key ring v1");

    internal const int NonceBytes = 12;
    internal const int TagBytes = 16;

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        var plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        var sealedBytes = new byte[NonceBytes + plaintext.Length + TagBytes];
        var nonce = sealedBytes.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(secret.Key, TagBytes))
        {
            aes.Encrypt(nonce, plaintext, sealedBytes.AsSpan(NonceBytes, plaintext.Length), sealedBytes.AsSpan(NonceBytes + plaintext.Length), AssociatedData);
        }

        CryptographicOperations.ZeroMemory(plaintext);
        var element = new XElement(ElementName, new XAttribute("algorithm", "AES-256-GCM"), Convert.ToBase64String(sealedBytes));
        return new EncryptedXmlInfo(element, typeof(KeyRingXmlDecryptor));
    }
}
