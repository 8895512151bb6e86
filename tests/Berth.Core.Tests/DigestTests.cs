using System.Text;
using Berth.Core.Distribution;

namespace Berth.Core.Tests;

public sealed class DigestTests
{
    private const string EmptySha256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string AbcSha256 = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private const string AbcSha512 =
        "sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

    [Theory]
    [InlineData(EmptySha256)]
    [InlineData(AbcSha256)]
    [InlineData(AbcSha512)]
    public void ValidDigestsParseAndRoundTrip(string value)
    {
        Assert.True(Digest.TryParse(value, out var digest));
        Assert.Equal(value, digest.ToString());
        Assert.Equal(value[..value.IndexOf(':', StringComparison.Ordinal)], digest.Algorithm);
        Assert.Equal(value[(value.IndexOf(':', StringComparison.Ordinal) + 1)..], digest.Encoded);
        Assert.Equal(digest, Digest.Parse(value));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852B855")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n")]
    [InlineData("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha512:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData(":e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("sha256:")]
    [InlineData("sha256::e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    public void InvalidDigestsAreRejected(string? value)
    {
        Assert.False(Digest.TryParse(value, out _));
    }

    [Fact]
    public void ParseThrowsDigestInvalid()
    {
        var ex = Assert.Throws<OciException>(() => Digest.Parse("sha256:nope"));

        Assert.Equal(OciErrorCode.DigestInvalid, ex.Error);
        Assert.Equal(400, ex.Error.Status);
    }

    [Theory]
    [InlineData("", Digest.Sha256, EmptySha256)]
    [InlineData("abc", Digest.Sha256, AbcSha256)]
    [InlineData("abc", Digest.Sha512, AbcSha512)]
    public void ComputeMatchesKnownVectors(string content, string algorithm, string expected)
    {
        Assert.Equal(expected, Digest.Compute(Encoding.ASCII.GetBytes(content), algorithm).ToString());
    }

    [Fact]
    public void ComputeDefaultsToSha256()
    {
        Assert.Equal(AbcSha256, Digest.Compute("abc"u8).ToString());
    }

    [Fact]
    public void ComputeRejectsUnknownAlgorithm()
    {
        var ex = Assert.Throws<OciException>(() => Digest.Compute("abc"u8, "md5"));

        Assert.Equal(OciErrorCode.Unsupported, ex.Error);
    }

    [Theory]
    [InlineData(AbcSha256)]
    [InlineData(AbcSha512)]
    public void IncrementalHashMatchesCompute(string expected)
    {
        var digest = Digest.Parse(expected);
        using var hash = digest.CreateHash();
        hash.AppendData("a"u8);
        hash.AppendData("bc"u8);

        Assert.Equal(digest, Digest.FromHash(digest.Algorithm, hash.GetHashAndReset()));
    }

    [Theory]
    [InlineData("latest", false)]
    [InlineData(AbcSha256, true)]
    [InlineData("sha256:bogus", true)]
    public void LooksLikeDigestSeparatesTagsFromDigests(string reference, bool expected)
    {
        Assert.Equal(expected, Digest.LooksLikeDigest(reference));
    }
}
