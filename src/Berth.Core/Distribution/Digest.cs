using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Berth.Core.Distribution;

/// <summary>
/// A content digest as defined by the OCI image spec: <c>algorithm ":" encoded</c>.
/// Only algorithms we can verify are accepted: sha256 (required) and sha512.
/// </summary>
public readonly record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    public string Encoded { get; }

    public override string ToString() => Algorithm + ":" + Encoded;

    public static Digest Parse(string value) =>
        TryParse(value, out var digest)
            ? digest
            : throw new OciException(OciErrorCode.DigestInvalid, $"invalid digest '{Truncate(value)}'");

    /// <summary>Parses a digest; the encoded part must be lowercase hex of the algorithm's exact length.</summary>
    public static bool TryParse([NotNullWhen(true)] string? value, out Digest digest)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        var algorithm = value[..colon];
        var encoded = value[(colon + 1)..];
        var expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => -1,
        };
        if (expectedLength < 0 || encoded.Length != expectedLength || !IsLowerHex(encoded))
        {
            return false;
        }

        digest = new Digest(algorithm, encoded);
        return true;
    }

    /// <summary>True when the string looks like a digest (has an algorithm prefix), valid or not.</summary>
    public static bool LooksLikeDigest(string reference) => reference.Contains(':', StringComparison.Ordinal);

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash) =>
        new(algorithm, Convert.ToHexStringLower(hash));

    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = Sha256) =>
        algorithm switch
        {
            Sha256 => FromHash(Sha256, SHA256.HashData(content)),
            Sha512 => FromHash(Sha512, SHA512.HashData(content)),
            _ => throw new OciException(OciErrorCode.Unsupported, $"digest algorithm '{algorithm}' is not supported"),
        };

    public IncrementalHash CreateHash() => CreateHash(Algorithm);

    public static IncrementalHash CreateHash(string algorithm) =>
        algorithm switch
        {
            Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
            Sha512 => IncrementalHash.CreateHash(HashAlgorithmName.SHA512),
            _ => throw new OciException(OciErrorCode.Unsupported, $"digest algorithm '{algorithm}' is not supported"),
        };

    private static bool IsLowerHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string? s) => s is null ? "" : s.Length > 140 ? s[..140] + "…" : s;
}
